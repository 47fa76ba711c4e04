"""The player page talks to a player: plain words with the proof folded under each entry, a check
against the published node as soon as it opens, right plurals, and one error at a time."""

from __future__ import annotations

import re
import secrets

import pytest
from eth_utils.crypto import keccak
from playwright.sync_api import Page

from ledger.encoding import text_to_bytes
from ledger.ops.entries import issue_one
from tests.api.world import index_into
from tests.conftest import free_port
from tests.web.conftest import WIDTHS, Site
from tests.web.pages import DONE, entries_shown, open_player, points, settle, show_all

pytestmark = pytest.mark.slow  # the player page's words in a browser

# Words of the chain's bookkeeping, which belong in the folded proofs only ("blockchain" is fine).
ENGINEERING = re.compile(r"\b(block|log index|confirmations?|batch|transaction|final yet)\b", re.IGNORECASE)
LONG_HEX = re.compile(r"0x[0-9a-fA-F]{17,}")
ERRORS = ".check[data-status=failed]:visible, #message:visible"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_player_reads_plain_words_and_each_entry_folds_its_proof(
    page: Page, site: Site, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_player(page, site, "alice")
    show_all(page)
    shown = page.inner_text("main")  # what a reader sees: closed proofs are not rendered
    assert not ENGINEERING.findall(shown), ENGINEERING.findall(shown)
    assert not LONG_HEX.findall(shown)
    entries = page.locator("li.entry")
    assert entries.count() == len(entries_shown(page)) > 20
    for i in range(entries.count()):
        proof = entries.nth(i).locator("details.proof")
        assert proof.count() == 1 and proof.get_attribute("open") is None
        for name in ("seq", "block", "tx", "log", "sender"):  # the whole proof is in the fold
            assert proof.locator(f"[data-field={name}]").count() == 1
        assert (
            entries.nth(i)
            .locator("[data-field=block], [data-field=log], [data-field=batch]")
            .evaluate_all("els => els.every(el => el.closest('details.proof'))")
        )
    batch_row = page.locator("li.entry:has([data-field=batch])").first
    batch_row.locator("details.proof summary").click()
    opened = batch_row.inner_text()
    assert "Block" in opened and "Log index" in opened and "Batch" in opened


def test_the_balance_and_newest_entries_are_checked_against_the_published_node_on_load(
    page: Page, site: Site
) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if r.method == "POST" else None)
    open_player(page, site, "alice")  # opens and waits: nothing is clicked
    assert page.get_attribute("#balance-check", "data-status") == "verified"
    assert page.inner_text("#balance-check") == "Your balance matches the chain."
    statuses = {row["status"] for row in entries_shown(page)}
    assert statuses == {"verified"} and len(entries_shown(page)) == 20
    assert page.inner_text("#verify-summary") == "Your balance and your 20 newest entries match the chain."
    # the verifier reads the whole history from the API itself: it adds up before any is paged in
    assert page.get_attribute("#history-check", "data-status") == "verified"
    assert asked and {url.rstrip("/") for url in asked} == {site.rpc}  # the published node, by itself

    show_all(page)  # older entries are checked as they are shown, and then the sums
    assert {row["status"] for row in entries_shown(page)} == {"verified"}
    assert page.get_attribute("#history-check", "data-status") == "verified"


def test_counts_say_one_entry_and_two_entries(page: Page, tampered_site: Site, site: Site) -> None:
    # `site` is asked for so that the shared mirror exists before this test adds to the chain.
    world, served = tampered_site.world, tampered_site
    assert world.sender is not None
    dave = keccak(text=f"web-player:dave:{secrets.token_hex(8)}")
    issue_one(world.client, world.sender, world.campaigns["welcome"], dave, 7, text_to_bytes("dave-1"))
    index_into(world, served.url)
    page.goto(f"{served.base}/?player=0x{dave.hex()}")
    page.wait_for_selector("body[data-ready=true]")
    settle(page)
    assert page.inner_text("#as-of").startswith("1 entry in all.")
    assert page.inner_text("#verify-summary") == "Your balance and your entry match the chain."
    assert page.inner_text("#available") == points(7) == "7\u00a0points"

    issue_one(world.client, world.sender, world.campaigns["welcome"], dave, 1, text_to_bytes("dave-2"))
    index_into(world, served.url)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    settle(page)
    assert page.inner_text("#as-of").startswith("2 entries in all.")
    assert page.inner_text("#verify-summary") == "Your balance and all 2 entries match the chain."
    assert entries_shown(page)[0]["amount_text"] == "+" + points(1) == "+1\u00a0point"
    assert not re.search(r"\b1 (entries|points|confirmations|blocks)\b", page.inner_text("body"))


def test_a_new_error_replaces_the_previous_one_and_no_old_result_stays(page: Page, site: Site) -> None:
    open_player(page, site, "alice")
    page.click("#verify-button")  # a check that passes...
    page.wait_for_selector(f"#verify-summary:is({DONE})")
    settle(page)
    assert page.get_attribute("#balance-check", "data-status") == "verified"

    ports = [free_port(), free_port()]
    for port in ports:  # ...then two nodes that cannot be reached, one after the other
        if not page.locator("#node-settings[open]").count():
            page.click("#node-settings summary")
        page.fill("#rpc-url", f"http://127.0.0.1:{port}")
        page.click("#verify-button")
        page.wait_for_selector(f"#verify-summary:is({DONE})")
        settle(page)
        errors = page.locator(ERRORS)
        assert errors.count() == 1, errors.all_inner_texts()  # one error on screen, the newest
        assert f":{port}" in errors.inner_text() and "Could not check" in errors.inner_text()
        # Nothing checked against the earlier node still claims to match the chain.
        assert page.get_attribute("#balance-check", "data-status") == "unchecked"
        assert {row["status"] for row in entries_shown(page)} == {"unchecked"}

    page.click("#reset-node")  # back to the published node: checked again, the error goes
    page.wait_for_selector(f"#verify-summary:is({DONE})")
    settle(page)
    assert page.locator(ERRORS).count() == 0
    assert {row["status"] for row in entries_shown(page)} == {"verified"}


def test_an_api_error_replaces_a_failed_check(page: Page, site: Site) -> None:
    page.goto(site.base)
    page.wait_for_selector("body[data-ready=true]")
    page.evaluate(f"localStorage.setItem('ledger.rpc', 'http://127.0.0.1:{free_port()}')")
    open_player(page, site, "alice")
    assert page.locator(ERRORS).all_inner_texts()[0].startswith("Could not check")
    page.fill("#player-key", "0x" + "ab" * 32)  # a well-formed key the ledger does not know
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#message:not([hidden])")
    assert page.locator(ERRORS).all_inner_texts() == ["This player key has no entries in the ledger yet."]
    page.evaluate("localStorage.clear()")
