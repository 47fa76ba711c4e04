"""Indexer fixtures: a migrated mirror per database, ledger activity of every kind, mirror dumps."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ledger.audit.reconcile import reconcile
from ledger.db import tables as t
from ledger.db.engine import make_engine
from ledger.encoding import Row, pack_rows, text_to_bytes
from ledger.indexer.service import Indexer, Options, Stats, catch_up
from ledger.ops.entries import close_campaign, expire_balance, record_payout, reverse_reward, set_paused
from ledger.ops.lookup import find_reward
from tests.conftest import LedgerHarness, random_player

FAST = Options(poll_interval=0.02, retry_for=30.0, rpc_timeout=10.0)


def index(ledger: LedgerHarness, engine: Engine, options: Options = FAST) -> Stats:
    return catch_up(
        ledger.w3, ledger.client.address, engine, start_block=ledger.deploy_block, options=options
    )


def indexer_for(ledger: LedgerHarness, engine: Engine, url: str | None = None, **options: Any) -> Indexer:
    opts = Options(**{**FAST.__dict__, **options})
    return Indexer(
        url or ledger.w3.provider.endpoint_uri, ledger.client.address, engine, ledger.deploy_block, opts
    )  # type: ignore[attr-defined]


@contextmanager
def following(indexer: Indexer) -> Iterator[threading.Thread]:
    """Runs `indexer` in follow mode on a thread until the block ends (then stops it); the thread."""
    thread = threading.Thread(target=indexer.run, kwargs={"follow": True})
    thread.start()
    try:
        yield thread
    finally:
        indexer.stop.set()
        thread.join(timeout=10)


def rows(count: int, players: list[bytes] | None = None, amount: int = 1_000) -> list[Row]:
    """Batch rows, spread over `players` (new random players by default)."""
    out = []
    for i in range(count):
        player = players[i % len(players)] if players else random_player()
        out.append(Row(player, amount + i, secrets.token_bytes(20)))
    return out


def every_kind(ledger: LedgerHarness) -> dict[str, Any]:
    """Ledger activity with every event the contract emits: campaigns, issues, a batch, a payout,
    a reversal, an expiry, a pause and a closed campaign."""
    alice, bob = random_player(), random_player()
    welcome = ledger.campaign("welcome-" + secrets.token_hex(4))
    spring = ledger.campaign("spring-" + secrets.token_hex(4), budget=10**28)
    first = ledger.issue(welcome, alice, 5_000)
    ledger.issue(spring, bob, 2**90)
    ledger.issue_batch(welcome, rows(5, [alice, bob, random_player()]))
    record_payout(ledger.client, ledger.sender, alice, 1_500, text_to_bytes("pay-" + secrets.token_hex(4)))
    proof = find_reward(ledger.client, first.seq, ledger.deploy_block)
    reverse_reward(ledger.client, ledger.sender, proof, 700, text_to_bytes("fraud"))
    expire_balance(
        ledger.client,
        ledger.sender,
        bob,
        300,
        text_to_bytes("exp-" + secrets.token_hex(4)),
        text_to_bytes("90 days"),
    )
    set_paused(ledger.client, ledger.sender, True)
    set_paused(ledger.client, ledger.sender, False)
    close_campaign(ledger.client, ledger.sender, spring)
    return {"alice": alice, "bob": bob, "welcome": welcome, "spring": spring}


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The mirror's content, without surrogate ids, for comparing two mirrors."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table, order in (
            (t.entries, "seq"), (t.players, "player"), (t.campaigns, "campaign_id"), (t.payouts, "seq"),
            (t.reversals, "seq"), (t.expiries, "seq"), (t.totals, "id"),
        ):  # fmt: skip
            columns = [c for c in table.c if c.name != "event_id"]
            out[table.name] = [tuple(r) for r in conn.execute(select(*columns).order_by(table.c[order]))]
        columns = [c for c in t.events.c if c.name != "id"]
        out["events"] = [
            tuple(r)
            for r in conn.execute(select(*columns).order_by(t.events.c.block_number, t.events.c.log_index))
        ]
    return out


def mirror_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(t.totals.c.entry_count)).scalar() or 0)


def assert_mirror_is_canonical(ledger: LedgerHarness, engine: Engine, tmp_path: Path) -> None:
    """The mirror reconciles with the chain and equals a mirror built from scratch right now."""
    report = reconcile(ledger.client, engine)
    assert report.ok, report.lines()
    fresh = make_engine(f"sqlite:///{tmp_path / f'fresh-{secrets.token_hex(4)}.db'}")
    try:
        index(ledger, fresh)
        assert dump(engine) == dump(fresh)
    finally:
        fresh.dispose()


def signed_issue(ledger: LedgerHarness, campaign: bytes, player: bytes, amount: int, nonce: int) -> str:
    """A raw signed `issue` transaction from the operator at `nonce`, for anvil_reorg to include."""
    data = ledger.client.encode("issue", campaign, player, amount, secrets.token_bytes(32))
    max_fee, tip = ledger.sender.fees()
    tx = {
        "type": 2, "chainId": ledger.client.chain_id, "nonce": nonce, "to": ledger.client.address,
        "data": data, "gas": 400_000, "maxFeePerGas": max_fee * 4, "maxPriorityFeePerGas": tip, "value": 0,
    }  # fmt: skip
    return "0x" + bytes(ledger.account.sign_transaction(tx).raw_transaction).hex()


def rpc(ledger: LedgerHarness, method: str, *params: Any) -> Any:
    answer = ledger.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def issue_batches(ledger: LedgerHarness, campaign: bytes, batches: list[list[Row]]) -> None:
    """Sends every batch before waiting for any receipt (much faster than one by one)."""
    hashes = []
    for batch in batches:
        data = ledger.client.encode("issueBatch", secrets.token_bytes(32), campaign, pack_rows(batch))
        hashes.append(ledger.sender.send(ledger.client.address, data, 200_000 + 40_000 * len(batch)))
    for receipt in ledger.sender.wait(hashes):
        assert receipt.status == 1
