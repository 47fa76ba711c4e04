"""The deployments file: where the ledger lives on each chain, one JSON file per chain id."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ledger.errors import ConfigError


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    address: str
    block_number: int
    block_hash: str
    tx_hash: str
    deployer: str
    code_hash: str


def deployment_file(directory: Path, chain_id: int) -> Path:
    return directory / f"{chain_id}.json"


def save_deployment(directory: Path, deployment: Deployment) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = deployment_file(directory, deployment.chain_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(deployment), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_deployment(directory: Path, chain_id: int) -> Deployment | None:
    path = deployment_file(directory, chain_id)
    if not path.exists():
        return None
    try:
        return Deployment(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path} is not a valid deployments file") from exc
