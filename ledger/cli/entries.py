"""Entry commands: issue, issue-batch, payout, reverse, expire, pause, unpause, player-key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.batches import issue_batch
from ledger.cli.common import clean_errors, out, parse_seconds, settings
from ledger.cli.context import open_ledger, open_writer
from ledger.errors import InputError
from ledger.inputs import MAX_DEBIT, parse_count

if TYPE_CHECKING:
    from ledger.ops import single
    from ledger.ops.entries import EntryResult

__all__ = ["expire", "issue", "issue_batch", "pause", "payout", "player_key", "reverse", "unpause"]

Player = Annotated[str, typer.Argument(help="player key: 0x and 64 hex digits")]
Amount = Annotated[str, typer.Argument(help="a positive whole amount")]
Reference = Annotated[
    str, typer.Option("--reference", "-r", help="unique reference, up to 32 bytes of text or 0x-hex")
]
Wait = Annotated[
    str | None,
    typer.Option("--wait", help="seconds to wait for another writer of this ledger (0: fail at once)"),
]


def _done(what: str, result: EntryResult) -> None:
    out.print(f"{what}: entry {result.seq} in block {result.block_number} (tx 0x{result.tx_hash.hex()})")


def _recorded(what: str, ref: bytes, result: single.Recorded) -> None:
    from ledger.encoding import bytes_to_text

    if result.new:
        tx = f" (tx 0x{result.tx_hash.hex()})" if result.tx_hash else ""
        out.print(f"{what}: entry {result.seq} in block {result.block_number}{tx}")
    else:
        out.print(
            f"reference {bytes_to_text(ref)} is already recorded as entry {result.seq}; nothing was sent"
        )


@clean_errors
def issue(
    campaign: Annotated[str, typer.Argument(help="campaign id")],
    player: Player,
    amount: Amount,
    reference: Reference,
    wait: Wait = None,
) -> None:
    """Issue one reward (issuer role); a repeat with the same reference and content does nothing."""
    from ledger.encoding import MAX_ROW_AMOUNT, parse_amount, parse_player_key, text_to_bytes
    from ledger.ops import single

    cfg = settings()
    cid, key = text_to_bytes(campaign, what="campaign id"), parse_player_key(player)
    value, ref = parse_amount(amount, maximum=MAX_ROW_AMOUNT), text_to_bytes(reference)
    client = open_ledger(cfg)
    writer = open_writer(cfg, client, lock_wait=parse_seconds(wait))
    try:
        _recorded(f"issued {value} to {player}", ref, single.issue_reward(writer, cid, key, value, ref))
    finally:
        writer.close()


@clean_errors
def payout(player: Player, amount: Amount, reference: Reference, wait: Wait = None) -> None:
    """Record a payout (payer role); never more than the balance; a repeat with the same reference does nothing."""
    from ledger.encoding import parse_amount, parse_player_key, text_to_bytes
    from ledger.ops import single

    cfg = settings()
    key, value, ref = parse_player_key(player), parse_amount(amount, MAX_DEBIT), text_to_bytes(reference)
    client = open_ledger(cfg)
    writer = open_writer(cfg, client, lock_wait=parse_seconds(wait))
    _recorded(f"paid {value} to {player}", ref, single.record_payout(writer, key, value, ref))


@clean_errors
def reverse(
    seq: Annotated[str, typer.Argument(help="sequence number of the reward to reverse")],
    reason: Annotated[str, typer.Option(help="why, up to 32 bytes of text")],
    amount: Annotated[
        str | None, typer.Option(help="how much to take back; default the whole reward")
    ] = None,
    wait: Wait = None,
) -> None:
    """Take back part or all of one issued reward, once (issuer role)."""
    from ledger.encoding import MAX_ROW_AMOUNT, parse_amount, text_to_bytes
    from ledger.ops.entries import reverse_reward
    from ledger.ops.lookup import find_reward

    cfg = settings()
    number = parse_count(seq, "sequence number")
    why = text_to_bytes(reason, what="reason")
    value = parse_amount(amount, maximum=MAX_ROW_AMOUNT) if amount is not None else None
    client = open_ledger(cfg)
    writer = open_writer(cfg, client, lock_wait=parse_seconds(wait))
    with writer.writing(f"reverse {number}") as sender:
        proof = find_reward(client, number, writer.deploy_block)
        taken = proof.amount if value is None else value
        result = reverse_reward(client, sender, proof, taken, why)
    _done(f"reversed {taken} of reward {number} (player 0x{proof.player.hex()})", result)


@clean_errors
def expire(player: Player, amount: Amount, reference: Reference,
           reason: Annotated[str, typer.Option(help="why, up to 32 bytes of text")],
           wait: Wait = None) -> None:  # fmt: skip
    """Expire part of a player's balance (issuer role); a repeat with the same reference does nothing."""
    from ledger.encoding import parse_amount, parse_player_key, text_to_bytes
    from ledger.ops import single

    cfg = settings()
    key, value, ref = parse_player_key(player), parse_amount(amount, MAX_DEBIT), text_to_bytes(reference)
    why = text_to_bytes(reason, what="reason")
    client = open_ledger(cfg)
    writer = open_writer(cfg, client, lock_wait=parse_seconds(wait))
    _recorded(f"expired {value} of {player}", ref, single.expire_balance(writer, key, value, ref, why))


def _set_paused(paused: bool) -> None:
    from ledger.ops.entries import set_paused

    cfg = settings()
    client = open_ledger(cfg)
    writer = open_writer(cfg, client)
    with writer.writing("pause" if paused else "unpause") as sender:
        receipt = set_paused(client, sender, paused)
    out.print(f"ledger {'paused' if paused else 'unpaused'} (block {receipt.block_number})")


@clean_errors
def pause() -> None:
    """Stop every new entry (pauser role)."""
    _set_paused(True)


@clean_errors
def unpause() -> None:
    """Let entries through again (pauser role)."""
    _set_paused(False)


@clean_errors
def player_key(
    player_id: Annotated[str, typer.Argument(help="the operator's own id for the player")],
) -> None:
    """Derive a player's pseudonymous key from their id and LEDGER_PLAYER_KEY_SECRET."""
    from ledger.playerkey import derive_player_key

    cfg = settings()
    if cfg.player_key_secret is None:
        raise InputError("set LEDGER_PLAYER_KEY_SECRET (at least 16 bytes) to derive player keys")
    if not player_id.strip() or not player_id.isprintable() or len(player_id) > 256:
        raise InputError("the player id must be printable text of 1 to 256 characters")
    key = derive_player_key(cfg.player_key_secret.get_secret_value().encode("utf-8"), player_id)
    out.print("0x" + key.hex())
