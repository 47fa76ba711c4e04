"""Helpers for the contract tests: expect a named revert, build rows and proofs."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.errors import ContractRevert
from ledger.events import decode_log
from ledger.ops.lookup import RewardProof
from tests.conftest import LedgerHarness


def expect_revert(action: Callable[[], Any], name: str, **args: Any) -> ContractRevert:
    """Runs `action`, which must be refused with the custom error `name` and these arguments."""
    with pytest.raises(ContractRevert) as info:
        action()
    assert info.value.name == name, f"expected {name}, got {info.value}"
    for key, value in args.items():
        assert info.value.args_by_name[key] == value, (
            f"{name}.{key}: {info.value.args_by_name[key]!r} != {value!r}"
        )
    return info.value


def rows(count: int, amount: int = 100, players: list[bytes] | None = None) -> list[Row]:
    players = players or [secrets.token_bytes(32) for _ in range(count)]
    return [Row(players[i], amount + i, text_to_bytes(f"row-{i}", 20)) for i in range(count)]


def events_of(ledger: LedgerHarness, receipt_logs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [
        decoded.args
        for decoded in (
            decode_log(raw) for raw in receipt_logs if raw["address"].lower() == ledger.client.address.lower()
        )
        if decoded.name == name
    ]


def batch_proof(
    batch_id: bytes, campaign: bytes, first_seq: int, batch: list[Row], index: int
) -> RewardProof:
    records = pack_rows(batch)
    return RewardProof(
        batch_id, campaign, first_seq, records, index, batch[index].player, batch[index].amount
    )


def single_proof(ref: bytes, campaign: bytes, seq: int, player: bytes, amount: int) -> RewardProof:
    return RewardProof(ref, campaign, seq, player + amount.to_bytes(32, "big"), 0, player, amount)
