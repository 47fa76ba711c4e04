"""The committed contract artifact: ABI, bytecode, storage layout and role ids."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_utils.crypto import keccak

ARTIFACT_PATH = Path(__file__).resolve().parent / "artifacts" / "RewardsLedger.json"

ROLE_NAMES = ("admin", "issuer", "payer", "pauser")


@dataclass(frozen=True)
class Artifact:
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    storage_layout: dict[str, Any]
    compiler: str

    def slot_of(self, label: str) -> int:
        """The storage slot of a top-level state variable, e.g. `_players`."""
        for item in self.storage_layout["storage"]:
            if item["label"] == label:
                return int(item["slot"])
        raise KeyError(label)

    @property
    def players_slot(self) -> int:
        return self.slot_of("_players")


@cache
def load_artifact(path: Path = ARTIFACT_PATH) -> Artifact:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Artifact(
        abi=data["abi"],
        bytecode=data["bytecode"],
        deployed_bytecode=data["deployedBytecode"],
        storage_layout=data["storageLayout"],
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
    """The storage slot holding a player's packed balance (low 128 bits) and lifetime earned."""
    slot = (artifact or load_artifact()).players_slot
    return keccak(player + slot.to_bytes(32, "big"))
