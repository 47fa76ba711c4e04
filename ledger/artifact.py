"""The committed contract artifact: ABI, bytecode, storage layout and role ids."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any


def keccak(primitive: bytes | None = None, text: str | None = None) -> bytes:
    """keccak256, through eth-utils imported on first use (it takes a third of a second to import,
    which commands that only read the artifact need not pay)."""
    from eth_utils.crypto import keccak as eth_keccak

    return eth_keccak(primitive, text=text)


ARTIFACT_PATH = Path(__file__).resolve().parent / "artifacts" / "RewardsLedger.json"

ROLE_NAMES = ("admin", "issuer", "payer", "pauser")

# The ledger's own state: players, the chain, totals and references (contracts/ledger/LedgerCore.sol).
CORE_NAMESPACE = "rewardsledger.storage.Core"


def erc7201_slot(namespace: str) -> int:
    """The root slot of an ERC-7201 namespace:
    keccak256(abi.encode(uint256(keccak256(id)) - 1)) & ~0xff."""
    inner = int.from_bytes(keccak(text=namespace), "big") - 1
    return int.from_bytes(keccak(inner.to_bytes(32, "big")), "big") & ~0xFF


@dataclass(frozen=True)
class Artifact:
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    storage_layout: dict[str, Any]
    namespaced_layout: dict[str, Any]
    compiler: str

    def slot_of(self, label: str, namespace: str | None = None) -> int:
        """The storage slot of a state variable: top-level (e.g. AccessControl's `_roles`), or a
        member of an ERC-7201 namespace's struct (e.g. `players` in the core namespace)."""
        if namespace is None:
            items = self.storage_layout["storage"]
        else:
            items = self.namespaced_layout["namespaces"][namespace]["storage"]
        for item in items:
            if item["label"] == label:
                return int(item["slot"])
        raise KeyError(label if namespace is None else f"{namespace}.{label}")

    @property
    def players_slot(self) -> int:
        return self.slot_of("players", CORE_NAMESPACE)


@cache
def load_artifact(path: Path = ARTIFACT_PATH) -> Artifact:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Artifact(
        abi=data["abi"],
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        storage_layout=data["storageLayout"],
        namespaced_layout=data["namespacedStorageLayout"],
        compiler=data["compiler"],
    )


def role_id(name: str) -> bytes:
    """The AccessControl id of a role by its short name (admin, issuer, payer, pauser)."""
    if name == "admin":
        return b"\x00" * 32
    if name not in ROLE_NAMES:
        raise ValueError(f"unknown role {name!r}: expected one of {', '.join(ROLE_NAMES)}")
    return keccak(text=f"{name.upper()}_ROLE")


def player_slot(player: bytes, artifact: Artifact | None = None) -> bytes:
    """The storage slot holding a player's packed balance (low 128 bits) and lifetime earned:
    keccak256(player ‖ slot of the core namespace's `players` mapping)."""
    slot = (artifact or load_artifact()).players_slot
    return keccak(player + slot.to_bytes(32, "big"))
