"""Anyone can reproduce the committed bytecode from the sources."""

from __future__ import annotations

import json
import re

import pytest
from eth_utils.crypto import keccak

from ledger.chain.client import LedgerClient
from ledger.compile import CONTRACTS_DIR, SOLC_VERSION, artifact_path, compile_contract, render
from ledger.errors import ConfigError
from tests.conftest import LedgerHarness


@pytest.mark.slow
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


def test_the_artifact_lays_out_every_namespace_the_sources_declare_at_the_root_they_hard_code() -> None:
    recorded = json.loads(artifact_path().read_text(encoding="utf-8"))["namespacedStorageLayout"][
        "namespaces"
    ]
    declared = {}
    for path in sorted(CONTRACTS_DIR.glob("**/*.sol")):
        if "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for namespace in re.findall(r"@custom:storage-location erc7201:(\S+)", text):
            declared[namespace] = {int(h, 16) for h in re.findall(r"constant \w+ = (0x[0-9a-f]{64});", text)}
    assert sorted(declared) == sorted(recorded) and len(declared) >= 3
    for namespace, constants in declared.items():
        inner = int.from_bytes(keccak(text=namespace), "big") - 1
        root = int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF
        assert int(recorded[namespace]["slot"]) == root
        assert root in constants, f"{namespace}: the source's constant is not its ERC-7201 root"
