"""The HTTP API: players audit their history, auditors query the mirror."""
