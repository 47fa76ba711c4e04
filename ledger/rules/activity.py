"""The period's activity file: one CSV row per player, read against a rules document.

Columns: `player` (0x and 64 hex digits), `wager_<category>` for every category the rules
declare, and optionally `deposits`, `first_deposit`, `wins`, `carried_wager`, `rank` (integers,
empty meaning 0), `tier` (a tier name from the rules, or empty), `events` (event names from the
rules, separated by `;`) and `salt` (0x and 64 hex digits; `ledger period compute` draws one for a
player without it and writes the file back with them). Any other column, a repeated player, a
negative or non-integer figure: refused, naming the line.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ledger.errors import InputError
from ledger.rules.engine import Activity

NUMBERS = ("deposits", "first_deposit", "wins", "carried_wager", "rank")
OPTIONAL = (*NUMBERS, "tier", "events", "salt")
MAX_FIGURE = 10**30


class PlayerActivity(NamedTuple):
    player: bytes
    activity: Activity
    salt: bytes


class ActivityError(InputError):
    """An activity file that cannot be read as the rules need it."""


def read_activity(path: Path, doc: Mapping[str, Any], draw_salts: bool = True) -> list[PlayerActivity]:
    """Every player's activity; raises one ActivityError naming the first bad line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(_rows(path, csv.reader(handle), doc, draw_salts))
    except (OSError, UnicodeDecodeError) as exc:
        raise ActivityError(f"cannot read the activity file {path}: {exc}") from exc
    except csv.Error as exc:
        raise ActivityError(f"{path}: not a valid CSV file: {exc}") from exc


class _Layout(NamedTuple):
    """Where each figure sits in a row (None: the column is absent, the figure 0 or empty)."""

    width: int
    player: int
    numbers: list[tuple[str, int | None]]
    tier: int | None
    events: int | None
    salt: int | None
    wagers: list[int]


def _rows(path: Path, reader: Any, doc: Mapping[str, Any], draw_salts: bool) -> Iterator[PlayerActivity]:
    header = next(reader, None)
    if header is None:
        raise ActivityError(f"{path}: the file is empty")
    columns = _columns(path, [name.strip().lower() for name in header], doc)
    layout = _Layout(
        len(columns), columns["player"], [(name, columns.get(name)) for name in NUMBERS], columns.get("tier"),
        columns.get("events"), columns.get("salt"), [columns[f"wager_{c}"] for c in doc["categories"]],
    )  # fmt: skip
    tiers = {tier["name"]: index + 1 for index, tier in enumerate(doc.get("tiers", []))}
    events = {name: 1 << index for index, name in enumerate(doc["events"])}
    seen: set[bytes] = set()
    for line, values in enumerate(reader, start=2):
        if not values:
            continue
        try:
            row = _row(values, layout, tiers, events, draw_salts)
        except (InputError, ValueError) as exc:
            raise ActivityError(f"{path} line {line}: {exc}") from None
        if row.player in seen:
            raise ActivityError(f"{path} line {line}: player 0x{row.player.hex()} appears twice")
        seen.add(row.player)
        yield row


def _columns(path: Path, header: list[str], doc: Mapping[str, Any]) -> dict[str, int]:
    wanted = ["player", *(f"wager_{category}" for category in doc["categories"])]
    unknown = [name for name in header if name not in wanted and name not in OPTIONAL]
    if unknown:
        raise ActivityError(f"{path}: unknown column(s) {', '.join(unknown)}; the rules know {', '.join(wanted + list(OPTIONAL))}")  # fmt: skip
    missing = [name for name in wanted if name not in header]
    if missing:
        raise ActivityError(f"{path}: missing column(s) {', '.join(missing)}")
    if len(set(header)) != len(header):
        raise ActivityError(f"{path}: a column appears twice")
    return {name: index for index, name in enumerate(header)}


def _row(
    values: list[str], layout: _Layout, tiers: dict[str, int], events: dict[str, int], draw_salts: bool
) -> PlayerActivity:
    if len(values) != layout.width:
        raise ActivityError(f"{len(values)} fields where the header has {layout.width}")
    player = _word(values[layout.player].strip(), "player")
    deposits, first, wins, carried, rank = (
        0 if index is None else _figure(values[index].strip(), name) for name, index in layout.numbers
    )
    tier_name = "" if layout.tier is None else values[layout.tier].strip()
    if tier_name and tier_name not in tiers:
        raise ActivityError(f"tier {tier_name!r} is not one of the rules' tiers")
    mask = 0
    if layout.events is not None:
        for name in filter(None, (part.strip() for part in values[layout.events].split(";"))):
            if name not in events:
                raise ActivityError(f"event {name!r} is not one of the rules' events")
            mask |= events[name]
    salt_text = "" if layout.salt is None else values[layout.salt].strip()
    if not salt_text and not draw_salts:
        raise ActivityError("the salt is missing: recomputing needs the salts the period was committed with")
    salt = _word(salt_text, "salt") if salt_text else secrets.token_bytes(32)
    wagers = tuple([_figure(values[index].strip(), "wager") for index in layout.wagers])
    activity = Activity(deposits, first, wins, carried, tiers.get(tier_name, 0), rank, mask, wagers)
    return PlayerActivity(player, activity, salt)


def _figure(text: str, name: str) -> int:
    if len(text) < 31 and text.isdigit() and text.isascii():
        return int(text)  # the common case: below MAX_FIGURE by its length
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):
        raise ActivityError(f"{name} {text[:40]!r} is not a non-negative integer")
    value = int(text)
    if value > MAX_FIGURE:
        raise ActivityError(f"{name} {text[:40]} is larger than {MAX_FIGURE}")
    return value


def _word(text: str, name: str) -> bytes:
    body = text[2:] if text[:2] in ("0x", "0X") else ""
    if len(body) != 64:
        raise ActivityError(f"{name} {text[:70]!r} is not 0x and 64 hex digits")
    try:
        return bytes.fromhex(body)
    except ValueError:
        raise ActivityError(f"{name} {text[:70]!r} is not 0x and 64 hex digits") from None


def write_activity(path: Path, rows: list[PlayerActivity], doc: Mapping[str, Any]) -> None:
    """The activity file with every player's salt, as the auditor recomputes from it."""
    tiers = [tier["name"] for tier in doc.get("tiers", [])]
    header = ["player", *NUMBERS, "tier", "events", *(f"wager_{c}" for c in doc["categories"]), "salt"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            a = row.activity
            names = [name for bit, name in enumerate(doc["events"]) if a.events >> bit & 1]
            writer.writerow(
                ["0x" + row.player.hex(), a.deposits, a.first_deposit, a.wins, a.carried_wager, a.rank,
                 tiers[a.tier - 1] if a.tier else "", ";".join(names), *a.wagers, "0x" + row.salt.hex()]
            )  # fmt: skip
