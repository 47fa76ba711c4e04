"""The test tokens under contracts/test/ (a 6-decimal stablecoin and three misbehaving tokens),
compiled on demand with the project's pinned compiler and deployed for tests, the demo and the
cash-out benchmark. Never for a chain where tokens have value."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ledger.chain.sender import Sender
from ledger.encoding import checksum
from ledger.errors import CompileError, ConfigError

TOKENS = ("TestStablecoin", "ReenteringToken", "NoReturnToken", "FeeOnTransferToken")


@dataclass(frozen=True)
class TokenArtifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str


def _sources() -> dict[str, dict[str, str]]:
    from ledger.compile import CONTRACTS_DIR

    return {
        f"test/{name}.sol": {"content": (CONTRACTS_DIR / "test" / f"{name}.sol").read_text(encoding="utf-8")}
        for name in TOKENS
    }


def _cache_path(sources: dict[str, dict[str, str]]) -> Path:
    from ledger.compile import PROJECT_ROOT

    digest = hashlib.sha256(json.dumps(sources, sort_keys=True).encode()).hexdigest()[:16]
    return PROJECT_ROOT / "data" / "build" / f"test-tokens-{digest}.json"


@cache
def test_tokens() -> dict[str, TokenArtifact]:
    """Every test token's ABI and creation code (compiled once, cached by source under data/build)."""
    sources = _sources()
    path = _cache_path(sources)
    if not path.exists():
        from ledger.compile import SETTINGS, SOLC_WRAPPER, _compile

        selection = {"*": {"*": ["abi", "evm.bytecode.object"]}}
        settings = {**SETTINGS, "outputSelection": selection}
        output = _compile({"language": "Solidity", "sources": sources, "settings": settings}, SOLC_WRAPPER)
        found = {
            name: {"abi": output["contracts"][f"test/{name}.sol"][name]["abi"],
                   "bytecode": "0x" + output["contracts"][f"test/{name}.sol"][name]["evm"]["bytecode"]["object"]}
            for name in TOKENS
        }  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(found), encoding="utf-8")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {name: TokenArtifact(name, item["abi"], item["bytecode"]) for name, item in data.items()}


def deploy_token(sender: Sender, name: str = "TestStablecoin") -> str:
    """Deploys the test token `name`; returns its address."""
    if name not in TOKENS:
        raise CompileError(f"unknown test token {name!r}: expected one of {', '.join(TOKENS)}")
    data = bytes.fromhex(test_tokens()[name].bytecode.removeprefix("0x"))
    gas = int(sender.w3.eth.estimate_gas({"from": sender.address, "data": data}) * 1.2)
    receipt = sender.wait([sender.send_create(data, gas, note=f"deploy {name}")])[0]
    if not receipt.contract_address:
        raise ConfigError(f"deploying {name} created no contract")
    return str(checksum(receipt.contract_address))
