"""Encodings shared by the operator tools, the indexer and verification.

Ids and references are `bytes32` on chain; operators write them as short text (UTF-8, right-padded
with zeros) or as 0x-hex. Batch rows pack into 64 bytes: the player key, then one word holding the
row reference (20 bytes) above the amount (12 bytes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.errors import InputError

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress

ROW_BYTES = 64
ROW_REF_BYTES = 20
MAX_ROW_AMOUNT = 2**96 - 1
MAX_UINT256 = 2**256 - 1
_HEX32 = re.compile(r"^0x[0-9a-fA-F]{64}\Z")
_AMOUNT = re.compile(r"^[0-9]+\Z")


@dataclass(frozen=True)
class Row:
    """One reward of a batch, as packed into the batch's records."""

    player: bytes
    amount: int
    ref: bytes  # 20 bytes


def shown(value: str, limit: int = 40) -> str:
    """`value` quoted for an error message, cut short if it is long."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + f"... ({len(value)} characters)"


def text_to_bytes(value: str, size: int = 32, what: str = "reference") -> bytes:
    """`0x` + hex of exactly `size` bytes, or text of at most `size` UTF-8 bytes, right-padded.

    Text must be printable: a control character, a zero byte or a line separator would make
    the same-looking reference two different words."""
    value = value.strip()
    if value.lower().startswith("0x") and len(value) == 2 + 2 * size:
        try:
            raw_hex = bytes.fromhex(value[2:])
        except ValueError:
            raise InputError(f"{what} {shown(value)} is not valid hex") from None
        if raw_hex == b"\x00" * size:
            raise InputError(f"{what} is zero")
        return raw_hex
    if not value:
        raise InputError(f"{what} is empty")
    if not value.isprintable():
        raise InputError(f"{what} {shown(value)} holds a control or line-separator character")
    try:
        raw = value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{what} {shown(value)} is not valid text") from None
    if len(raw) > size:
        raise InputError(f"{what} {shown(value)} is longer than {size} bytes: shorten it or give 0x-hex")
    return raw.ljust(size, b"\x00")


def bytes_to_text(value: bytes) -> str:
    """Readable form of an id or reference: its text if it is padded UTF-8, else 0x-hex."""
    stripped = value.rstrip(b"\x00")
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        return "0x" + value.hex()
    if stripped and b"\x00" not in stripped and text.isprintable():
        return text
    return "0x" + value.hex()


def checksum(address: str) -> ChecksumAddress:
    """An account address in its checksummed form; anything else is an `InputError`."""
    from eth_utils.address import is_address, to_checksum_address  # heavy: imported on first use

    if not is_address(address):
        raise InputError(f"{shown(address)} is not an address")
    return to_checksum_address(address)


def parse_player_key(value: str) -> bytes:
    """A player key: `0x` and 64 hex digits, non-zero."""
    value = value.strip()
    if not _HEX32.match(value):
        raise InputError(f"player key {shown(value)} is malformed: expected 0x and 64 hex digits")
    key = bytes.fromhex(value[2:])
    if key == b"\x00" * 32:
        raise InputError("player key is zero")
    return key


def parse_amount(value: str, maximum: int = MAX_UINT256) -> int:
    """A positive whole amount in the ledger's smallest unit, as decimal digits."""
    text = value.strip().replace("_", "")
    if not _AMOUNT.match(text):
        raise InputError(f"amount {shown(value)} is not a positive whole number")
    digits = text.lstrip("0")
    if len(digits) > len(str(maximum)):  # before int(): Python refuses to parse over 4,300 digits
        raise InputError(f"amount {shown(value)} is larger than the maximum {maximum}")
    amount = int(digits or "0")
    if amount == 0:
        raise InputError("amount must be positive")
    if amount > maximum:
        raise InputError(f"amount {shown(value)} is larger than the maximum {maximum}")
    return amount


def pack_rows(rows: Iterable[Row]) -> bytes:
    out = bytearray()
    for row in rows:
        out += row.player
        out += row.ref.ljust(ROW_REF_BYTES, b"\x00")[:ROW_REF_BYTES]
        out += row.amount.to_bytes(12, "big")
    return bytes(out)


def unpack_rows(records: bytes) -> list[Row]:
    if len(records) % ROW_BYTES:
        raise ValueError(f"records length {len(records)} is not a multiple of {ROW_BYTES}")
    return [
        Row(
            player=records[i : i + 32],
            ref=records[i + 32 : i + 52],
            amount=int.from_bytes(records[i + 52 : i + 64], "big"),
        )
        for i in range(0, len(records), ROW_BYTES)
    ]


def row_ref_word(ref: bytes) -> bytes:
    """A row reference as folded into the hash chain: left-aligned in 32 bytes."""
    return ref.ljust(32, b"\x00")


def hex32(value: bytes) -> str:
    return "0x" + value.hex()
