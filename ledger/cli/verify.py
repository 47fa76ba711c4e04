"""`ledger verify`: a player's history and balance from an API, checked against a node alone."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.encoding import checksum, parse_player_key
from ledger.verify import LedgerApi, Rpc, verify_player

EXIT_FAILED = 1


@clean_errors
def verify(
    player: Annotated[str, typer.Argument(help="the player key: 0x and 64 hex digits")],
    api: Annotated[str, typer.Option(help="base URL of the ledger API, e.g. https://rewards.example/")],
    rpc: Annotated[
        str | None,
        typer.Option(help="JSON-RPC URL of a node you trust; default LEDGER_RPC_URL or the local node"),
    ] = None,
    contract: Annotated[
        str | None, typer.Option(help="the ledger address you expect; default the one the API names")
    ] = None,
) -> None:
    """Check every entry, the balance and its storage proof against the node: exit 0 verified, 1 not.

    Other exit codes: 2 bad input, 3 the node failed, 7 the API is unreachable or malformed.
    """
    key = parse_player_key(player)
    expected = checksum(contract) if contract else None
    node_url = rpc or settings().effective_rpc_url
    api_client, node = LedgerApi(api), Rpc(node_url)
    try:
        report = verify_player(api_client, node, key, expected)
    finally:
        api_client.close()
        node.close()
    for problem in report.problems:
        out.print(f"problem: {problem}", markup=False)
    where = f"at block {report.block} against the node at {node_url}"
    if report.ok:
        out.print(
            f"VERIFIED: {report.entries} entries and balance {report.balance} of player 0x{key.hex()} {where}",
            markup=False,
        )
        return
    out.print(f"FAILED: {len(report.problems)} problems in what the API says {where}", markup=False)
    raise typer.Exit(EXIT_FAILED)
