"""Cash-out commands: `reserves`, `kyc`, `limits` (operator), `settle` (payer) and `withdraw`
(the player, from the bound address's own key).

Heavy libraries (web3 and the chain stack) load inside the commands, so `ledger --help` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import bytes_to_text, checksum, parse_amount, parse_player_key, text_to_bytes
from ledger.errors import InputError, KeystoreError

if TYPE_CHECKING:
    from ledger.chain.client import LedgerClient
    from ledger.chain.sender import Sender

reserves = typer.Typer(
    help="Settlement reserves: deposit, take out the surplus, show coverage.", no_args_is_help=True
)
kyc = typer.Typer(
    help="Bind a player key to its withdrawal address after KYC (KYC role).", no_args_is_help=True
)
limits = typer.Typer(
    help="Withdrawal limits, per withdrawal and per player per UTC day (admin).", no_args_is_help=True
)

Player = Annotated[str, typer.Argument(help="player key: 0x and 64 hex digits")]
Amount = Annotated[str, typer.Argument(help="a positive whole amount, in the token's base units")]
MAX_AMOUNT = 2**128 - 1
PLAYER_KEY_ENV = "LEDGER_PLAYER_PRIVATE_KEY"


def _operator_write(plan: str, action: Callable[[LedgerClient, Sender], Any]) -> Any:
    """Runs `action` with the operator's signer under the ledger's write lock."""
    from ledger.cli.context import open_ledger, open_writer

    cfg = settings()
    client = open_ledger(cfg)
    writer = open_writer(cfg, client)
    try:
        with writer.writing(plan) as signer:
            return action(client, signer)
    finally:
        writer.close()


@reserves.command("show")
@clean_errors
def reserves_show() -> None:
    """Token, mode, reserves, liability, surplus and coverage."""
    from ledger.cashout.ops import cashout_state
    from ledger.cli.context import open_ledger

    state = cashout_state(open_ledger(settings()))
    if not state.settles:
        out.print("record-only: this ledger settles in no token")
        return
    coverage = "n/a (no liability)" if state.liability == 0 else f"{state.reserves / state.liability:.2%}"
    out.print(f"token      {state.token} ({'funded' if state.funded else 'not funded'})")
    out.print(f"reserves   {state.reserves}")
    out.print(f"liability  {state.liability}")
    out.print(f"surplus    {state.surplus}")
    out.print(f"coverage   {coverage}")


@reserves.command("deposit")
@clean_errors
def reserves_deposit(amount: Amount) -> None:
    """Approve and deposit settlement tokens from the signing account into the reserves."""
    from ledger.cashout.ops import deposit_reserves

    value = parse_amount(amount, MAX_AMOUNT)
    _operator_write("deposit reserves", lambda client, signer: deposit_reserves(client, signer, value))
    out.print(f"deposited {value}")
    reserves_show()


@reserves.command("withdraw-surplus")
@clean_errors
def reserves_withdraw_surplus(
    amount: Amount, to: Annotated[str, typer.Option(help="the account that receives the tokens")]
) -> None:
    """Take out part of the surplus above the liability (admin)."""
    from ledger.cashout.ops import withdraw_surplus

    value, account = parse_amount(amount, MAX_AMOUNT), checksum(to)
    _operator_write(
        "withdraw surplus", lambda client, signer: withdraw_surplus(client, signer, account, value)
    )
    out.print(f"sent {value} of the surplus to {account}")


@kyc.command("bind")
@clean_errors
def kyc_bind(
    player: Player,
    address: Annotated[str, typer.Argument(help="the player's withdrawal address")],
    attestation: Annotated[
        str, typer.Option(help="the KYC record's reference (no personal data), up to 32 bytes")
    ],
) -> None:
    """Bind a player key to a withdrawal address; a rebinding waits out the cool-down."""
    from ledger.cashout.ops import bind_address, binding_of
    from ledger.cli.common import iso

    key, account, ref = (
        parse_player_key(player),
        checksum(address),
        text_to_bytes(attestation, what="attestation"),
    )
    client = _operator_write(
        "bind", lambda client, signer: (bind_address(client, signer, key, account, ref), client)
    )[1]
    binding = binding_of(client, key)
    out.print(f"bound {player} to {binding.account}, withdrawals from {iso(binding.active_from)}")


@limits.command("set")
@clean_errors
def limits_set(
    per_withdrawal: Annotated[str, typer.Option(help="most one withdrawal may be")],
    per_day: Annotated[str, typer.Option(help="most one player may withdraw in a UTC day")],
) -> None:
    """Set the withdrawal limits (admin); zero refuses every withdrawal."""
    from ledger.cashout.ops import set_limits

    one, day = _limit(per_withdrawal), _limit(per_day)
    _operator_write("set limits", lambda client, signer: set_limits(client, signer, one, day))
    out.print(f"limits: {one} a withdrawal, {day} a player a day")


@limits.command("show")
@clean_errors
def limits_show() -> None:
    """The withdrawal limits."""
    from ledger.cashout.ops import withdrawal_limits
    from ledger.cli.context import open_ledger

    one, day = withdrawal_limits(open_ledger(settings()))
    out.print(f"limits: {one} a withdrawal, {day} a player a day")


def _limit(value: str) -> int:
    return 0 if value.strip() == "0" else parse_amount(value, MAX_AMOUNT)


@clean_errors
def settle(
    player: Player,
    amount: Amount,
    reference: Annotated[str, typer.Option("--reference", "-r", help="unique reference, up to 32 bytes")],
) -> None:
    """Pay tokens from a player's balance to their bound address (payer role); a repeat does nothing."""
    from ledger.cashout.ops import settle_payout

    key, value, ref = parse_player_key(player), parse_amount(amount, MAX_AMOUNT), text_to_bytes(reference)

    def pay(client: LedgerClient, signer: Sender) -> str:
        landed = client.reference_of(ref)
        if landed != bytes(32):
            seq = int.from_bytes(landed, "big")
            return f"reference {bytes_to_text(ref)} is already recorded as entry {seq}; nothing was sent"
        done = settle_payout(client, signer, key, value, ref)
        return f"paid {done.amount} to {done.to}: entry {done.entry.seq} (tx 0x{done.entry.tx_hash.hex()})"

    out.print(_operator_write("settle payout", pay))


@clean_errors
def withdraw(
    player: Player,
    amount: Amount,
    nonce: Annotated[
        str | None,
        typer.Option(help="the withdrawal's number (default: the next); a retry with it lands once"),
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option(help=f"file with the bound address's private key (else ${PLAYER_KEY_ENV})")
    ] = None,
) -> None:
    """Cash out from the player's bound address: the balance is debited and the tokens arrive at once."""
    from ledger.cashout.ops import withdraw as withdraw_tokens
    from ledger.cashout.ops import withdrawals_of
    from ledger.chain.keystore import account_from_private_key
    from ledger.chain.sender import Sender
    from ledger.cli.common import say
    from ledger.cli.context import open_ledger

    cfg = settings()
    key, value, number = parse_player_key(player), parse_amount(amount, MAX_AMOUNT), _nonce(nonce)
    account = account_from_private_key(_player_private_key(key_file))
    client = open_ledger(cfg)
    sender = Sender(client.w3, account, timeout=cfg.tx_timeout, on_wait=say)
    if number is None:
        number = withdrawals_of(client, key)[1]
        out.print(f"withdrawal #{number} (if this is interrupted, run it again with --nonce {number})")
    done = withdraw_tokens(client, sender, key, value, number)
    if isinstance(done, int):
        out.print(f"withdrawal #{done} of {player} already landed; nothing was sent")
        return
    out.print(
        f"withdrew {done.amount} to {done.to}: withdrawal #{done.nonce}, entry {done.entry.seq} "
        f"(tx 0x{done.entry.tx_hash.hex()})"
    )


def _nonce(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 20:
        raise InputError(f"--nonce {value[:40]!r} is not a whole number")
    return int(text)


def _player_private_key(key_file: Path | None) -> str:
    if key_file is not None:
        try:
            return key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise KeystoreError(f"cannot read the key file: {exc.strerror}") from exc
    value = os.environ.get(PLAYER_KEY_ENV)
    if not value:
        raise InputError(f"no player key: pass --key-file or set {PLAYER_KEY_ENV}")
    return value
