"""Entry commands: issue, issue-batch, payout, reverse, expire, pause, unpause, player-key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.cli.common import clean_errors, out, settings
from ledger.cli.context import open_ledger, open_sender
from ledger.encoding import parse_amount, parse_player_key, text_to_bytes
from ledger.errors import InputError
from ledger.ops.batch import load_or_save_plan, make_plan, read_batch_file, run_plan
from ledger.ops.entries import (
    EntryResult,
    expire_balance,
    issue_one,
    record_payout,
    reverse_reward,
    set_paused,
)
from ledger.ops.lookup import find_reward
from ledger.playerkey import derive_player_key

Player = Annotated[str, typer.Argument(help="player key: 0x and 64 hex digits")]
Amount = Annotated[str, typer.Argument(help="a positive whole amount")]
Reference = Annotated[
    str, typer.Option("--reference", "-r", help="unique reference, up to 32 bytes of text or 0x-hex")
]


def _done(what: str, result: EntryResult) -> None:
    out.print(f"{what}: entry {result.seq} in block {result.block_number} (tx 0x{result.tx_hash.hex()})")


@clean_errors
def issue(
    campaign: Annotated[str, typer.Argument(help="campaign id")],
    player: Player,
    amount: Amount,
    reference: Reference,
) -> None:
    """Issue one reward (issuer role); the reference can be used once."""
    cfg = settings()
    cid, key = text_to_bytes(campaign, what="campaign id"), parse_player_key(player)
    value, ref = parse_amount(amount, maximum=2**96 - 1), text_to_bytes(reference)
    client = open_ledger(cfg)
    _done(f"issued {value} to {player}", issue_one(client, open_sender(cfg, client), cid, key, value, ref))


@clean_errors
def issue_batch(
    file: Annotated[Path, typer.Argument(help="CSV with columns player,amount,reference")],
    campaign: Annotated[str, typer.Option(help="campaign id")],
    rows: Annotated[int | None, typer.Option(help="rows per batch transaction")] = None,
) -> None:
    """Issue rewards in bulk from a CSV; safe to re-run: batches that landed are skipped."""
    cfg = settings()
    cid = text_to_bytes(campaign, what="campaign id")
    records, digest = read_batch_file(file)
    client = open_ledger(cfg)
    sender = open_sender(cfg, client)
    plan = load_or_save_plan(
        cfg.plans_dir, make_plan(records, digest, cid, cfg.batch_rows if rows is None else rows)
    )
    columns = (TextColumn("issuing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=out, transient=False) as bar:
        task = bar.add_task("rows", total=len(records))
        outcome = run_plan(client, sender, plan, records, cfg.max_in_flight, lambda n: bar.advance(task, n))
    total = sum(r.amount for r in records)
    out.print(
        f"{outcome.rows_issued} rows issued in {outcome.sent} batch(es); {outcome.rows_skipped} rows in "
        f"{outcome.skipped} batch(es) had landed before and were skipped; file total {total}"
    )


@clean_errors
def payout(player: Player, amount: Amount, reference: Reference) -> None:
    """Record a payout (payer role); never more than the balance; the reference can be used once."""
    cfg = settings()
    key, value, ref = parse_player_key(player), parse_amount(amount, 2**128 - 1), text_to_bytes(reference)
    client = open_ledger(cfg)
    _done(f"paid {value} to {player}", record_payout(client, open_sender(cfg, client), key, value, ref))


@clean_errors
def reverse(
    seq: Annotated[int, typer.Argument(help="sequence number of the reward to reverse")],
    reason: Annotated[str, typer.Option(help="why, up to 32 bytes of text")],
    amount: Annotated[
        str | None, typer.Option(help="how much to take back; default the whole reward")
    ] = None,
) -> None:
    """Take back part or all of one issued reward, once (issuer role)."""
    cfg = settings()
    why = text_to_bytes(reason, what="reason")
    client = open_ledger(cfg)
    proof = find_reward(client, seq)
    value = parse_amount(amount, maximum=2**96 - 1) if amount is not None else proof.amount
    result = reverse_reward(client, open_sender(cfg, client), proof, value, why)
    _done(f"reversed {value} of reward {seq} (player 0x{proof.player.hex()})", result)


@clean_errors
def expire(player: Player, amount: Amount, reference: Reference,
           reason: Annotated[str, typer.Option(help="why, up to 32 bytes of text")]) -> None:  # fmt: skip
    """Expire part of a player's balance (issuer role); the reference can be used once."""
    cfg = settings()
    key, value, ref = parse_player_key(player), parse_amount(amount, 2**128 - 1), text_to_bytes(reference)
    why = text_to_bytes(reason, what="reason")
    client = open_ledger(cfg)
    _done(
        f"expired {value} of {player}", expire_balance(client, open_sender(cfg, client), key, value, ref, why)
    )


@clean_errors
def pause() -> None:
    """Stop every new entry (pauser role)."""
    cfg = settings()
    client = open_ledger(cfg)
    receipt = set_paused(client, open_sender(cfg, client), True)
    out.print(f"ledger paused (block {receipt.block_number})")


@clean_errors
def unpause() -> None:
    """Let entries through again (pauser role)."""
    cfg = settings()
    client = open_ledger(cfg)
    receipt = set_paused(client, open_sender(cfg, client), False)
    out.print(f"ledger unpaused (block {receipt.block_number})")


@clean_errors
def player_key(
    player_id: Annotated[str, typer.Argument(help="the operator's own id for the player")],
) -> None:
    """Derive a player's pseudonymous key from their id and LEDGER_PLAYER_KEY_SECRET."""
    cfg = settings()
    if cfg.player_key_secret is None:
        raise InputError("set LEDGER_PLAYER_KEY_SECRET (at least 16 bytes) to derive player keys")
    key = derive_player_key(cfg.player_key_secret.get_secret_value().encode("utf-8"), player_id)
    out.print("0x" + key.hex())
