"""The player page in a real Chromium, over a mirror indexed from a real anvil, verifying against it."""

from __future__ import annotations

import json

import pytest
from eth_utils.crypto import keccak
from playwright.sync_api import Page
from sqlalchemy import delete, update

from ledger.artifact import ARTIFACT_PATH
from ledger.db import tables as t
from ledger.encoding import bytes_to_text, text_to_bytes
from ledger.events import event_topic
from ledger.ops.entries import issue_one
from ledger.terms import save_terms, terms_path
from tests.api.world import index_into
from tests.conftest import free_port
from tests.web.conftest import Site
from tests.web.pages import (
    api_history,
    entries_shown,
    open_player,
    open_terms,
    points,
    show_all,
    signed,
    utc,
    verify,
    when,
)

pytestmark = pytest.mark.slow  # a browser on the served pages


def test_the_page_shows_the_same_balance_and_history_as_the_api(page: Page, site: Site) -> None:
    open_player(page, site, "alice")
    balance = site.api(f"/v1/players/{site.world.key('alice')}/balance")
    for key in ("available", "earned", "paid", "reversed", "expired"):
        assert page.inner_text(f"#{key}") == points(balance[key])
    as_of = page.text_content("#balance-proof [data-field=as-of-block]") or ""
    assert as_of.startswith(f"{balance['as_of_block']} ")  # in the proof, with the block's hash

    first_page = entries_shown(page)
    assert len(first_page) == 20 and page.locator("#more").is_visible()  # one page, then paging
    show_all(page)
    shown = entries_shown(page)
    expected = api_history(site, "alice")
    assert len(expected) == balance["entries"] > 20
    assert [e["seq"] for e in shown] == [e["seq"] for e in expected]  # newest first, no gaps or repeats
    for row, e in zip(shown, expected, strict=True):
        v = e["verification"]
        assert row["kind"] == e["kind"]
        assert row["amount"] == e["amount"]
        assert row["amount_text"] == signed(e["kind"], points(e["amount"]))
        assert row["campaign"] == e["campaign"]
        assert row["reference"] == (f"entry #{e['reward_seq']}" if e["kind"] == "reversed" else e["ref_text"])
        assert row["time"] == when(e["block_time"])
        assert row["recorded"] == utc(e["block_time"])
        assert row["sender"] == e["sender"]
        assert (row["block"], row["tx"], row["log"]) == (
            str(v["block_number"]),
            v["tx_hash"],
            str(v["log_index"]),
        )
        batch = e["batch_id"] and f"{bytes_to_text(bytes.fromhex(e['batch_id'][2:]))}, row {v['batch_index']}"
        assert row["batch"] == batch
        assert row["status"] == "verified"  # checked against the node as soon as shown


def test_verify_marks_every_entry_of_every_kind_verified_against_the_node(page: Page, site: Site) -> None:
    open_player(page, site, "alice")
    show_all(page)
    summary = verify(page)
    shown = entries_shown(page)
    assert {row["kind"] for row in shown} == {"issued", "paid", "reversed", "expired"}
    assert any(row["batch"] for row in shown) and any(
        row["kind"] == "issued" and not row["batch"] for row in shown
    )
    assert all(row["status"] == "verified" for row in shown), [
        r["check"] for r in shown if r["status"] != "verified"
    ]
    assert summary == f"Your balance and all {len(shown)} entries match the chain."
    assert page.get_attribute("#balance-check", "data-status") == "verified"
    assert (
        page.inner_text("#history-check")
        == "Your whole history adds up to your balance and to everything you earned."
    )
    node = page.get_attribute("#check-proof [data-field=node] code", "data-full") or ""
    assert node.rstrip("/") == site.rpc


def test_an_amount_tampered_in_sql_marks_that_entry_failed_and_only_that_one(
    page: Page, tampered_site: Site
) -> None:
    site = tampered_site
    target = next(e for e in api_history(site, "alice") if e["ref_text"] == "cb5-alice")
    with site.engine.begin() as conn:
        conn.execute(update(t.entries).where(t.entries.c.seq == target["seq"]).values(amount=9_999))
    open_player(page, site, "alice")
    show_all(page)
    summary = verify(page)
    shown = {row["seq"]: row for row in entries_shown(page)}
    lied = shown.pop(target["seq"])
    assert lied["amount"] == "9999"  # the page shows what the API claims...
    assert lied["status"] == "failed"  # ...and the chain refutes it
    assert f"amount is 9999 here but {target['amount']} on chain" in lied["check"]
    assert all(row["status"] == "verified" for row in shown.values())
    assert summary.startswith(f"1 of your {len(shown) + 1} entries does not match the chain.")


def test_an_entry_dropped_from_the_mirror_leaves_a_history_that_does_not_add_up(
    page: Page, tampered_site: Site
) -> None:
    site = tampered_site
    dropped = next(e for e in api_history(site, "alice") if e["ref_text"] == "cb7-alice")
    with site.engine.begin() as conn:
        conn.execute(delete(t.entries).where(t.entries.c.seq == dropped["seq"]))
    open_player(page, site, "alice")
    show_all(page)
    summary = verify(page)
    shown = entries_shown(page)
    assert dropped["seq"] not in {row["seq"] for row in shown}
    assert all(row["status"] == "verified" for row in shown)  # every entry shown is true...
    assert summary.endswith("but they do not add up to your balance.")  # ...but one is missing
    earned = int(site.api(f"/v1/players/{site.world.key('alice')}/balance")["earned"])
    assert page.get_attribute("#history-check", "data-status") == "failed"
    assert (
        f"its rewards add up to {earned - int(dropped['amount'])}, but the contract says {earned}"
        in page.inner_text("#history-check")
    )


def test_a_balance_altered_in_sql_fails_against_the_contract(page: Page, tampered_site: Site) -> None:
    site = tampered_site
    key = site.world.key("alice")
    available = int(site.api(f"/v1/players/{key}/balance")["available"])
    with site.engine.begin() as conn:
        conn.execute(update(t.players).where(t.players.c.player == key).values(balance=available + 1_000))
    open_player(page, site, "alice")
    assert page.inner_text("#available") == points(available + 1_000)
    summary = verify(page)
    assert summary.endswith("the chain, but your balance does not.")
    assert page.get_attribute("#balance-check", "data-status") == "failed"
    assert f"available is {available + 1_000} here but {available} in the contract" in page.inner_text(
        "#balance-check"
    )


def test_entries_that_arrive_while_the_page_is_open_are_announced_and_shown_on_request(
    page: Page, tampered_site: Site, site: Site
) -> None:
    # `site` is asked for so that the shared mirror exists before this test adds to the chain.
    world = tampered_site.world
    page.clock.install()  # the page's timers run when the test says
    open_player(page, tampered_site, "carol")
    before = entries_shown(page)
    assert page.locator("#fresh").is_hidden()
    assert world.sender is not None
    issue_one(
        world.client,
        world.sender,
        world.campaigns["welcome"],
        world.players["carol"],
        77,
        text_to_bytes("late-carol"),
    )
    index_into(world, tampered_site.url)
    page.clock.run_for(9_000)
    assert page.locator("#fresh").is_hidden()
    page.clock.run_for(1_500)  # the page looks every 10 s
    page.wait_for_selector("#fresh:not([hidden])")
    assert page.inner_text("#fresh-text") == "1 new entry has arrived."
    page.click("#fresh-show")
    page.locator("li.entry").nth(len(before)).wait_for()
    newest = entries_shown(page)[0]
    assert (newest["reference"], newest["amount"]) == ("late-carol", "77")
    assert page.locator("#fresh").is_hidden()


def test_campaign_terms_open_from_an_entry_and_match_the_hash_on_chain(page: Page, site: Site) -> None:
    open_player(page, site, "alice")
    show_all(page)
    welcome = next(row for row in entries_shown(page) if row["campaign"] == "welcome")
    verdict = open_terms(page, welcome["seq"])
    assert verdict == "These terms match the hash committed on chain."
    terms = site.world.terms["welcome"]
    assert page.inner_text("#terms-text") == terms.decode()
    assert (
        page.get_attribute("#terms-chain-hash", "data-full")
        == page.get_attribute("#terms-text-hash", "data-full")
        == "0x" + keccak(terms).hex()
    )


def test_terms_the_api_swapped_for_other_text_show_as_not_matching_the_chain(
    page: Page, tampered_site: Site
) -> None:
    site = tampered_site
    altered = site.world.terms["welcome"].replace(b"500 credits", b"50 credits")
    kept = save_terms(site.world.terms_dir, altered)  # the API keeps other terms and claims their hash
    try:
        with site.engine.begin() as conn:
            conn.execute(
                update(t.campaigns)
                .where(t.campaigns.c.campaign_id == "0x" + site.world.campaigns["welcome"].hex())
                .values(terms_hash="0x" + keccak(altered).hex())
            )
        open_player(page, site, "alice")
        show_all(page)
        welcome = next(row for row in entries_shown(page) if row["campaign"] == "welcome")
        assert open_terms(page, welcome["seq"]) == "These terms do NOT match the hash committed on chain."
        assert "50 credits" in page.inner_text("#terms-text")
        assert (
            page.get_attribute("#terms-chain-hash", "data-full")
            == "0x" + keccak(site.world.terms["welcome"]).hex()
        )
        assert page.get_attribute("#terms-status", "data-status") == "failed"
    finally:
        kept.unlink()


def test_a_kept_terms_file_changed_on_disk_is_not_passed_off_as_matching(page: Page, site: Site) -> None:
    original = site.world.terms["cashback"]
    path = terms_path(site.world.terms_dir, keccak(original))
    path.write_bytes(original + b"4. Cashback may be withdrawn at any time.\n")
    try:
        open_player(page, site, "alice")
        cashback = next(row for row in entries_shown(page) if row["campaign"] == "cashback")
        verdict = open_terms(page, cashback["seq"])
    finally:
        path.write_bytes(original)
    assert page.get_attribute("#terms-status", "data-status") == "unavailable"
    assert verdict.startswith("No terms text matching the chain is served here")
    assert page.inner_text("#terms-text") == ""


def test_a_node_that_cannot_be_reached_fails_the_check_and_says_why(page: Page, site: Site) -> None:
    open_player(page, site, "bob")
    page.click("#node-settings summary")
    page.fill("#rpc-url", f"http://127.0.0.1:{free_port()}")
    summary = verify(page)
    assert summary.startswith("Could not check: the node at http://127.0.0.1:")
    assert "unreachable" in summary
    assert all(row["status"] == "unchecked" for row in entries_shown(page))


def test_an_unknown_player_key_is_told_so(page: Page, site: Site) -> None:
    page.goto(f"{site.base}/?player=0x{'ab' * 32}")
    page.wait_for_selector("body[data-ready=true]")
    assert page.inner_text("#message") == "This player key has no entries in the ledger yet."
    assert page.locator("#history").is_hidden()


def test_the_page_computes_the_same_topics_and_selectors_as_the_compiled_artifact(
    page: Page, site: Site
) -> None:
    page.goto(site.base)
    page.wait_for_selector("body[data-ready=true]")
    abi = page.evaluate(
        "async () => { const m = await import('/web/ledger.js'); return [m.TOPICS, m.SELECTORS]; }"
    )
    topics, selectors = abi
    assert topics == {name: "0x" + event_topic(name).hex() for name in topics}
    assert len(topics) == 5
    identifiers = json.loads(ARTIFACT_PATH.read_text())["methodIdentifiers"]
    signatures = {
        "campaignOf": "campaignOf(bytes32)",
        "playerOf": "playerOf(bytes32)",
        "totals": "totals()",
        "chainState": "chainState()",
    }
    assert selectors == {name: "0x" + identifiers[sig] for name, sig in signatures.items()}
