"""Column types that keep uint256 amounts exact on every database.

PostgreSQL gets NUMERIC(78,0), exact and summable in SQL. SQLite's NUMERIC is a float, so there
amounts are stored as 78-digit zero-padded text: exact, and ordered like the numbers they hold.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

U256_DIGITS = 78
MAX_U256 = 2**256 - 1


class U256(TypeDecorator[int]):
    """A uint256 as a Python int, exact on SQLite and PostgreSQL."""

    impl = String(U256_DIGITS)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(U256_DIGITS, 0))
        return dialect.type_descriptor(String(U256_DIGITS))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = int(value)
        if not 0 <= value <= MAX_U256:
            raise ValueError(f"{value} is not a uint256")
        if dialect.name == "postgresql":
            return value
        return str(value).zfill(U256_DIGITS)

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(value)


def u256_sql_literal(value: int, dialect_name: str) -> str:
    """How a uint256 literal compares in raw SQL on this dialect (for auditors' queries)."""
    return str(value) if dialect_name == "postgresql" else f"'{str(value).zfill(U256_DIGITS)}'"
