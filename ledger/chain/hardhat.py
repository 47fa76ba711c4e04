"""The managed Hardhat node: Hardhat 3 from `contracts/hardhat`, run by the Node.js 22 beside it.

A second EVM implementation (EDR) to run the ledger on, next to the anvil of `ledger.chain.node`.
Hardhat keeps its chain in memory only: when the node stops, every block and deployment is gone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import requests

from ledger.chain.managed import PROJECT_ROOT, ManagedNode
from ledger.errors import ConfigError, NodeError

HARDHAT_DIR = PROJECT_ROOT / "contracts" / "hardhat"
SETUP_STEP = "run `make setup` (or contracts/hardhat/install.sh)"
EIP_7825_TX_GAS_CAP = 2**24  # per-transaction gas cap from the Osaka hardfork, Hardhat's default


@dataclass(frozen=True)
class HardhatInstall:
    """Where the Node.js 22 binary, Hardhat's CLI and the project's config live."""

    node: Path
    cli: Path
    config: Path


def hardhat_install() -> HardhatInstall:
    """The installed Hardhat; `LEDGER_HARDHAT_NODE` may name another Node.js >= 22 binary."""
    node = Path(
        os.environ.get("LEDGER_HARDHAT_NODE")
        or HARDHAT_DIR / "runtime" / "node_modules" / "node" / "bin" / "node"
    )
    cli = HARDHAT_DIR / "node_modules" / "hardhat" / "dist" / "src" / "cli.js"
    for path, what in ((node, "Node.js 22"), (cli, "Hardhat")):
        if not path.exists():
            raise ConfigError(
                f"{what} for the Hardhat node is not installed ({path} is missing): {SETUP_STEP}"
            )
    return HardhatInstall(node, cli, HARDHAT_DIR / "hardhat.config.js")


@dataclass
class HardhatNode(ManagedNode):
    """One `hardhat node` process. Its chain lives in memory: stopping it loses every block."""

    name = "hardhat"
    start_timeout = 60.0
    poll_every = 0.1

    gas_limit: int = 60_000_000
    hardfork: str | None = None
    verbose: bool = False  # log every JSON-RPC call (Hardhat's default) instead of only startup

    def command(self) -> list[str]:
        install = hardhat_install()
        return [
            str(install.node), str(install.cli), "--config", str(install.config),
            "node", "--hostname", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip

    def working_directory(self) -> Path:
        return HARDHAT_DIR

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "HARDHAT_DISABLE_TELEMETRY": "true",
            "NO_COLOR": "1",
            "LEDGER_HARDHAT_GAS_LIMIT": str(self.gas_limit),
            "LEDGER_HARDHAT_WORK_DIR": str(self.directory.resolve()),
        }
        env.pop("FORCE_COLOR", None)
        if self.block_time:
            env["LEDGER_HARDHAT_BLOCK_TIME_MS"] = str(max(1, round(self.block_time * 1000)))
        if self.hardfork:
            env["LEDGER_HARDHAT_HARDFORK"] = self.hardfork
        return env

    def on_ready(self) -> None:
        if not self.verbose:
            self._request("hardhat_setLoggingEnabled", [False])

    def _request(self, method: str, params: list[object]) -> None:
        try:
            reply = requests.post(
                self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=5
            ).json()
        except (requests.RequestException, ValueError) as exc:
            raise NodeError(f"hardhat on {self.url} stopped answering: {type(exc).__name__}") from exc
        if "error" in reply:
            raise NodeError(f"hardhat refused {method}: {reply['error'].get('message')}")
