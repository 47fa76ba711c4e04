"""`ledger campaign`: create, close and show campaigns, and keep their terms for the API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import clean_errors, iso, out, settings
from ledger.cli.context import open_ledger, open_writer
from ledger.errors import InputError
from ledger.inputs import check_window, parse_time

app = typer.Typer(help="Create, close and inspect reward campaigns.")

CampaignId = Annotated[str, typer.Argument(help="campaign id: text of up to 32 bytes, or 0x-hex")]


@app.command()
@clean_errors
def create(
    campaign_id: CampaignId,
    budget: Annotated[str, typer.Option(help="the most the campaign may issue, in whole units")],
    terms: Annotated[Path, typer.Option(help="the terms text; its keccak256 goes on chain")],
    start: Annotated[str, typer.Option(help="when issuance opens: now, +1h, unix or ISO-8601")] = "now",
    end: Annotated[str, typer.Option(help="when issuance closes: +30d, unix or ISO-8601")] = "+365d",
) -> None:
    """Create a campaign with a budget, a window and the hash of its terms (admin only)."""
    from eth_utils.crypto import keccak

    from ledger.encoding import bytes_to_text, parse_amount, text_to_bytes
    from ledger.ops.entries import create_campaign
    from ledger.terms import save_terms

    cfg = settings()
    cid = text_to_bytes(campaign_id, what="campaign id")
    amount = parse_amount(budget, maximum=2**128 - 1)
    try:
        text = terms.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read terms file {terms}: {exc.strerror}") from exc
    client = open_ledger(cfg)
    # the chain's clock decides the window, and it may run behind the wall clock
    now = min(int(time.time()), int(client.w3.eth.get_block("latest")["timestamp"]))
    start_at, end_at = parse_time(start, now), parse_time(end, now)
    check_window(start_at, end_at)
    writer = open_writer(cfg, client)
    with writer.writing(f"create campaign {bytes_to_text(cid)}") as sender:
        receipt = create_campaign(client, sender, cid, amount, keccak(text), start_at, end_at)
    saved = save_terms(cfg.terms_dir, text)
    out.print(f"created campaign {bytes_to_text(cid)} (block {receipt.block_number})")
    out.print(f"  budget {amount}, open {iso(start_at)} to {iso(end_at)}")
    out.print(f"  terms hash 0x{keccak(text).hex()}, kept in {saved}")


@app.command()
@clean_errors
def close(campaign_id: CampaignId) -> None:
    """Close a campaign for good (admin only)."""
    from ledger.encoding import bytes_to_text, text_to_bytes
    from ledger.ops.entries import close_campaign

    cfg = settings()
    cid = text_to_bytes(campaign_id, what="campaign id")
    client = open_ledger(cfg)
    with open_writer(cfg, client).writing(f"close campaign {bytes_to_text(cid)}") as sender:
        receipt = close_campaign(client, sender, cid)
    out.print(f"closed campaign {bytes_to_text(cid)} (block {receipt.block_number})")


@app.command()
@clean_errors
def show(campaign_id: CampaignId) -> None:
    """Show a campaign's budget, use, window and terms as the chain has them."""
    from ledger.encoding import bytes_to_text, text_to_bytes
    from ledger.terms import terms_path

    cfg = settings()
    cid = text_to_bytes(campaign_id, what="campaign id")
    client = open_ledger(cfg)
    campaign = client.campaign(cid)
    if not campaign.exists:
        raise InputError(f"campaign {bytes_to_text(cid)} does not exist")
    terms_file = terms_path(cfg.terms_dir, campaign.terms_hash)
    out.print(f"campaign  {bytes_to_text(cid)}")
    out.print(f"budget    {campaign.budget}")
    out.print(f"issued    {campaign.issued}")
    out.print(f"remaining {campaign.remaining}")
    out.print(f"window    {iso(campaign.start)} to {iso(campaign.end)}")
    out.print(f"status    {'closed' if campaign.closed else 'open'}")
    out.print(
        f"terms     0x{campaign.terms_hash.hex()} ({'kept in ' + str(terms_file) if terms_file.exists() else 'no local copy'})"
    )
