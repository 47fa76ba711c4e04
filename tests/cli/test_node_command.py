"""`ledger node`: start in the background, report, stop cleanly, keep state across restarts."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.conftest import free_port


def test_the_managed_node_starts_keeps_its_state_and_stops(cli: Cli) -> None:
    port = str(free_port())
    env = {"LEDGER_NODE_PORT": port, "LEDGER_RPC_URL": ""}
    try:
        assert "started on http://127.0.0.1:" + port in cli("node", "start", env=env).stdout
        assert "already running" in cli("node", "start", env=env).stdout
        assert "chain 31337" in cli("node", "status", env=env).stdout
        funded = cli("node", "fund", cli.address, env=env)
        assert funded.exit_code == 0, funded.output
        deployed = cli("deploy", env=env)
        assert deployed.exit_code == 0, deployed.output
        assert "stopped" in cli("node", "stop", env=env).stdout
        assert cli("node", "status", env=env).exit_code == 1
        # the state file brings the deployment back after a restart
        assert cli("node", "start", env=env).exit_code == 0
        assert "already deployed" in cli("deploy", env=env).stdout
    finally:
        cli("node", "stop", env=env)
    assert (cli.data_dir / "node" / "state.json").exists()
