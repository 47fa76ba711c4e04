"""Anyone can reproduce the committed bytecode from the sources."""

from __future__ import annotations

import json

import pytest

from ledger.chain.client import LedgerClient
from ledger.compile import SOLC_VERSION, artifact_path, compile_contract, render
from ledger.errors import ConfigError
from tests.conftest import LedgerHarness


def test_recompiling_the_sources_reproduces_the_committed_artifact_byte_for_byte() -> None:
    committed = artifact_path().read_text(encoding="utf-8")
    assert render(compile_contract()) == committed


def test_the_artifact_records_the_pinned_compiler_settings_and_source_hashes() -> None:
    artifact = json.loads(artifact_path().read_text(encoding="utf-8"))
    assert artifact["compiler"] == SOLC_VERSION
    assert artifact["settings"]["optimizer"] == {"enabled": True, "runs": 10_000}
    assert set(artifact["sourceHashes"]) >= {"RewardsLedger.sol", "interfaces/IRewardsLedger.sol"}
    assert json.loads(artifact["metadata"])["compiler"]["version"] == SOLC_VERSION


def test_a_deployed_ledger_runs_exactly_the_artifacts_code(ledger: LedgerHarness) -> None:
    ledger.client.check_code()
    deployed = bytes(ledger.w3.eth.get_code(ledger.client.address))
    expected = json.loads(artifact_path().read_text(encoding="utf-8"))["deployedBytecode"]
    assert "0x" + deployed.hex() == expected


def test_an_address_without_the_ledgers_code_is_refused(ledger: LedgerHarness) -> None:
    with pytest.raises(ConfigError, match="no contract"):
        LedgerClient(ledger.w3, "0x" + "11" * 20).check_code()
