#!/usr/bin/env python3
"""Gamification benchmark: the tier view's gas, the final standings commitment of 100,000
participants and its prizes, and the leaderboard page with proofs beside the bare endpoint.

On anvil: a ledger and RewardsGames; an eight-tier table and `tierOf` (cold, and warm via an
access list); a tournament of 100,000 participants (`--quick`: 5,000) ranked in Python, its final
standings committed, its 100 prizes issued as one batch checked against the table; the standings
with every proof written to a SQLite mirror, served by `ledger serve`, and loaded from a second
process (`wrk` when installed, else a Python load generator): random leaderboard pages of 50
lines with proofs, and `/health` (the bare endpoint) in the same run. `--json` ends with one JSON
object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from eth_account import Account
from eth_utils.crypto import keccak
from web3 import Web3

from ledger.chain.client import LedgerClient
from ledger.chain.node import LocalNode
from ledger.chain.sender import Sender
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.encoding import text_to_bytes
from ledger.games.check import Claim, check_standing
from ledger.games.contract import GamesClient, deploy_games, games_role
from ledger.games.document import parse_document
from ledger.games.gas import view_gas
from ledger.games.mirror import save_standings
from ledger.games.standings import PRIZES_FORMAT, Score, prize_table, rank
from ledger.games.tournament import issue_prizes
from ledger.indexer.service import catch_up
from ledger.ops.deploy import deploy_ledger
from ledger.ops.entries import create_campaign, issue_one, set_role

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import run_load


def _bench_api() -> ModuleType:
    """scripts/bench/api.py (its `serving` and `free_port`), loaded apart from the `api` package."""
    spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).resolve().parent / "api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_api"] = module
    spec.loader.exec_module(module)
    return module


BENCH_API = _bench_api()
free_port, serving = BENCH_API.free_port, BENCH_API.serving

TARGETS = {
    "leaderboard_rps": 2000,
    "leaderboard_p99_ms": 50,
    "standings_commit_gas": 80_000,
    "tier_view_gas": 5_000,
}
PLACES = 100
PAGE = 50


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Bench:
    """A ledger and its games contract on a fresh anvil."""

    def __init__(self, node: LocalNode) -> None:
        self.w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 300}))
        account = Account.create()
        self.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**26)])  # type: ignore[arg-type]
        self.sender = Sender(self.w3, account, timeout=600)
        deployment = deploy_ledger(self.sender)
        self.deploy_block = deployment.block_number
        self.client = LedgerClient(self.w3, deployment.address)
        set_role(self.client, self.sender, "issuer", account.address, granted=True)
        self.games = GamesClient(self.w3, deploy_games(self.sender, self.client).address)
        self.games.transact(self.sender, "grantRole", games_role("tournament"), account.address)
        self.campaign = text_to_bytes("games")
        create_campaign(self.client, self.sender, self.campaign, 2**120, keccak(b"t"), self.now() - 10, self.now() + 10**8)  # fmt: skip

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def warp(self, seconds: int) -> None:
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def tier_gas(bench: Bench) -> dict[str, float]:
    thresholds = [10**i for i in range(1, 9)]
    bench.games.transact(
        bench.sender, "publishTierTable", keccak(b"tiers"), thresholds, 1, 30 * 86_400, 7 * 86_400
    )
    player = secrets.token_bytes(32)
    issue_one(bench.client, bench.sender, bench.campaign, player, 12_345, secrets.token_bytes(32))
    bench.games.transact(bench.sender, "syncTier", player)
    cold, warm = view_gas(bench.games, player)
    log(f"  tierOf: {warm:,} gas warm, {cold:,} gas cold (first touch of the ledger and five slots)")
    return {"tier_view_gas": warm, "tier_view_gas_cold": cold}


def tournament(bench: Bench, participants: int) -> tuple[dict[str, float], object, bytes]:
    table = prize_table(parse_document(json.dumps({"format": PRIZES_FORMAT, "prizes": [str(1000 * (PLACES - i)) for i in range(PLACES)]}), PRIZES_FORMAT, "prizes"))  # fmt: skip
    tid = text_to_bytes("weekly")
    now = bench.now()
    bench.games.transact(bench.sender, "createTournament", tid, bench.campaign, keccak(b"scoring"), table.document.hash, table.total, PLACES, now, now + 600)  # fmt: skip
    rng = random.Random(5)
    scores = [
        Score(secrets.token_bytes(32), rng.randrange(10**6), rng.randrange(10**9))
        for _ in range(participants)
    ]
    started = time.perf_counter()
    standings = rank(scores)
    rank_s = time.perf_counter() - started
    midway = bench.games.transact(bench.sender, "commitStandings", tid, standings.root, participants, False)
    bench.warp(700)
    final = bench.games.transact(bench.sender, "commitStandings", tid, standings.root, participants, True)
    prizes = issue_prizes(bench.games, bench.sender, tid, standings, table)
    assert prizes is not None
    tenth = standings.ranked[9]
    board = [Claim(s.player, s.score, s.rank, standings.proof(s.rank)) for s in standings.ranked[:10]]
    problems = check_standing(bench.games, tid, tenth.player, board, table)
    if problems:
        raise RuntimeError(f"the player's check failed: {problems}")
    log(f"  {participants:,} participants ranked with their tree in {rank_s:.1f} s")
    log(f"  standings commitment {midway.gas_used:,} gas, final {final.gas_used:,} gas; {PLACES} prizes {prizes.gas_used:,} gas")  # fmt: skip
    figures = {
        "participants": participants, "rank_and_tree_s": rank_s, "standings_commit_gas": final.gas_used,
        "standings_midway_gas": midway.gas_used, "prize_batch_gas": prizes.gas_used,
    }  # fmt: skip
    return figures, standings, tid


def serve_and_load(
    bench: Bench, standings: object, tid: bytes, tmp: Path, args: argparse.Namespace
) -> dict[str, float]:
    url = f"sqlite:///{tmp / 'mirror.db'}"
    engine = make_engine(url)
    upgrade(engine)
    catch_up(bench.w3, bench.client.address, engine, start_block=bench.deploy_block)
    started = time.perf_counter()
    save_standings(engine, tid, standings, 2, True)  # type: ignore[arg-type]
    store_s = time.perf_counter() - started
    engine.dispose()
    log(f"  standings with proofs written to SQLite in {store_s:.1f} s")
    participants = len(standings.ranked)  # type: ignore[attr-defined]
    rng = random.Random(3)
    pages = [f"/v1/games/tournaments/weekly/leaderboard?after_rank={rng.randrange(participants - PAGE)}&limit={PAGE}" for _ in range(2000)]  # fmt: skip
    figures: dict[str, float] = {"standings_store_s": store_s}
    ledger = type("L", (), {"node": type("N", (), {"url": bench.w3.provider.endpoint_uri})(), "address": bench.client.address})()  # type: ignore[attr-defined]  # fmt: skip
    with serving(url, ledger, args.workers, tmp) as base:  # type: ignore[arg-type]
        for paths in (["/health"], pages):
            run_load(base, paths, 2, args.connections)
        for name, paths in (("bare", ["/health"]), ("leaderboard", pages)):
            result = run_load(base, paths, args.seconds, args.connections)
            if result.errors:
                raise RuntimeError(f"{name}: {result.errors} failed requests of {result.requests}")
            figures |= {
                f"{name}_rps": result.rps,
                f"{name}_p50_ms": result.p50_ms,
                f"{name}_p99_ms": result.p99_ms,
            }
            log(
                f"  {name:<12} {result.rps:>8,.0f} req/s   p50 {result.p50_ms:6.2f} ms   p99 {result.p99_ms:6.2f} ms"
            )
    figures["leaderboard_vs_bare"] = figures["leaderboard_rps"] / figures["bare_rps"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 participants and 3-second loads")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON object")
    parser.add_argument("--seconds", type=float, default=10.0, help="load duration per endpoint")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--workers", type=int, default=1, help="`ledger serve` worker processes")
    args = parser.parse_args()
    participants = 5_000 if args.quick else 100_000
    args.seconds = 3.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory() as tmp:
        node = LocalNode(Path(tmp) / "node", port=free_port(), persist=False, gas_limit=300_000_000)
        node.start()
        try:
            bench = Bench(node)
            figures: dict[str, float | str] = dict(tier_gas(bench))
            found, standings, tid = tournament(bench, participants)
            figures |= found
            figures |= serve_and_load(bench, standings, tid, Path(tmp), args)
        finally:
            node.stop()
    figures["load_generator"] = "wrk" if shutil.which("wrk") else "python"
    log(f"targets ({figures['load_generator']} on loopback, {participants:,} participants):")
    for key, target in TARGETS.items():
        value = float(figures[key])
        lower = key.endswith(("_ms", "_gas"))
        met = value <= target if lower else value >= target
        log(
            f"  {key:<22} {value:>12,.2f}   target {'<=' if lower else '>='} {target:,}   {'met' if met else 'MISSED'}"
        )
    log(f"  leaderboard {float(figures['leaderboard_rps']):,.0f} req/s = {float(figures['leaderboard_vs_bare']):.2f} of bare")  # fmt: skip
    if args.json:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
