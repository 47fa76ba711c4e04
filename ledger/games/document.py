"""The games' published documents (tier table, badge rules, scoring rule, prize table): strict JSON
(no floats, no duplicate keys), RFC 8785 canonical bytes and their keccak256, the hash on chain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sha3 import keccak_256

from ledger.errors import InputError
from ledger.rules.document import canonical_bytes


class GamesError(InputError):
    """A games document or claim that is not valid: refused before anything is sent."""


@dataclass(frozen=True)
class Document:
    """A parsed document, its canonical bytes and their keccak256."""

    data: dict[str, Any]
    canonical: bytes
    hash: bytes

    @property
    def hash_hex(self) -> str:
        return "0x" + self.hash.hex()


def hash_of(data: Any) -> bytes:
    """keccak256 of a JSON value's canonical (RFC 8785) bytes."""
    digest: bytes = keccak_256(canonical_bytes(data)).digest()
    return digest


def parse_document(text: str, expected_format: str, source: str) -> Document:
    """Strict JSON whose `format` is `expected_format`."""
    try:
        data = json.loads(text, parse_float=_no_float, parse_constant=_no_float, object_pairs_hook=_pairs)
    except GamesError as exc:
        raise GamesError(f"{source}: {exc}") from None
    except ValueError as exc:
        raise GamesError(f"{source}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != expected_format:
        raise GamesError(f'{source}: expected a JSON object with "format": "{expected_format}"')
    canonical = canonical_bytes(data)
    return Document(data, canonical, keccak_256(canonical).digest())


def read_document(path: Path, expected_format: str) -> Document:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GamesError(f"cannot read {path}: {exc}") from exc
    return parse_document(text, expected_format, str(path))


def amount(value: Any, where: str, positive: bool = False) -> int:
    """A decimal-string amount (uint256; JSON carries amounts as strings)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 78:
        raise GamesError(f"{where}: {value!r} is not an amount (a decimal string)")
    number = int(value)
    if number >= 2**256 or (positive and number == 0):
        raise GamesError(f"{where}: {value} is out of range")
    return number


def count(value: Any, where: str, low: int = 0, high: int = 10**9) -> int:
    """A whole JSON number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise GamesError(f"{where}: {value!r} is not a whole number from {low} to {high}")
    return value


def text(value: Any, where: str, limit: int = 32) -> str:
    """A short non-empty name (ids go on chain as at most 32 bytes)."""
    if not isinstance(value, str) or not value or len(value.encode()) > limit:
        raise GamesError(f"{where}: {value!r} is not a name of 1 to {limit} bytes")
    return value


def _no_float(value: str) -> Any:
    raise GamesError(f"{value} is not an integer: amounts are decimal strings")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise GamesError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result
