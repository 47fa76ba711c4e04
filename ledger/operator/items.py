"""What the operator API accepts, validated with the same rules as the `ledger` command.

A reward row is checked by `ledger.ops.csvfile.parse_row` (the batch file's rules: a 20-byte
reference, an amount below 2^96); a payout or an expiry as `ledger payout` / `ledger expire`
check theirs (a 32-byte reference, an amount below 2^128). Every problem of a request is
reported at once, each naming its field and, for many rows, its row.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.crypto import keccak

from ledger.encoding import (
    MAX_ROW_AMOUNT,
    bytes_to_text,
    parse_amount,
    parse_player_key,
    row_ref_word,
    text_to_bytes,
)
from ledger.errors import InputError
from ledger.inputs import MAX_DEBIT, check_window, parse_count, parse_time
from ledger.ops.csvfile import parse_row

KINDS = ("reward", "payout", "expiry", "reversal", "campaign", "close")
NAMESPACES = {"reward": "reward", "payout": "debit", "expiry": "debit", "reversal": "reversal",
              "campaign": "campaign", "close": "close"}  # fmt: skip
NO_PLAYER = b"\x00" * 32  # a reversal's player is the reward's, found when it is sent
MAX_ROWS = 5_000


@dataclass(frozen=True)
class Item:
    """One write to accept: its kind, its 32-byte reference word and its content."""

    kind: str
    ref: bytes
    player: bytes
    amount: int
    campaign_id: bytes | None = None
    reason: bytes | None = None
    terms_hash: bytes | None = None  # a campaign's
    window: tuple[int, int] | None = None  # a campaign's start and end

    @property
    def namespace(self) -> str:
        """Rewards share one namespace on chain; payouts and expiries share `referenceOf`."""
        return NAMESPACES[self.kind]

    @property
    def reference(self) -> str:
        return bytes_to_text(self.ref)


class ItemsInvalid(InputError):
    """A request with invalid fields; `problems` names each field (and row)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} invalid field(s), nothing was accepted: {problems[0]}")


def _field(problems: list[str], where: str, name: str, parse: object, *args: object) -> object:
    try:
        return parse(*args)  # type: ignore[operator]
    except InputError as exc:
        problems.append(f"{where}{name}: {exc}")
        return None


def reward_items(campaign: str, rows: list[tuple[str, str, str]]) -> list[Item]:
    """Reward rows (player, amount, reference) of one campaign; repeats in one request refused."""
    problems: list[str] = []
    cid = _field(problems, "", "campaign", text_to_bytes, campaign, 32, "campaign id")
    if not 1 <= len(rows) <= MAX_ROWS:
        problems.append(f"rows: give 1 to {MAX_ROWS} rows, not {len(rows)}")
    items: list[Item] = []
    seen: dict[bytes, int] = {}
    for index, (player, amount, reference) in enumerate(rows[:MAX_ROWS]):
        try:
            row = parse_row(player, amount, reference)
        except InputError as exc:
            problems.append(f"rows[{index}]: {exc}")
            continue
        word = row_ref_word(row.ref)
        if word in seen:
            problems.append(f"rows[{index}].reference: {bytes_to_text(row.ref)!r} repeats rows[{seen[word]}]")
            continue
        seen[word] = index
        items.append(Item("reward", word, row.player, row.amount, cid if isinstance(cid, bytes) else None))
    if problems:
        raise ItemsInvalid(problems)
    return items


def debit_item(kind: str, player: str, amount: str, reference: str, reason: str | None = None) -> Item:
    """A payout or an expiry (which needs a reason), checked as `ledger payout` / `expire` do."""
    problems: list[str] = []
    key = _field(problems, "", "player", parse_player_key, player)
    value = _field(problems, "", "amount", parse_amount, amount, MAX_DEBIT)
    ref = _field(problems, "", "reference", text_to_bytes, reference, 32, "reference")
    why = None
    if kind == "expiry":
        why = _field(problems, "", "reason", text_to_bytes, reason or "", 32, "reason")
    if problems:
        raise ItemsInvalid(problems)
    assert isinstance(key, bytes) and isinstance(value, int) and isinstance(ref, bytes)
    return Item(kind, ref, key, value, None, why if isinstance(why, bytes) else None)


def reversal_item(reward_seq: str, amount: str, reason: str) -> Item:
    """Taking back `amount` of reward `reward_seq`, checked as `ledger reverse` does; the reward's
    sequence number is the reference (a reward is reversed once)."""
    problems: list[str] = []
    seq = _field(problems, "", "reward_seq", parse_count, reward_seq, "sequence number")
    value = _field(problems, "", "amount", parse_amount, amount, MAX_ROW_AMOUNT)
    why = _field(problems, "", "reason", text_to_bytes, reason, 32, "reason")
    if problems:
        raise ItemsInvalid(problems)
    assert isinstance(seq, int) and isinstance(value, int) and isinstance(why, bytes)
    return Item("reversal", seq.to_bytes(32, "big"), NO_PLAYER, value, None, why)


MAX_TERMS = 64 * 1024


def _absolute(value: str) -> int:
    """A time as unix seconds or ISO-8601 with a zone: a retry must carry the same content, so
    `now` and `+30d` (which `ledger campaign create` takes) are refused here."""
    if value.strip().startswith(("now", "+")):
        raise InputError(f"time {value[:40]!r} is relative: give unix seconds or ISO-8601 with a zone")
    return parse_time(value, 0)


def campaign_item(campaign: str, budget: str, terms: str, start: str, end: str) -> Item:
    """A campaign to create, checked as `ledger campaign create` does (the terms as text)."""
    problems: list[str] = []
    cid = _field(problems, "", "campaign", text_to_bytes, campaign, 32, "campaign id")
    amount = _field(problems, "", "budget", parse_amount, budget, MAX_DEBIT)
    start_at, end_at = (
        _field(problems, "", name, _absolute, value) for name, value in (("start", start), ("end", end))
    )
    text = terms.encode("utf-8", "surrogatepass")
    if not terms.strip() or len(text) > MAX_TERMS:
        problems.append(f"terms: give the terms text, 1 byte to {MAX_TERMS // 1024} KiB")
    if isinstance(start_at, int) and isinstance(end_at, int):
        _field(problems, "", "end", check_window, start_at, end_at)
    if problems:
        raise ItemsInvalid(problems)
    assert isinstance(cid, bytes) and isinstance(amount, int)
    assert isinstance(start_at, int) and isinstance(end_at, int)
    return Item("campaign", cid, NO_PLAYER, amount, cid, None, keccak(text), (start_at, end_at))


def close_item(campaign: str) -> Item:
    problems: list[str] = []
    cid = _field(problems, "", "campaign", text_to_bytes, campaign, 32, "campaign id")
    if problems:
        raise ItemsInvalid(problems)
    assert isinstance(cid, bytes)
    return Item("close", cid, NO_PLAYER, 0, cid)
