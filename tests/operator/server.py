"""`ledger serve` with the operator sender, in its own process (to be killed and restarted)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ledger.operator.runtime import OperatorSettings
from tests.conftest import free_port

LEDGER = [sys.executable, "-c", "from ledger.cli.main import main; main()"]


class Server:
    """One `ledger serve` on a free port, sending (LEDGER_OPERATOR_SEND=1), restartable."""

    def __init__(self, cfg: OperatorSettings, log: Path, **extra: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        assert cfg.private_key is not None and cfg.contract_address is not None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == "LEDGER_TEST_DATABASE_URL"},
            "LEDGER_DATABASE_URL": cfg.effective_database_url, "LEDGER_RPC_URL": cfg.effective_rpc_url,
            "LEDGER_DATA_DIR": str(cfg.data_dir), "LEDGER_CONTRACT_ADDRESS": cfg.contract_address,
            "LEDGER_PRIVATE_KEY": cfg.private_key.get_secret_value(), "LEDGER_OPERATOR_SEND": "1",
            "LEDGER_OPERATOR_POLL": "0.05", "LEDGER_OPERATOR_LEASE": "2", "LEDGER_TX_TIMEOUT": "30", **extra,
        }  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*LEDGER, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("ledger serve did not start: " + self.log.read_text()[-2000:])

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
