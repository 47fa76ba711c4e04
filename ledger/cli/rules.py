"""`ledger rules`: check and hash a rules document, and publish it as a campaign's rules version.

Heavy libraries (web3, jsonschema) load inside the commands, so `ledger --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import clean_errors, iso, out, settings
from ledger.encoding import bytes_to_text, text_to_bytes
from ledger.rules.document import load_rules

app = typer.Typer(
    help="Check, hash and publish a campaign's machine-readable reward rules.", no_args_is_help=True
)

RulesFile = Annotated[Path, typer.Argument(help="the rules document (JSON, see docs/rules.md)")]


@app.command()
@clean_errors
def check(file: RulesFile) -> None:
    """Validate a rules document against the published schema: exit 0 valid, 2 refused."""
    rules = load_rules(file)
    kinds = ", ".join(f"{r['id']} ({r['kind']})" for r in rules.data["rules"])
    out.print(f"valid: {file}: {len(rules.data['rules'])} rules: {kinds}", markup=False)
    out.print(f"rules hash {rules.hash_hex}", markup=False)


@app.command("hash")
@clean_errors
def hash_(file: RulesFile) -> None:
    """Print the keccak256 of the document's RFC 8785 canonical form: the hash the chain records."""
    out.print(load_rules(file).hash_hex, markup=False)


@app.command("set")
@clean_errors
def set_(
    campaign_id: Annotated[str, typer.Argument(help="campaign id: text of up to 32 bytes, or 0x-hex")],
    file: RulesFile,
    effective: Annotated[
        str, typer.Option(help="when the version takes effect: now, +1d, unix or ISO-8601")
    ] = "now",
) -> None:
    """Publish a rules document as the campaign's next rules version (admin only)."""
    from ledger.cli.context import open_ledger, open_writer
    from ledger.inputs import parse_time
    from ledger.rules.onchain import set_rules

    cfg = settings()
    cid = text_to_bytes(campaign_id, what="campaign id")
    rules = load_rules(file)  # refused before anything is sent
    client = open_ledger(cfg)
    now = int(client.w3.eth.get_block("latest")["timestamp"])
    when = parse_time(effective, now)
    with open_writer(cfg, client).writing(f"rules of {bytes_to_text(cid)}") as sender:
        receipt = set_rules(client, sender, cid, rules.hash, when)
    from ledger.events import decode_log

    (event,) = [e for e in map(decode_log, receipt.logs) if e.name == "CampaignRulesSet"]
    version, at = event.args["version"], event.args["effectiveFrom"]
    out.print(f"rules version {version} of {bytes_to_text(cid)}: {rules.hash_hex}, in effect from {iso(at)}")
