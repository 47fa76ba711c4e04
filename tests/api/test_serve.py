"""`ledger serve`: the real command in its own process, over a real mirror."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ledger.chain.node import LocalNode
from tests.api.world import World
from tests.conftest import free_port, wait_until

pytestmark = pytest.mark.slow  # the real command in processes of its own

LEDGER = [sys.executable, "-c", "from ledger.cli.main import main; main()"]


@contextmanager
def ledger_serve(
    world: World, url: str, anvil: LocalNode, *args: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_RPC_URL": anvil.url,
           "LEDGER_DATA_DIR": str(world.terms_dir.parent), "LEDGER_API_TOKEN": "serve-token"}  # fmt: skip
    process = subprocess.Popen(
        [*LEDGER, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Workers start in processes of their own: on a loaded machine that takes a while.
        wait_until(
            lambda: _ready(base, process), timeout=STARTUP_S, what=f"`ledger serve {' '.join(args)}` ready"
        )
        yield base, process
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert process.returncode in (0, -15), output


STARTUP_S = 90
TIMEOUT = httpx.Timeout(30)  # a worker's first request opens its database on a machine under load


def _ready(base: str, process: subprocess.Popen[str]) -> bool:
    """The service answers /ready; fails at once if the command has exited."""
    if process.poll() is not None:
        raise AssertionError(f"`ledger serve` exited with {process.returncode}: {process.communicate()[0]}")
    try:
        return httpx.get(base + "/ready", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ledger_serve_answers_players_and_guards_audit_routes(
    world: World, mirror_url: str, anvil: LocalNode, workers: str
) -> None:
    with ledger_serve(world, mirror_url, anvil, "--workers", workers) as (base, _):
        balance = httpx.get(f"{base}/v1/players/{world.key('alice')}/balance", timeout=TIMEOUT)
        summary = httpx.get(f"{base}/v1/audit/summary", timeout=TIMEOUT)
        authorised = httpx.get(
            f"{base}/v1/audit/summary", headers={"Authorization": "Bearer serve-token"}, timeout=TIMEOUT
        )
    assert (balance.status_code, balance.json()["available"]) == (200, "320")
    assert (summary.status_code, authorised.status_code) == (401, 200)


def test_ledger_serve_says_so_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'mirror.db'}"}
        done = subprocess.run(
            [*LEDGER, "serve", "--port", str(port)], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ledger_serve_refuses_a_malformed_database_url_in_one_line(workers: str) -> None:
    env = {**os.environ, "LEDGER_DATABASE_URL": "not a url"}
    done = subprocess.run(
        [*LEDGER, "serve", "--port", str(free_port()), "--workers", workers],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == "error: the database URL 'not a url' is not valid"
