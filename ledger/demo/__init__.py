"""The one-command demo: a managed node, sample campaigns and a realistic stream of rewards."""
