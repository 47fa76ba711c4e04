"""The ledger's own pause keeps OpenZeppelin Pausable's outward behaviour: names, selectors,
topics, events with the caller, and the order of its checks."""

from __future__ import annotations

import secrets
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ledger.artifact import role_id
from ledger.chain.sender import Sender
from ledger.events import decode_log
from ledger.ops.entries import set_paused
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import expect_revert, rows

# Pausable 5.x: error EnforcedPause(), error ExpectedPause(), event Paused(address), Unpaused(address)
ENFORCED_PAUSE = bytes.fromhex("d93c0665")
EXPECTED_PAUSE = bytes.fromhex("8dfc202b")


def raw_revert(ledger: LedgerHarness, data: bytes) -> bytes:
    """The revert data of an eth_call from the operator, straight from the node."""
    call = {"from": ledger.account.address, "to": ledger.client.address, "data": "0x" + data.hex()}
    reply: Any = ledger.w3.provider.make_request("eth_call", [call, "latest"])  # type: ignore[arg-type]
    return bytes.fromhex(str(reply["error"]["data"]).removeprefix("0x"))


def test_pause_and_unpause_emit_paused_and_unpaused_with_the_caller(ledger: LedgerHarness) -> None:
    assert ledger.client.paused() is False
    paused = set_paused(ledger.client, ledger.sender, True)
    assert ledger.client.paused() is True
    unpaused = set_paused(ledger.client, ledger.sender, False)
    assert ledger.client.paused() is False

    for receipt, name in ((paused, "Paused"), (unpaused, "Unpaused")):
        (log,) = receipt.logs
        assert bytes.fromhex(str(log["topics"][0]).removeprefix("0x")) == keccak(text=f"{name}(address)")
        event = decode_log(log)
        assert (event.name, event.args["account"]) == (name, ledger.account.address.lower())


def test_pausing_twice_or_unpausing_twice_is_refused_with_pausables_selectors(
    ledger: LedgerHarness,
) -> None:
    assert raw_revert(ledger, ledger.client.encode("unpause")) == EXPECTED_PAUSE
    expect_revert(lambda: set_paused(ledger.client, ledger.sender, False), "ExpectedPause")
    set_paused(ledger.client, ledger.sender, True)
    assert raw_revert(ledger, ledger.client.encode("pause")) == ENFORCED_PAUSE
    expect_revert(lambda: set_paused(ledger.client, ledger.sender, True), "EnforcedPause")
    assert ledger.client.paused() is True


def test_a_paused_ledger_refuses_an_entry_before_checking_its_arguments(ledger: LedgerHarness) -> None:
    cid = ledger.campaign()
    set_paused(ledger.client, ledger.sender, True)
    zero = b"\x00" * 32
    malformed = [
        ledger.client.encode("issue", cid, zero, 0, zero),
        ledger.client.encode("issueBatch", zero, cid, b""),
        ledger.client.encode("recordPayout", zero, 0, zero),
        ledger.client.encode("expire", zero, 0, zero, zero),
        ledger.client.encode("reverse", (zero, cid, 1, b"", 0), 0, zero),
    ]
    for data in malformed:
        assert raw_revert(ledger, data) == ENFORCED_PAUSE


def test_the_role_is_checked_before_the_pause(ledger: LedgerHarness, stranger: LocalAccount) -> None:
    cid = ledger.campaign()
    set_paused(ledger.client, ledger.sender, True)
    outsider = Sender(ledger.w3, stranger)
    data = ledger.client.encode("issueBatch", secrets.token_bytes(32), cid, b"\x01" * 64)
    expect_revert(
        lambda: outsider.transact(ledger.client.address, data),
        "AccessControlUnauthorizedAccount", account=stranger.address, neededRole=role_id("issuer"),
    )  # fmt: skip


def test_views_answer_while_paused_and_entries_resume_after(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), random_player()
    ledger.issue(cid, player, 30)
    set_paused(ledger.client, ledger.sender, True)
    assert ledger.client.player(player).balance == 30
    assert ledger.client.chain_state()[0] == 1
    set_paused(ledger.client, ledger.sender, False)
    ledger.issue_batch(cid, rows(2, players=[player, random_player()]))
    assert ledger.client.chain_state()[0] == 3
    assert ledger.client.player(player).balance == 130
