"""A campaign's rules document: parsed, validated against the published schema, canonicalised
(RFC 8785) and hashed (keccak256 of the canonical bytes, the hash the chain records).

A document is refused, with one line naming where and why, when it is not strict JSON (no
floats, no duplicate keys), breaks the schema (ledger/rules/schema.json: unknown fields, unknown
rule kinds, negative percentages...) or contradicts itself (a cap below its minimum, a weight for
an undeclared category, an event not declared, two rules with one id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sha3 import keccak_256

from ledger.errors import InputError

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.json"
FORMAT = "rewards-ledger/rules@1"


class RulesError(InputError):
    """A rules document that is not valid: refused before anything is computed or sent."""


@dataclass(frozen=True)
class RulesDocument:
    """A validated document, its canonical bytes and their keccak256."""

    data: dict[str, Any]
    canonical: bytes
    hash: bytes

    @property
    def hash_hex(self) -> str:
        return "0x" + self.hash.hex()


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def canonical_bytes(data: Any) -> bytes:
    """RFC 8785 (JSON Canonicalization Scheme) bytes of a document."""
    import rfc8785

    return bytes(rfc8785.dumps(data))


def parse_rules(text: str, source: str = "rules") -> RulesDocument:
    """Parses and validates a rules document's JSON text."""
    try:
        data = json.loads(
            text, parse_float=_no_float, parse_constant=_no_float, object_pairs_hook=_no_duplicates
        )
    except RulesError:
        raise
    except ValueError as exc:
        raise RulesError(f"{source}: not valid JSON: {exc}") from exc
    return validate_rules(data, source)


def load_rules(path: Path) -> RulesDocument:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"cannot read the rules file {path}: {exc}") from exc
    return parse_rules(text, str(path))


def validate_rules(data: Any, source: str = "rules") -> RulesDocument:
    """Checks a parsed document against the schema and its own declarations."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema()).iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the document"
        raise RulesError(f"{source}: at {where}: {error.message}")
    _check_consistency(data, source)
    canonical = canonical_bytes(data)
    return RulesDocument(data, canonical, keccak_256(canonical).digest())


def _check_consistency(data: dict[str, Any], source: str) -> None:
    categories, events = set(data["categories"]), set(data["events"])
    tiers = [tier["name"] for tier in data.get("tiers", [])]
    if len(set(tiers)) != len(tiers):
        raise RulesError(f"{source}: at tiers: a tier name is used twice")
    seen: set[str] = set()
    for index, rule in enumerate(data["rules"]):
        where = f"{source}: at rules/{index}"
        if rule["id"] in seen:
            raise RulesError(f"{where}: the rule id {rule['id']!r} is used twice")
        seen.add(rule["id"])
        kind = rule["kind"]
        if kind == "cashback" and int(rule["cap"]) < int(rule["min"]):
            raise RulesError(f"{where}: cap {rule['cap']} is below the minimum {rule['min']}")
        if kind == "fixed_bonus" and rule["event"] not in events:
            raise RulesError(f"{where}: event {rule['event']!r} is not declared in events")
        if kind == "points":
            if int(rule["per"]) == 0:
                raise RulesError(f"{where}: per must be positive")
            unknown = sorted(set(rule["weights_bp"]) - categories)
            if unknown:
                raise RulesError(f"{where}: weights name undeclared categories: {', '.join(unknown)}")


def _no_float(text: str) -> Any:
    raise RulesError(
        f"rules: {text} is not an integer: amounts are decimal strings, percentages integer basis points"
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise RulesError(f"rules: the key {key!r} appears twice in one object")
        result[key] = value
    return result
