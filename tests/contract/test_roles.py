"""Every state-changing function is gated by its role; admins manage roles."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from ledger.artifact import load_artifact, role_id
from ledger.chain.client import LedgerClient
from ledger.chain.sender import Sender
from ledger.encoding import pack_rows, text_to_bytes
from ledger.ops.entries import set_role
from tests.conftest import LedgerHarness, random_player
from tests.contract.conftest import expect_revert, rows

ADMIN, ISSUER, PAYER, PAUSER = (role_id(n) for n in ("admin", "issuer", "payer", "pauser"))

Call = Callable[[LedgerClient, bytes], bytes]

GATES: dict[str, tuple[bytes, Call]] = {
    "createCampaign": (
        ADMIN,
        lambda c, cid: c.encode("createCampaign", text_to_bytes("x"), 1, b"\x00" * 32, 1, 2),
    ),
    "closeCampaign": (ADMIN, lambda c, cid: c.encode("closeCampaign", cid)),
    "grantRole": (ADMIN, lambda c, cid: c.encode("grantRole", ISSUER, c.address)),
    "revokeRole": (ADMIN, lambda c, cid: c.encode("revokeRole", ISSUER, c.address)),
    "issue": (ISSUER, lambda c, cid: c.encode("issue", cid, random_player(), 1, text_to_bytes("r"))),
    "issueBatch": (
        ISSUER,
        lambda c, cid: c.encode("issueBatch", secrets.token_bytes(32), cid, pack_rows(rows(2))),
    ),
    "reverse": (
        ISSUER,
        lambda c, cid: c.encode("reverse", (text_to_bytes("r"), cid, 1, b"p" * 64, 0), 1, b"\x00" * 32),
    ),
    "expire": (
        ISSUER,
        lambda c, cid: c.encode("expire", random_player(), 1, text_to_bytes("e"), b"\x00" * 32),
    ),
    "recordPayout": (PAYER, lambda c, cid: c.encode("recordPayout", random_player(), 1, text_to_bytes("p"))),
    "pause": (PAUSER, lambda c, cid: c.encode("pause")),
}


@pytest.mark.parametrize("function", sorted(GATES))
def test_a_stranger_is_refused_by_every_gated_function(
    ledger: LedgerHarness, stranger: LocalAccount, function: str
) -> None:
    role, call = GATES[function]
    cid = ledger.campaign()
    outsider = Sender(ledger.w3, stranger)
    data = call(ledger.client, cid)
    expect_revert(
        lambda: outsider.transact(ledger.client.address, data),
        "AccessControlUnauthorizedAccount", account=stranger.address, neededRole=role,
    )  # fmt: skip


def test_unpause_is_gated_by_the_pauser_role(ledger: LedgerHarness, stranger: LocalAccount) -> None:
    ledger.sender.transact(ledger.client.address, ledger.client.encode("pause"))
    expect_revert(
        lambda: Sender(ledger.w3, stranger).transact(ledger.client.address, ledger.client.encode("unpause")),
        "AccessControlUnauthorizedAccount", account=stranger.address, neededRole=PAUSER,
    )  # fmt: skip


def test_a_granted_role_opens_its_gate_and_revoking_closes_it(
    ledger: LedgerHarness, stranger: LocalAccount
) -> None:
    cid = ledger.campaign()
    payer = Sender(ledger.w3, stranger)
    set_role(ledger.client, ledger.sender, "issuer", stranger.address, granted=True)
    assert ledger.client.has_role("issuer", stranger.address)
    payer.transact(
        ledger.client.address, ledger.client.encode("issue", cid, random_player(), 5, text_to_bytes("ok"))
    )
    set_role(ledger.client, ledger.sender, "issuer", stranger.address, granted=False)
    assert not ledger.client.has_role("issuer", stranger.address)
    expect_revert(
        lambda: payer.transact(ledger.client.address, ledger.client.encode("issue", cid, random_player(), 5, text_to_bytes("no"))),
        "AccessControlUnauthorizedAccount", neededRole=ISSUER,
    )  # fmt: skip


def test_pause_stops_every_kind_of_entry(ledger: LedgerHarness) -> None:
    cid, player = ledger.campaign(), random_player()
    ledger.issue(cid, player, 100, ref="before-pause")
    ledger.sender.transact(ledger.client.address, ledger.client.encode("pause"))
    calls = [
        ledger.client.encode("issue", cid, player, 1, text_to_bytes("a")),
        ledger.client.encode("issueBatch", secrets.token_bytes(32), cid, pack_rows(rows(1))),
        ledger.client.encode("recordPayout", player, 1, text_to_bytes("b")),
        ledger.client.encode("expire", player, 1, text_to_bytes("c"), b"\x00" * 32),
        ledger.client.encode(
            "reverse",
            (text_to_bytes("before-pause"), cid, 1, player + (100).to_bytes(32, "big"), 0),
            1,
            b"\x00" * 32,
        ),
    ]
    for data in calls:
        expect_revert(lambda d=data: ledger.sender.transact(ledger.client.address, d), "EnforcedPause")
    assert ledger.client.chain_state()[0] == 1


def test_renouncing_a_role_needs_the_callers_own_address(
    ledger: LedgerHarness, stranger: LocalAccount
) -> None:
    renounce_for_stranger = ledger.client.encode("renounceRole", PAUSER, stranger.address)
    expect_revert(
        lambda: ledger.sender.transact(ledger.client.address, renounce_for_stranger),
        "AccessControlBadConfirmation",
    )
    assert ledger.client.has_role("pauser", ledger.account.address)
    ledger.sender.transact(
        ledger.client.address, ledger.client.encode("renounceRole", PAUSER, ledger.account.address)
    )
    assert not ledger.client.has_role("pauser", ledger.account.address)


def test_every_error_in_the_abi_is_expected_by_some_contract_test() -> None:
    tests = Path(__file__).parent.parent
    files = [*tests.glob("contract/test_*.py"), *tests.glob("cashout/test_*.py")]
    sources = "".join(path.read_text(encoding="utf-8") for path in files)
    errors = {item["name"] for item in load_artifact().abi if item["type"] == "error"}
    assert {"EnforcedPause", "ExpectedPause", "AccessControlUnauthorizedAccount"} <= errors
    assert {name for name in errors if f'"{name}"' not in sources} == set()
