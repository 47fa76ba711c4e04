"""The RewardsGames contract: deploying it beside a ledger, where it lives, and its views."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract

from ledger.artifact import GAMES_ARTIFACT_PATH, load_artifact, role_id
from ledger.chain.client import LedgerClient
from ledger.chain.sender import Receipt, Sender
from ledger.encoding import checksum
from ledger.errors import ConfigError, NotFound

GAMES_ROLES = ("awarder", "tournament")


def games_role(name: str) -> bytes:
    if name not in GAMES_ROLES:
        raise ValueError(f"unknown games role {name!r}")
    return keccak(text=f"{name.upper()}_ROLE")


@dataclass(frozen=True)
class TableOnChain:
    hash: bytes
    version: int
    published_at: int
    policy: int
    hold_seconds: int
    grace_seconds: int
    thresholds: list[int]


@dataclass(frozen=True)
class TournamentOnChain:
    campaign: bytes
    final_root: bytes
    prize_total: int
    places: int
    start: int
    end: int
    participants: int
    commits: int
    final: bool
    prizes_issued: bool

    @property
    def exists(self) -> bool:
        return self.end != 0


class GamesClient:
    """RewardsGames at one address, and the ledger it reads."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = checksum(address)
        self.contract: Contract = w3.eth.contract(
            address=self.address, abi=load_artifact(GAMES_ARTIFACT_PATH).abi
        )

    def check_code(self) -> None:
        code = bytes(self.w3.eth.get_code(self.address))
        expected = load_artifact(GAMES_ARTIFACT_PATH).deployed_bytecode.removeprefix("0x")
        # the ledger's address is an immutable inside the runtime code: compare the length only
        if not code or len(code) != len(bytes.fromhex(expected)):
            raise ConfigError(f"the code at {self.address} is not this project's RewardsGames")

    def encode(self, name: str, *args: Any) -> bytes:
        return bytes.fromhex(self.contract.encode_abi(name, args=list(args)).removeprefix("0x"))

    def call(self, name: str, *args: Any, block: Any = "latest") -> Any:
        return getattr(self.contract.functions, name)(*args).call(block_identifier=block)

    def ledger(self) -> LedgerClient:
        return LedgerClient(self.w3, self.call("ledger"))

    def tier_table(self) -> TableOnChain:
        table_hash, version, published, policy, hold, grace, thresholds = self.call("tierTable")
        return TableOnChain(bytes(table_hash), version, published, policy, hold, grace, list(thresholds))

    def tier_of(self, player: bytes) -> int:
        return int(self.call("tierOf", player))

    def held(self, player: bytes) -> tuple[int, int]:
        tier, since = self.call("heldTierOf", player)
        return int(tier), int(since)

    def badge_of(self, player: bytes, badge: bytes) -> bytes:
        return bytes(self.call("badgeOf", player, badge))

    def badge_rule(self, badge: bytes) -> bytes:
        return bytes(self.call("badgeRuleOf", badge))

    def tournament(self, tournament: bytes) -> TournamentOnChain:
        campaign, root, total, places, start, end, participants, commits, final, paid = self.call(
            "tournamentOf", tournament
        )
        return TournamentOnChain(
            bytes(campaign), bytes(root), total, places, start, end, participants, commits, final, paid
        )

    def transact(self, sender: Sender, name: str, *args: Any) -> Receipt:
        return sender.transact(self.address, self.encode(name, *args), note=name)

    def events(self, name: str, *topics: bytes, from_block: int = 0) -> list[dict[str, Any]]:
        """Decoded events of one kind (their args and block), oldest first."""
        event = getattr(self.contract.events, name)
        logs = event.get_logs(from_block=from_block, argument_filters=None)
        decoded = [dict(log["args"]) | {"blockNumber": log["blockNumber"]} for log in logs]
        if topics:
            key = next(i["name"] for i in event.abi["inputs"] if i["indexed"])
            decoded = [d for d in decoded if bytes(d[key]) == topics[0]]
        return decoded


@dataclass(frozen=True)
class GamesDeployment:
    chain_id: int
    address: str
    ledger: str
    block_number: int


def deployment_path(directory: Path, chain_id: int) -> Path:
    return directory / f"games-{chain_id}.json"


def save_games(directory: Path, deployment: GamesDeployment) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = deployment_path(directory, deployment.chain_id)
    path.write_text(json.dumps(asdict(deployment), indent=2) + "\n", encoding="utf-8")
    return path


def load_games(directory: Path, chain_id: int) -> GamesDeployment:
    path = deployment_path(directory, chain_id)
    try:
        return GamesDeployment(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise NotFound(
            f"no games contract is deployed on chain {chain_id}: run `ledger games deploy`"
        ) from None
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path} is not a valid games deployment file") from exc


def deploy_games(sender: Sender, ledger: LedgerClient, admin: str | None = None) -> GamesDeployment:
    """Deploys RewardsGames(ledger, admin) and grants it the ledger's issuer role (for prizes)."""
    artifact = load_artifact(GAMES_ARTIFACT_PATH)
    factory = sender.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    data = factory.constructor(ledger.address, checksum(admin or sender.address)).data_in_transaction
    raw = bytes.fromhex(data.removeprefix("0x"))
    gas = int(sender.w3.eth.estimate_gas({"from": sender.address, "data": raw}) * 1.2)
    receipt = sender.wait([sender.send_create(raw, gas)])[0]
    if not receipt.contract_address:
        raise ConfigError("the games deployment created no contract")
    grant = ledger.encode("grantRole", role_id("issuer"), checksum(receipt.contract_address))
    sender.transact(ledger.address, grant, note="games may issue prizes")
    return GamesDeployment(
        sender.chain_id, checksum(receipt.contract_address), ledger.address, receipt.block_number
    )
