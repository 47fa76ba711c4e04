"""The managed local node: anvil from the project's node_modules, on 127.0.0.1.

The demo, the tests and `ledger node` all start it through `LocalNode`. State persists in a
file inside the node directory (saved every second, so a killed node loses at most a second).
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

from ledger.chain.managed import PROJECT_ROOT, ManagedNode
from ledger.errors import ConfigError

NODE_MODULES = PROJECT_ROOT / "contracts" / "node_modules"
DEV_CHAIN_ID = 31337


def anvil_binary() -> Path:
    """The anvil executable: `LEDGER_ANVIL_BIN`, else the one npm installed for this platform."""
    override = os.environ.get("LEDGER_ANVIL_BIN")
    if override:
        return Path(override)
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system(), "linux")
    machine = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine(), "amd64"
    )
    binary = NODE_MODULES / "@foundry-rs" / f"anvil-{system}-{machine}" / "bin" / "anvil"
    if not binary.exists():
        raise ConfigError(f"anvil is not installed ({binary} is missing): run `make setup`")
    return binary


@dataclass
class LocalNode(ManagedNode):
    """One anvil process; SIGTERM lets it save its state before it exits."""

    name = "anvil"

    slots_in_an_epoch: int = 32
    gas_limit: int = 30_000_000
    persist: bool = True
    steps_tracing: bool = False  # record every opcode, for debug_traceTransaction's struct logs

    @property
    def state_file(self) -> Path:
        return self.directory / "state.json"

    @property
    def state_cache(self) -> Path:
        """Where anvil writes past blocks' states once it holds more than it keeps in memory.

        It grows with the chain (gigabytes for a million-entry ledger), is of no use once anvil
        exits, and anvil leaves it behind (by default in the user's home): so it lives in the
        node's directory and goes when the node stops, or when the next one starts."""
        return self.directory / "state-cache"

    def start(self, detach: bool = False, timeout: float | None = None) -> None:
        shutil.rmtree(self.state_cache, ignore_errors=True)  # a killed node's
        super().start(detach, timeout)

    def stop(self, timeout: float = 10.0) -> bool:
        stopped = super().stop(timeout)
        if stopped:
            shutil.rmtree(self.state_cache, ignore_errors=True)
        return stopped

    def command(self) -> list[str]:
        cmd = [
            str(anvil_binary()),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--gas-limit", str(self.gas_limit),
            "--slots-in-an-epoch", str(self.slots_in_an_epoch),
            "--cache-path", str(self.state_cache),
        ]  # fmt: skip
        if self.block_time:
            cmd += ["--block-time", f"{self.block_time:g}"]
        if self.steps_tracing:
            cmd.append("--steps-tracing")
        if self.persist:
            cmd += ["--state", str(self.state_file), "--state-interval", "1"]
        return cmd
