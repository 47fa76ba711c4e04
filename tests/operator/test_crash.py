"""SIGKILL of the server while rewards are posted and sent, then a restart: every acknowledged
reward lands exactly once, and a client that retries what was not acknowledged lands nothing twice."""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from web3 import Web3

from ledger.chain.node import LocalNode
from ledger.db.engine import make_engine
from ledger.db.migrate import upgrade
from ledger.encoding import text_to_bytes
from ledger.operator import tables as t
from ledger.operator.tokens import create_token
from tests.conftest import LedgerHarness, deploy_on, wait_until
from tests.operator.conftest import settings_for
from tests.operator.server import Server

ROWS, PER_REQUEST, KILLS = 1_000, 50, 3


class Client:
    """Posts every request until each is acknowledged; a request cut off by a kill is sent again."""

    def __init__(self, server: Server, token: str, requests: list[dict]) -> None:  # type: ignore[type-arg]
        self.server, self.requests = server, requests
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acknowledged: set[int] = set()
        self.answers: dict[int, int] = {}

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set() and len(self.acknowledged) < len(self.requests):
            for index, body in enumerate(self.requests):
                if index in self.acknowledged or stop.is_set():
                    continue
                try:
                    answer = httpx.post(
                        self.server.base + "/v1/operator/rewards", json=body, headers=self.headers, timeout=10
                    )
                except httpx.HTTPError:
                    time.sleep(0.05)  # the server is down: retry once it is back
                    continue
                assert answer.status_code in (200, 202), answer.text
                self.acknowledged.add(index)
                self.answers[index] = answer.status_code


@pytest.fixture
def crash_ledger(w3: Web3, operator: LocalAccount) -> LedgerHarness:
    ledger = deploy_on(w3, operator)
    ledger.campaign("welcome")
    return ledger


@pytest.fixture
def server(
    crash_ledger: LedgerHarness, database_url: str, anvil: LocalNode, tmp_path: Path
) -> Iterator[Server]:
    upgrade(database_url)
    cfg = settings_for(crash_ledger, database_url, tmp_path / "data", anvil)
    running = Server(cfg, tmp_path / "serve.log", LEDGER_BATCH_ROWS="100")
    running.start()
    yield running
    running.stop()


@pytest.mark.slow
def test_killed_servers_land_every_acknowledged_reward_exactly_once(
    crash_ledger: LedgerHarness, server: Server, database_url: str
) -> None:
    engine = make_engine(database_url)
    token = create_token(engine, "issuer")[1]
    rows = [
        {"player": "0x" + secrets.token_hex(32), "amount": str(1 + i % 97), "reference": f"crash-{i:05d}"}
        for i in range(ROWS)
    ]
    requests = [
        {"campaign": "welcome", "rows": rows[i : i + PER_REQUEST]} for i in range(0, ROWS, PER_REQUEST)
    ]
    client, stop = Client(server, token, requests), threading.Event()
    poster = threading.Thread(target=client.run, args=(stop,))
    poster.start()
    rng = random.Random(12)
    at_kill = []
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 1.5))
            at_kill.append(len(client.acknowledged))
            server.kill()
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()
        poster.join(120)
        assert len(client.acknowledged) == len(requests)
        assert any(0 < acked < len(requests) for acked in at_kill), at_kill  # killed mid-stream

        def all_landed() -> bool:
            with engine.connect() as conn:
                waiting = conn.execute(
                    select(func.count())
                    .select_from(t.writes)
                    .where(t.writes.c.status.not_in(["mined", "final"]))
                ).scalar_one()
            return waiting == 0

        wait_until(all_landed, timeout=120, interval=0.5)
    finally:
        stop.set()
        poster.join(30)
    client_of = crash_ledger.client
    assert client_of.chain_state()[0] == ROWS  # every reward once: no more entries than rows
    assert client_of.campaign(text_to_bytes("welcome")).issued == sum(int(r["amount"]) for r in rows)
    for row in rows:
        assert client_of.player(bytes.fromhex(row["player"][2:])).balance == int(row["amount"])
    with engine.connect() as conn:
        seqs = conn.execute(select(t.writes.c.seq)).scalars().all()
    engine.dispose()
    assert sorted(seqs) == list(range(1, ROWS + 1))
