"""Reproducible compilation of the ledger contract through py-solc-x and the pinned solcjs.

`python -m ledger.compile` rewrites `ledger/artifacts/`; `--check` only reports whether the
committed artifacts equal a fresh build, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import solcx

from ledger.errors import CompileError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
NODE_MODULES = CONTRACTS_DIR / "node_modules"
SOLC_WRAPPER = PROJECT_ROOT / "scripts" / "solc"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

SOLC_VERSION = "0.8.28+commit.7893614a"
MAIN_SOURCE = "RewardsLedger.sol"
CONTRACT_NAME = "RewardsLedger"
SETTINGS: dict[str, Any] = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 10_000},
    "metadata": {"bytecodeHash": "ipfs"},
    "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
    "outputSelection": {
        "RewardsLedger.sol": {
            "RewardsLedger": [
                "abi",
                "metadata",
                "storageLayout",
                "evm.bytecode.object",
                "evm.deployedBytecode.object",
                "evm.methodIdentifiers",
            ]
        }
    },
}


def standard_input() -> dict[str, Any]:
    """The standard-JSON input: our own sources by content, imports resolved by the compiler."""
    sources = {
        path.relative_to(CONTRACTS_DIR).as_posix(): {"content": path.read_text(encoding="utf-8")}
        for path in sorted(CONTRACTS_DIR.glob("**/*.sol"))
        if "node_modules" not in path.parts
    }
    return {"language": "Solidity", "sources": sources, "settings": SETTINGS}


def compile_contract(solc_binary: Path = SOLC_WRAPPER) -> dict[str, Any]:
    """Compiles the ledger and returns its artifact (a JSON-ready dict)."""
    if not NODE_MODULES.is_dir():
        raise CompileError("contracts/node_modules is missing: run `make setup` (npm ci) first")
    try:
        output = solcx.compile_standard(
            standard_input(),
            solc_binary=solc_binary,
            base_path=CONTRACTS_DIR,
        )
    except solcx.exceptions.SolcError as exc:
        raise CompileError(f"solc failed: {_first_error(exc)}") from exc
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompileError("; ".join(e.get("formattedMessage", e["message"]).strip() for e in errors))
    contract = output["contracts"][MAIN_SOURCE][CONTRACT_NAME]
    metadata = json.loads(contract["metadata"])
    version = metadata["compiler"]["version"]
    if version != SOLC_VERSION:
        raise CompileError(f"compiler is {version}, the project pins {SOLC_VERSION}")
    return {
        "contractName": CONTRACT_NAME,
        "compiler": version,
        "settings": {k: v for k, v in SETTINGS.items() if k != "outputSelection"},
        "sourceHashes": {name: src["keccak256"] for name, src in sorted(metadata["sources"].items())},
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
        "methodIdentifiers": contract["evm"]["methodIdentifiers"],
        "storageLayout": contract["storageLayout"],
        "metadata": contract["metadata"],
    }


def _first_error(exc: Exception) -> str:
    """The compiler's first error message, without the whole command transcript."""
    stdout = getattr(exc, "stdout_data", "") or ""
    try:
        errors = json.loads(stdout).get("errors", [])
    except ValueError:
        return str(exc).splitlines()[0]
    messages = [e.get("formattedMessage", e["message"]).strip() for e in errors if e["severity"] == "error"]
    return messages[0] if messages else str(exc).splitlines()[0]


def render(artifact: dict[str, Any]) -> str:
    """The artifact as committed: sorted keys, two-space indent, trailing newline."""
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def artifact_path(name: str = CONTRACT_NAME) -> Path:
    return ARTIFACTS_DIR / f"{name}.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed artifacts")
    args = parser.parse_args(argv)
    try:
        fresh = render(compile_contract())
    except CompileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    path = artifact_path()
    if args.check:
        same = path.exists() and path.read_text(encoding="utf-8") == fresh
        print("artifacts reproduce byte for byte" if same else f"{path.name} differs from a fresh build")
        return 0 if same else 1
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(fresh, encoding="utf-8")
    print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
