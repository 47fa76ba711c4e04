"""Reads of the mirror for the API, one module per area."""
