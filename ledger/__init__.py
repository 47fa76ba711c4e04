"""Transparent rewards ledger: contracts, chain client, indexer and verification."""

__version__ = "0.1.0"
