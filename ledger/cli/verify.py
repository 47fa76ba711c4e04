"""`ledger verify`: a player's history and balance from an API, checked against a node alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.cli.common import clean_errors, out, settings
from ledger.errors import InputError

if TYPE_CHECKING:
    from ledger.verify import VerifyReport

EXIT_FAILED = 1
# ledger.verify's DEFAULT_MAX_LAG, spelt out so that `--help` does not import the verifier (a test
# checks they agree)
MAX_LAG = 64


def parse_at(value: str) -> str | int:
    """`latest`, `finalized`, `safe` or a block number."""
    text = value.strip().lower()
    if text in ("latest", "finalized", "safe"):
        return text
    if text.isascii() and text.isdigit() and len(text) <= 20:
        return int(text)
    raise InputError(f"--at must be latest, finalized, safe or a block number, not {value!r}")


@clean_errors
def verify(
    player: Annotated[str, typer.Argument(help="the player key: 0x and 64 hex digits")],
    api: Annotated[
        str | None, typer.Option(help="base URL of the ledger API, e.g. https://rewards.example/")
    ] = None,
    rpc: Annotated[
        str | None,
        typer.Option(help="JSON-RPC URL of a node you trust; default LEDGER_RPC_URL or the local node"),
    ] = None,
    contract: Annotated[
        str | None, typer.Option(help="the ledger address you expect; default the one the API names")
    ] = None,
    at: Annotated[
        str, typer.Option(help="the block to judge at, from the node: latest, finalized, safe or a number")
    ] = "latest",
    max_lag: Annotated[
        int, typer.Option(min=0, help="how many blocks the API may be behind that block before it fails")
    ] = MAX_LAG,
    recompute: Annotated[
        Path | None,
        typer.Option(
            help="a period's leaf, salt and proof (`ledger period proof`): recompute the reward from it"
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="with --recompute: the published rules, instead of the copy in the file"),
    ] = None,
) -> None:
    """Check every entry, the balance and its storage proof against the node: exit 0 verified, 1 not.

    With --recompute FILE: recompute one period's reward from the leaf and the rules, check the
    leaf against the committed root and that the ledger paid exactly that.

    Other exit codes: 2 bad input, 3 the node failed, 7 the API is unreachable or malformed.
    """
    from ledger.encoding import checksum, parse_player_key
    from ledger.verify import LedgerApi, Rpc, verify_player

    key = parse_player_key(player)
    if recompute is not None:
        from ledger.cli.recompute import load_player_proof, open_client, recompute_player

        given = load_player_proof(key, recompute, rules)
        recompute_player(given, open_client(rpc, contract))
        return
    if api is None:
        raise InputError("--api is required (or --recompute FILE to check a period's reward)")
    expected = checksum(contract) if contract else None
    block = parse_at(at)
    node_url = rpc or settings().effective_rpc_url
    api_client, node = LedgerApi(api), Rpc(node_url)
    try:
        report = verify_player(api_client, node, key, expected, block, max_lag)
    finally:
        api_client.close()
        node.close()
    show(report, node_url)


def show(report: VerifyReport, node_url: str) -> None:
    """One line per problem, entry found newer than the API and note, then the verdict."""
    for problem in report.problems:
        out.print(f"problem: {problem}", markup=False)
    for n in report.newer:
        out.print(f"newer: entry {n.seq}: {n.kind} {n.amount} at block {n.block}, after the API's block {report.api_block}", markup=False)  # fmt: skip
    for note in report.notes:
        out.print(f"note: {note}", markup=False)
    where = f"at block {report.block} ({_behind(report)}) against the node at {node_url}"
    if report.ok:
        entries = report.entries + len(report.newer)
        out.print(
            f"VERIFIED: {entries} entries and balance {report.balance} of player 0x{report.player.hex()} {where}",
            markup=False,
        )
        return
    out.print(f"FAILED: {len(report.problems)} problems in what the API says {where}", markup=False)
    raise typer.Exit(EXIT_FAILED)


def _behind(report: VerifyReport) -> str:
    lag, chosen = report.lag, report.at if not report.at.isdigit() else "chosen"
    if lag is None or lag == 0:
        return f"{chosen}; the API is as of it"
    if lag < 0:
        return f"{chosen}; the API is {-lag} blocks ahead, as of block {report.api_block}"
    return f"{chosen}; the API is {lag} block{'s' if lag != 1 else ''} behind, as of block {report.api_block}"
