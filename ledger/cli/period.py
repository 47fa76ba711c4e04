"""`ledger period`: compute a period's rewards under published rules, commit it, pay it, and
hand each player their leaf and proof.

    ledger period compute --campaign C --period P --rules rules.json activity.csv   (writes DIR)
    ledger period commit DIR          the root, rules hash, leaf count and total on chain
    ledger period issue DIR           the rewards as period batches (retry-safe)
    ledger period proof DIR PLAYER    the player's leaf, salt and proof (what `verify --recompute` reads)
    ledger period show P              the commitment on chain, open until its batches paid its total
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.cli.common import clean_errors, out, say, settings
from ledger.encoding import Row, parse_player_key, text_to_bytes
from ledger.errors import InputError
from ledger.rules.activity import read_activity
from ledger.rules.document import load_rules, parse_rules
from ledger.rules.period import PeriodResult, compute_period, write_outputs

app = typer.Typer(
    help="Compute, commit and pay a period of rewards under published rules.", no_args_is_help=True
)

PeriodDir = Annotated[Path, typer.Argument(help="the period's directory, as `period compute` wrote it")]


def period_id(label: str) -> bytes:
    return text_to_bytes(label, what="period id")


@app.command()
@clean_errors
def compute(
    activity: Annotated[Path, typer.Argument(help="the period's activity CSV, one row per player")],
    campaign: Annotated[str, typer.Option(help="the campaign id the period pays from")],
    period: Annotated[str, typer.Option(help="the period id: text of up to 32 bytes, unique on the ledger")],
    rules: Annotated[Path, typer.Option(help="the rules document the rewards follow")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="where to write; default data/periods/<period>")
    ] = None,
) -> None:
    """Compute every player's reward, the salted leaves and their root; write the period's files."""
    text_to_bytes(campaign, what="campaign id")
    document = load_rules(rules)
    rows = read_activity(activity, document.data)
    result = compute_period(document, period_id(period), rows)
    directory = out_dir or settings().data_dir / "periods" / period
    write_outputs(result, rows, campaign, directory)
    out.print(f"period {period}: {len(result.leaves)} players, total {result.total}, {len(result.rewards())} rewards")  # fmt: skip
    out.print(f"  root 0x{result.root.hex()} under rules {document.hash_hex}")
    out.print(f"  written to {directory} (period.json, rewards.csv, activity.csv with salts, rules.json)")


def load_period(directory: Path) -> tuple[dict[str, Any], PeriodResult]:
    """A period directory read back and recomputed: the summary must match what it recomputes to."""
    try:
        summary = json.loads((directory / "period.json").read_text(encoding="utf-8"))
        document = parse_rules(
            (directory / "rules.json").read_text(encoding="utf-8"), str(directory / "rules.json")
        )
    except (OSError, ValueError) as exc:
        raise InputError(f"{directory} is not a period directory: {exc}") from exc
    rows = read_activity(directory / "activity.csv", document.data, draw_salts=False)
    result = compute_period(document, bytes.fromhex(summary["period"][2:]), rows)
    if result.summary(summary["campaign"]) != summary:
        raise InputError(f"{directory}: period.json does not match what its activity and rules compute to")
    return summary, result


@app.command()
@clean_errors
def commit(directory: PeriodDir) -> None:
    """Commit the period: rules hash, root, leaf count and total (issuer only)."""
    from ledger.cli.context import open_ledger, open_writer
    from ledger.rules.onchain import commit_period, rules_version

    summary, result = load_period(directory)
    cfg = settings()
    client = open_ledger(cfg)
    campaign = text_to_bytes(summary["campaign"], what="campaign id")
    if rules_version(client, campaign, result.rules.hash)[0] == 0:
        raise InputError(f"rules {result.rules.hash_hex} are not a rules version of {summary['campaign']}: run `ledger rules set` first")  # fmt: skip
    with open_writer(cfg, client).writing(f"commit period {directory.name}") as sender:
        receipt = commit_period(
            client,
            sender,
            result.period,
            campaign,
            result.rules.hash,
            result.root,
            len(result.leaves),
            result.total,
        )
    out.print(f"committed period {directory.name}: root 0x{result.root.hex()}, {len(result.leaves)} leaves, total {result.total} (block {receipt.block_number}, gas {receipt.gas_used})")  # fmt: skip


@app.command()
@clean_errors
def issue(
    directory: PeriodDir,
    rows_per_batch: Annotated[int, typer.Option(min=1, max=2000, help="rows a batch transaction")] = 500,
) -> None:
    """Pay the period's rewards as period batches; batches that landed before are skipped."""
    from ledger.cli.context import open_ledger, open_writer
    from ledger.rules.onchain import issue_period, read_commitment

    _, result = load_period(directory)
    cfg = settings()
    client = open_ledger(cfg)
    read_commitment(client, result.period)
    rows = [Row(player, amount, ref) for player, amount, ref in result.rewards()]
    with open_writer(cfg, client).writing(f"issue period {directory.name}") as sender:
        receipts = issue_period(client, sender, result.period, rows, rows_per_batch)
    issued = read_commitment(client, result.period).issued
    say(f"{len(receipts)} batches sent")
    out.print(f"period {directory.name}: issued {issued} of {result.total}")


@app.command()
@clean_errors
def proof(
    directory: PeriodDir,
    player: Annotated[str, typer.Argument(help="the player key: 0x and 64 hex digits")],
    out_file: Annotated[Path | None, typer.Option("--out", help="write here instead of printing")] = None,
) -> None:
    """A player's leaf, salt, proof and rules: what `ledger verify --recompute` checks."""
    _, result = load_period(directory)
    answer = result.proof_of(parse_player_key(player)) | {"rules": result.rules.data}
    text = json.dumps(answer, indent=1)
    if out_file is None:
        out.print(text, markup=False)
    else:
        out_file.write_text(text + "\n", encoding="utf-8")


@app.command()
@clean_errors
def show(period: Annotated[str, typer.Argument(help="the period id")]) -> None:
    """Show a committed period as the chain has it: open until its batches paid its total."""
    from ledger.cli.context import open_ledger
    from ledger.encoding import bytes_to_text
    from ledger.rules.onchain import read_commitment, rules_version

    client = open_ledger(settings())
    c = read_commitment(client, period_id(period))
    version, _ = rules_version(client, c.campaign, c.rules_hash)
    out.print(f"period     {period} (committed at block {c.block})")
    out.print(f"campaign   {bytes_to_text(c.campaign)}")
    out.print(f"rules      0x{c.rules_hash.hex()} (version {version})")
    out.print(f"root       0x{c.root.hex()} over {c.leaf_count} leaves")
    status = "paid in full" if c.issued == c.total else f"open: {c.total - c.issued} still to pay"
    out.print(f"total      {c.total}, issued {c.issued}: {status}")
