"""The ledger's hash chain, recomputed off chain exactly as the contract folds it.

head_n = keccak256(abi.encode(head_{n-1}, n, kind, campaignId, player, amount, ref, aux))
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from sha3 import keccak_256  # safe-pysha3: a third of pycryptodome's cost, on the indexer's hot path

ZERO32 = b"\x00" * 32


class EntryKind(IntEnum):
    ISSUED = 1
    PAID = 2
    REVERSED = 3
    EXPIRED = 4


@dataclass(frozen=True)
class Entry:
    """One ledger entry's hashed fields (see the contract's `EntryKind` for `ref` and `aux`)."""

    seq: int
    kind: EntryKind
    campaign_id: bytes
    player: bytes
    amount: int
    ref: bytes
    aux: bytes = ZERO32


def fold(head: bytes, entry: Entry) -> bytes:
    """The head after `entry`, given the head before it."""
    digest: bytes = keccak_256(
        head
        + entry.seq.to_bytes(32, "big")
        + int(entry.kind).to_bytes(32, "big")
        + entry.campaign_id
        + entry.player
        + entry.amount.to_bytes(32, "big")
        + entry.ref
        + entry.aux
    ).digest()
    return digest


def chain_head(entries: Iterable[Entry], head: bytes = ZERO32) -> bytes:
    """The head after folding `entries` in order onto `head`."""
    for entry in entries:
        head = fold(head, entry)
    return head
