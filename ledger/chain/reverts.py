"""Turns revert data into `ContractRevert` errors that name the contract's custom error."""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from ledger.artifact import GAMES_ARTIFACT_PATH, ROLE_NAMES, load_artifact, role_id
from ledger.encoding import bytes_to_text
from ledger.errors import ContractRevert

_PANIC_CODES = {
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division by zero",
    0x32: "array index out of bounds",
}


def _abi_type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in item["components"])
        return f"({inner}){item['type'][5:]}"
    return str(item["type"])


@cache
def _errors_by_selector() -> dict[bytes, tuple[str, list[str], list[str]]]:
    table: dict[bytes, tuple[str, list[str], list[str]]] = {
        bytes.fromhex("08c379a0"): ("Error", ["string"], ["message"]),
        bytes.fromhex("4e487b71"): ("Panic", ["uint256"], ["code"]),
    }
    for item in [*load_artifact().abi, *load_artifact(GAMES_ARTIFACT_PATH).abi]:
        if item["type"] != "error":
            continue
        types = [_abi_type(i) for i in item["inputs"]]
        selector = function_signature_to_4byte_selector(f"{item['name']}({','.join(types)})")
        table[selector] = (item["name"], types, [i["name"] for i in item["inputs"]])
    return table


def decode_revert(data: bytes | str | None) -> ContractRevert:
    """The `ContractRevert` for raw revert data (bytes or 0x-hex); unknown data stays visible."""
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x")) if data.startswith("0x") else b""
    if not data or len(data) < 4:
        return ContractRevert("revert", {}, "the ledger contract refused the call without a reason")
    known = _errors_by_selector().get(data[:4])
    if known is None:
        return ContractRevert(
            "unknown", {"data": data}, f"the contract reverted with unknown data 0x{data.hex()}"
        )
    name, types, names = known
    try:
        decoded = decode(types, data[4:])
    except Exception:  # malformed arguments: still name the error
        return ContractRevert(name, {})
    values = [to_checksum_address(v) if t == "address" else v for t, v in zip(types, decoded, strict=True)]
    args = dict(zip(names, values, strict=True))
    if name == "Panic":
        code = int(args["code"])
        return ContractRevert(name, args, f"the contract panicked: {_PANIC_CODES.get(code, hex(code))}")
    if name == "Error":
        return ContractRevert(name, args, f"the contract refused: {args['message']}")
    return ContractRevert(name, args, describe(name, args))


def _text(value: Any) -> str:
    return bytes_to_text(value) if isinstance(value, bytes) else str(value)


_DESCRIPTIONS: dict[str, str] = {
    "AccessControlUnauthorizedAccount": "account {account} lacks the {neededRole} role",
    "EnforcedPause": "the ledger is paused",
    "ExpectedPause": "the ledger is not paused",
    "CampaignExists": "campaign {campaignId} already exists",
    "CampaignUnknown": "campaign {campaignId} does not exist",
    "CampaignAlreadyClosed": "campaign {campaignId} is closed",
    "CampaignNotStarted": "campaign {campaignId} has not started (starts at {start})",
    "CampaignEnded": "campaign {campaignId} has ended (ended at {end})",
    "CampaignInvalid": "campaign {campaignId} is invalid: the window must end after it starts",
    "CampaignBudgetExceeded": "campaign {campaignId} has issued {issued} of its budget {budget}; {amount} more is over budget",
    "PlayerKeyZero": "the player key is zero",
    "PlayerInsufficientBalance": "player {player} has a balance of {balance}, less than {amount}",
    "LedgerZeroAmount": "the amount must be positive",
    "LedgerAmountTooLarge": "the amount {amount} is over the maximum {max}",
    "LedgerReferenceUsed": "reference {ref} was already used",
    "LedgerReferenceZero": "the reference is zero",
    "BatchMalformed": "the batch records are malformed ({length} bytes)",
    "BatchRowInvalid": "batch row {index} has a zero player key or amount",
    "RewardProofInvalid": "the reward named under {id} does not match what was issued",
    "RewardAlreadyReversed": "reward {rewardSeq} was already reversed by entry {reversalSeq}",
    "RewardReversalExceedsReward": "reward {rewardSeq} was {rewarded}; a reversal of {amount} is more",
}


def describe(name: str, args: dict[str, Any]) -> str:
    """`Name: what it means`, with ids shown as their text where they are text."""
    template = _DESCRIPTIONS.get(name)
    if template is None:
        rendered = ", ".join(f"{k}={_text(v)}" for k, v in args.items())
        return f"the ledger contract refused: {name}({rendered})"
    shown = {k: _text(v) for k, v in args.items()}
    if "neededRole" in shown:
        shown["neededRole"] = _role_name(args["neededRole"])
    return f"{name}: {template.format(**shown)}"


def _role_name(role: bytes) -> str:
    for name in ROLE_NAMES:
        if role_id(name) == role:
            return name
    return "0x" + role.hex()


def revert_data_from(exc: BaseException) -> bytes | None:
    """Digs the revert data out of a web3 or JSON-RPC error, when it carries any."""
    data: Any = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if data is None and exc.args and isinstance(exc.args[0], dict):
        data = exc.args[0].get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(data, bytes):
        return data
    return None
