"""Audits of the SQL mirror against the chain."""
