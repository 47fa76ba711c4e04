"""`ledger player`: salted player keys and erasure on request (`key`, `forget`, `migrate`).

The salts live in the operator's private file `DATA_DIR/keys/player-salts.db` (see
`ledger.cashout.salts`). The chain stack loads only inside `forget`, which reads the balance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cashout.salts import forget as forget_row
from ledger.cashout.salts import migrate as migrate_rows
from ledger.cashout.salts import open_salts, player_key, salts_path
from ledger.cli.common import clean_errors, out, settings
from ledger.errors import Conflict, InputError, NotFound

app = typer.Typer(help="Salted player keys and erasure on request.", no_args_is_help=True)

Customer = Annotated[str, typer.Argument(help="the operator's own id for the customer")]


@app.command("key")
@clean_errors
def key(customer_id: Customer) -> None:
    """The customer's player key, under a random salt of their own (made on first use)."""
    with open_salts(salts_path(settings().data_dir)) as conn:
        found = player_key(conn, customer_id) or b""
    out.print("0x" + found.hex())


@app.command("forget")
@clean_errors
def forget(customer_id: Customer) -> None:
    """Delete the customer's salt: nobody can link their key to them again. Refused while the
    key holds a balance on the ledger (pay it out or expire it first)."""
    from ledger.cli.context import open_ledger

    cfg = settings()
    with open_salts(salts_path(cfg.data_dir)) as conn:
        found = player_key(conn, customer_id, create=False)
        if found is None:
            raise NotFound(f"customer {customer_id.strip()!r} has no salt: never keyed, or already forgotten")
        balance = open_ledger(cfg).player(found).balance
        if balance:
            raise Conflict(
                f"0x{found.hex()} still holds {balance} on the ledger: pay it out or expire it "
                "(ledger expire … --reason erasure) before forgetting the customer"
            )
        forget_row(conn, customer_id)
    out.print(f"forgot {customer_id.strip()}: 0x{found.hex()} can no longer be linked to them")


@app.command("migrate")
@clean_errors
def migrate(
    ids_file: Annotated[Path, typer.Argument(help="a text file with one customer id a line")],
) -> None:
    """Keep the keys derived under LEDGER_PLAYER_KEY_SECRET, one row a customer; then delete the secret."""
    cfg = settings()
    if cfg.player_key_secret is None:
        raise InputError("set LEDGER_PLAYER_KEY_SECRET: migration recomputes the keys it derived")
    try:
        lines = ids_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {ids_file}: {exc.strerror}") from exc
    ids = [line for line in lines if line.strip()]
    secret = cfg.player_key_secret.get_secret_value().encode("utf-8")
    with open_salts(salts_path(cfg.data_dir)) as conn:
        added = migrate_rows(conn, secret, ids)
    out.print(f"migrated {added} of {len(ids)} customers; once every customer is migrated, delete the secret")
