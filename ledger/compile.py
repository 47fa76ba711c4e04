"""Reproducible compilation of the ledger contract through py-solc-x and the pinned solcjs.

`python -m ledger.compile` rewrites `ledger/artifacts/`; `--check` only reports whether the
committed artifacts equal a fresh build, byte for byte.

The ledger keeps its state in ERC-7201 namespaces, which solc's `storageLayout` does not list. The
artifact records them too (`namespacedStorageLayout`): every struct tagged
`@custom:storage-location erc7201:<id>` is laid out by the compiler itself, as a state variable of
a probe contract compiled beside the sources and never deployed, then moved to its namespace's
root.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import solcx

from ledger.artifact import erc7201_slot
from ledger.errors import CompileError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_DIR = PROJECT_ROOT / "contracts"
NODE_MODULES = CONTRACTS_DIR / "node_modules"
SOLC_WRAPPER = PROJECT_ROOT / "scripts" / "solc"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

SOLC_VERSION = "0.8.28+commit.7893614a"
MAIN_SOURCE = "RewardsLedger.sol"
CONTRACT_NAME = "RewardsLedger"
# contracts built beside the ledger, each with an artifact of its own (no ERC-7201 namespaces)
EXTRA_CONTRACTS = {"RewardsGames": "RewardsGames.sol"}
# their own sources stay out of the ledger's build, so the ledger's artifact does not move
EXTRA_SOURCES = {"RewardsGames.sol", "interfaces/IRewardsGames.sol"}
SETTINGS: dict[str, Any] = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 10_000},
    "metadata": {"bytecodeHash": "ipfs"},
    "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
    "outputSelection": {
        source: {
            name: [
                "abi",
                "metadata",
                "storageLayout",
                "evm.bytecode.object",
                "evm.deployedBytecode.object",
                "evm.methodIdentifiers",
            ]
        }
        for source, name in (("RewardsLedger.sol", "RewardsLedger"), ("RewardsGames.sol", "RewardsGames"))
    }
    | {
        "*": {"": ["ast"]},
    },
}
NAMESPACE_TAG = re.compile(r"@custom:storage-location\s+erc7201:(\S+)")
PROBE_SOURCE = "__namespaces__.sol"
PROBE_CONTRACT = "NamespacedStorage"


def standard_input(extras: bool = False) -> dict[str, Any]:
    """The standard-JSON input: our own sources by content, imports resolved by the compiler;
    the ledger's sources only unless `extras` (the contracts built beside it). The test tokens
    under contracts/test/ are compiled apart, by `ledger.cashout.tokens`."""
    sources = {
        path.relative_to(CONTRACTS_DIR).as_posix(): {"content": path.read_text(encoding="utf-8")}
        for path in sorted(CONTRACTS_DIR.glob("**/*.sol"))
        if "node_modules" not in path.parts
        and path.relative_to(CONTRACTS_DIR).parts[0] != "test"
        and (extras or path.relative_to(CONTRACTS_DIR).as_posix() not in EXTRA_SOURCES)
    }
    return {"language": "Solidity", "sources": sources, "settings": SETTINGS}


def compile_contract(solc_binary: Path = SOLC_WRAPPER) -> dict[str, Any]:
    """Compiles the ledger and returns its artifact (a JSON-ready dict)."""
    if not NODE_MODULES.is_dir():
        raise CompileError("contracts/node_modules is missing: run `make setup` (npm ci) first")
    source_input = standard_input()
    output = _compile(source_input, solc_binary)
    contract = output["contracts"][MAIN_SOURCE][CONTRACT_NAME]
    metadata = json.loads(contract["metadata"])
    version = metadata["compiler"]["version"]
    if version != SOLC_VERSION:
        raise CompileError(f"compiler is {version}, the project pins {SOLC_VERSION}")
    namespaces = namespaced_structs(output["sources"])
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
        "namespacedStorageLayout": namespaced_layout(source_input, namespaces, solc_binary),
        "metadata": contract["metadata"],
    }


def compile_extra(name: str, solc_binary: Path = SOLC_WRAPPER) -> dict[str, Any]:
    """A contract deployed beside the ledger (e.g. RewardsGames): ABI, bytecode, layout."""
    output = _compile(standard_input(extras=True), solc_binary)
    contract = output["contracts"][EXTRA_CONTRACTS[name]][name]
    metadata = json.loads(contract["metadata"])
    return {
        "contractName": name,
        "compiler": metadata["compiler"]["version"],
        "settings": {k: v for k, v in SETTINGS.items() if k != "outputSelection"},
        "sourceHashes": {src: meta["keccak256"] for src, meta in sorted(metadata["sources"].items())},
        "abi": contract["abi"],
        "bytecode": "0x" + contract["evm"]["bytecode"]["object"],
        "deployedBytecode": "0x" + contract["evm"]["deployedBytecode"]["object"],
        "methodIdentifiers": contract["evm"]["methodIdentifiers"],
        "storageLayout": contract["storageLayout"],
        "metadata": contract["metadata"],
    }


_BUILT: dict[str, dict[str, Any]] = {}  # one solc run per distinct input in a process


def _compile(source_input: dict[str, Any], solc_binary: Path) -> dict[str, Any]:
    key = json.dumps([source_input, str(solc_binary)], sort_keys=True)
    if key not in _BUILT:
        _BUILT[key] = _run_solc(source_input, solc_binary)
    return copy.deepcopy(_BUILT[key])


def _run_solc(source_input: dict[str, Any], solc_binary: Path) -> dict[str, Any]:
    try:
        output: dict[str, Any] = solcx.compile_standard(
            source_input, solc_binary=solc_binary, base_path=CONTRACTS_DIR
        )
    except solcx.exceptions.SolcError as exc:
        raise CompileError(f"solc failed: {_first_error(exc)}") from exc
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompileError("; ".join(e.get("formattedMessage", e["message"]).strip() for e in errors))
    return output


def namespaced_structs(sources: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Every ERC-7201 namespace the sources declare: its id -> (the struct's canonical name, the
    source unit that declares it)."""
    found: dict[str, tuple[str, str]] = {}
    for unit, source in sources.items():
        for node in _walk(source["ast"]):
            if node.get("nodeType") != "StructDefinition" or not node.get("documentation"):
                continue
            tag = NAMESPACE_TAG.search(node["documentation"]["text"])
            if tag:
                if tag.group(1) in found:
                    raise CompileError(f"namespace {tag.group(1)} is declared twice")
                found[tag.group(1)] = (node["canonicalName"], unit)
    return dict(sorted(found.items()))


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A source unit's top-level nodes and those of its contracts (where structs are declared)."""
    nodes = list(node.get("nodes", []))
    return nodes + [inner for n in nodes if n.get("nodeType") == "ContractDefinition" for inner in n["nodes"]]


def namespaced_layout(
    source_input: dict[str, Any], namespaces: dict[str, tuple[str, str]], solc_binary: Path
) -> dict[str, Any]:
    """Each namespace's members at their absolute slots, as the compiler lays the struct out."""
    if not namespaces:
        return {"namespaces": {}, "types": {}}
    imports = sorted({(struct.split(".")[0], unit) for struct, unit in namespaces.values()})
    probe = "\n".join(
        [
            "// SPDX-License-Identifier: MIT",
            f"pragma solidity {SOLC_VERSION.split('+')[0]};",
            *(f'import {{{symbol}}} from "{unit}";' for symbol, unit in imports),
            f"contract {PROBE_CONTRACT} {{",
            *(f"    {struct} internal ns{i};" for i, (struct, _) in enumerate(namespaces.values())),
            "}",
        ]
    )
    probe_input = copy.deepcopy(source_input)
    probe_input["sources"][PROBE_SOURCE] = {"content": probe + "\n"}
    probe_input["settings"]["outputSelection"] = {PROBE_SOURCE: {PROBE_CONTRACT: ["storageLayout"]}}
    layout = _compile(probe_input, solc_binary)["contracts"][PROBE_SOURCE][PROBE_CONTRACT]["storageLayout"]
    recorded: dict[str, Any] = {}
    for i, (namespace, (struct, _)) in enumerate(namespaces.items()):
        (variable,) = (item for item in layout["storage"] if item["label"] == f"ns{i}")
        root = erc7201_slot(namespace)
        recorded[namespace] = {
            "slot": str(root),
            "struct": struct,
            "storage": [
                {**member, "slot": str(root + int(member["slot"]))}
                for member in layout["types"][variable["type"]]["members"]
            ],
        }
    return {"namespaces": recorded, "types": layout["types"]}


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
        fresh = {artifact_path(): render(compile_contract())}
        fresh |= {artifact_path(name): render(compile_extra(name)) for name in EXTRA_CONTRACTS}
    except CompileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        differ = [
            p.name for p, text in fresh.items() if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        print(
            f"{', '.join(differ)} differ(s) from a fresh build"
            if differ
            else "artifacts reproduce byte for byte"
        )
        return 1 if differ else 0
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in fresh.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
