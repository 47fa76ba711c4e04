"""The mirror's entries folded in sequence order into the hash chain, as the contract folded them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from eth_utils.crypto import keccak

from ledger.hashchain import ZERO32, Entry, EntryKind, fold
from ledger.model import BY_NAME

HASHED = 7  # seq, kind, campaign_id, player, amount, ref, aux lead `store.ENTRY_COLUMNS`
HEAD = 10  # the position of `head` in it


def _word(text: str | None) -> bytes:
    """The 32 bytes of a 0x-hex word; anything else (a tampered value) as a word no entry has."""
    if text is None:
        return ZERO32
    try:
        word = bytes.fromhex(text[2:]) if text.startswith("0x") else b""
    except ValueError:
        word = b""
    return word if len(word) == 32 else keccak(text=str(text))


def entry_of(row: Any) -> Entry:
    """The hashed fields of an `entries` row (an unknown kind folds as kind 0)."""
    rule = BY_NAME.get(row.kind)
    kind = rule.kind if rule is not None else cast(EntryKind, 0)
    return Entry(
        row.seq, kind, _word(row.campaign_id), _word(row.player), row.amount, _word(row.ref), _word(row.aux)
    )


@dataclass
class MirrorFold:
    """The head and count of the mirror's entries so far.

    While every entry equals the chain's, the mirror's head is the chain's head after it (equal
    inputs fold to equal heads), so only entries after the first difference are hashed again.
    """

    count: int = 0
    head_hex: str = "0x" + ZERO32.hex()
    in_step: bool = True

    @property
    def head(self) -> bytes:
        return bytes.fromhex(self.head_hex[2:])

    def add(self, row: Any, chain: tuple[Any, ...] | None) -> None:
        """Folds the mirror's `row`; `chain` is the chain's entry of the same seq, if any."""
        self.count += 1
        if self.in_step and chain is not None and tuple(row[:HASHED]) == chain[:HASHED]:
            self.head_hex = chain[HEAD]
        else:
            self.in_step = False
            self.head_hex = "0x" + fold(self.head, entry_of(row)).hex()

    def skip(self) -> None:
        """The chain has an entry the mirror lacks: from here the heads part."""
        self.in_step = False
