"""Reading a player's history, balance and balance proof from a ledger API that is not trusted.

Answers are parsed strictly: anything that is not the documented shape is an `ApiError`, so a
broken or hostile API can never make verification pass by omission.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ledger.errors import ApiError

PAGE_SIZE = 500


def _hex(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ValueError("expected 0x-hex")
    return bytes.fromhex(value[2:] if len(value) % 2 == 0 else "0" + value[2:])


def _hex32(value: Any) -> bytes:
    raw = _hex(value)
    if len(raw) != 32:
        raise ValueError("expected 32 bytes of 0x-hex")
    return raw


def _address(value: Any) -> str:
    if not isinstance(value, str) or re.fullmatch(r"0x[0-9a-fA-F]{40}", value) is None:
        raise ValueError("expected an address: 0x and 40 hex digits")
    return value.lower()


def _amount(value: Any) -> int:
    if not isinstance(value, str) or not value.isdigit() or not value.isascii():
        raise ValueError("expected an amount as a decimal string")
    return int(value)


Hex32 = Annotated[bytes, BeforeValidator(_hex32)]
Hex = Annotated[bytes, BeforeValidator(_hex)]
Amount = Annotated[int, BeforeValidator(_amount)]
Address = Annotated[str, BeforeValidator(_address)]


class _Model(BaseModel):
    # strict: a number sent as a string (or a boolean) is malformed, as the page's reader says too
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class ClaimedLocation(_Model):
    chain_id: int
    contract: Address
    tx_hash: Hex32
    block_number: int = Field(ge=0)
    block_hash: Hex32
    log_index: int = Field(ge=0)
    seq: int = Field(ge=1)
    head: Hex32
    event: str
    batch_index: int | None = None


class ClaimedEntry(_Model):
    """One entry as the API states it, with where it says the chain recorded it."""

    seq: int = Field(ge=1)
    kind: str
    player: Hex32
    campaign_id: Hex32 | None
    amount: Amount
    ref: Hex32
    aux: Hex32
    reward_seq: int | None = None
    batch_id: Hex32 | None = None
    block_time: int = Field(ge=0)
    sender: Address
    verification: ClaimedLocation


class ClaimedBalance(_Model):
    player: Hex32
    available: Amount
    earned: Amount
    paid: Amount
    reversed: Amount
    expired: Amount
    as_of_block: int = Field(ge=0)
    as_of_block_hash: Hex32
    chain_id: int
    contract: Address


class ClaimedHistoryPage(_Model):
    entries: list[ClaimedEntry]
    next_cursor: str | None


class ClaimedStorageProof(_Model):
    key: Hex32
    value: Hex
    proof: list[str]


class ClaimedProof(_Model):
    chain_id: int
    contract: Address
    block_number: int
    block_hash: Hex32
    header: dict[str, str]
    balance: Amount
    earned: Amount
    account_proof: list[str]
    storage_hash: Hex32
    code_hash: Hex32
    storage_proof: ClaimedStorageProof


M = TypeVar("M", bound=BaseModel)


class LedgerApi:
    """The player routes of one ledger API."""

    def __init__(self, base_url: str, timeout: float = 30.0, transport: httpx.BaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, model: type[M], params: dict[str, Any] | None = None) -> M:
        try:
            reply = self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ApiError(f"cannot reach the API at {self.base_url}: {type(exc).__name__}") from exc
        if reply.status_code != 200:
            raise ApiError(f"the API refused GET {path}: HTTP {reply.status_code} {_message(reply)}")
        try:
            return model.model_validate_json(reply.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ApiError(f"the API's answer to GET {path} is malformed at {where}: {first['msg']}") from exc

    def _player(self, player: bytes) -> str:
        return "/v1/players/" + quote("0x" + player.hex())

    def balance(self, player: bytes) -> ClaimedBalance:
        return self._get(self._player(player) + "/balance", ClaimedBalance)

    def history(self, player: bytes, to_block: int) -> list[ClaimedEntry]:
        """Every entry of the player up to `to_block`, oldest first, following the cursor to the end."""
        entries: list[ClaimedEntry] = []
        params: dict[str, Any] = {"order": "asc", "to_block": to_block, "limit": PAGE_SIZE}
        while True:
            page = self._get(self._player(player) + "/history", ClaimedHistoryPage, params)
            entries.extend(page.entries)
            if page.next_cursor is None:
                return entries
            if not page.entries:
                raise ApiError("the API returned an empty history page with a next cursor")
            params["cursor"] = page.next_cursor

    def proof(self, player: bytes, block: int) -> ClaimedProof:
        return self._get(self._player(player) + "/proof", ClaimedProof, {"block": block})


def _message(reply: httpx.Response) -> str:
    try:
        body = reply.json()
    except ValueError:
        return reply.text[:200]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(body)[:200]
