"""Operator actions: deploy, campaigns, entries and batches, on top of the chain client."""
