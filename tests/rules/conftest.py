"""Fixtures the rules tests share with other areas: the migrated mirror of each database."""

from tests.indexer.conftest import engine

__all__ = ["engine"]
