"""`verify_player`: a player's history and balance from the API, judged against a node alone, at a
block the verifier chooses from the node (docs/verification.md lists every check, in order).

Completeness follows from the balance: dropping any set of entries changes the recomputed
balance or lifetime earned (amounts are positive and every debit needs credits before it), so a
history whose entries are each on chain and whose sums, with the entries the verifier found on
chain after the API's block, equal the contract's balance and earned at the chosen block is the
player's whole history up to that block. An API that leaves entries out, and one that moves its
block back to hide them, is caught either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.artifact import player_slot
from ledger.chain.rpc import Rpc
from ledger.errors import ApiError, InputError
from ledger.model import BY_NAME, balance_of, earned_of, sums_by_kind
from ledger.verify.apiclient import ClaimedBalance, ClaimedEntry, ClaimedProof, LedgerApi
from ledger.verify.entries import check_entries, check_listing
from ledger.verify.newer import newer_entries
from ledger.verify.proofs import check_proof, header_fields
from ledger.verify.report import DEFAULT_MAX_LAG, NewerEntry, VerifyReport
from ledger.verify.views import is_ledger, ledger_code_hash, players_on_chain

TAGS = ("latest", "finalized", "safe")


def _h(value: bytes) -> str:
    return "0x" + value.hex()


def chosen_block(rpc: Rpc, at: str | int) -> dict[str, Any]:
    """The node's block to judge at: a tag (latest, finalized, safe) or a number."""
    if isinstance(at, str) and at not in TAGS:
        raise InputError(f"--at must be latest, finalized, safe or a block number, not {at!r}")
    block = rpc.call("eth_getBlockByNumber", [at if isinstance(at, str) else hex(at), False])
    if not isinstance(block, dict):
        raise InputError(f"the node has no block {at}")
    return block


def sums_of(entries: Sequence[ClaimedEntry], newer: Sequence[NewerEntry] = ()) -> dict[str, int]:
    """Amounts by kind (an unknown kind is a problem the field checks name, not a sum)."""
    pairs = [(e.kind, e.amount) for e in entries if e.kind in BY_NAME]
    return sums_by_kind(pairs + [(n.kind, n.amount) for n in newer])


def check_balance(claimed: ClaimedBalance, chain: tuple[int, int]) -> list[str]:
    """The API's available and earned must be the contract's `playerOf` at the API's block."""
    at = f"at block {claimed.as_of_block}"
    stated = (("available", claimed.available, chain[0]), ("earned", claimed.earned, chain[1]))
    return [
        f"balance: the API says {name} {said}, the contract says {truth} {at}"
        for name, said, truth in stated
        if said != truth
    ]


def check_figures(claimed: ClaimedBalance, entries: Sequence[ClaimedEntry]) -> list[str]:
    """The API's entries must add up to the figures it states beside them."""
    sums, at = sums_of(entries), f"at block {claimed.as_of_block}"
    stated = {"available": (claimed.available, balance_of(sums)), "earned": (claimed.earned, earned_of(sums)),
              "paid": (claimed.paid, sums["paid"]), "reversed": (claimed.reversed, sums["reversed"]),
              "expired": (claimed.expired, sums["expired"])}  # fmt: skip
    return [
        f"history: the API says {name} {said}, its entries add up to {truth} {at}"
        for name, (said, truth) in stated.items()
        if said != truth
    ]


def check_history(
    entries: Sequence[ClaimedEntry], newer: Sequence[NewerEntry], block: int, chain: tuple[int, int]
) -> list[str]:
    """The entries up to `block`, with those found newer than the API, must add up to the contract's."""
    sums = sums_of([e for e in entries if e.verification.block_number <= block], newer)
    with_newer = f" (with {len(newer)} newer than the API)" if newer else ""
    at = f"at block {block}"
    problems = []
    if balance_of(sums) != chain[0]:
        problems.append(f"history: the entries{with_newer} add up to balance {balance_of(sums)} but the contract says {chain[0]} {at}")  # fmt: skip
    if earned_of(sums) != chain[1]:
        problems.append(f"history: the entries{with_newer} add up to lifetime earned {earned_of(sums)} but the contract says {chain[1]} {at}")  # fmt: skip
    return problems


def _proof(api: LedgerApi, rpc: Rpc, player: bytes, block: dict[str, Any], contract: str, report: VerifyReport) -> ClaimedProof:  # fmt: skip
    """The API's proof at the block judged; the node's own when the API cannot give one (an API
    whose node is a block behind), checked the same way."""
    number = int(block["number"], 16)
    try:
        return api.proof(player, number)
    except ApiError as exc:
        report.notes.append(f"the API gave no proof at block {number} ({exc}); the node's proof was checked")
    slot = _h(player_slot(player))
    raw = rpc.call("eth_getProof", [contract, [slot], hex(number)])
    storage = raw["storageProof"][0]
    word = int(storage["value"], 16)
    return ClaimedProof.model_validate(
        {"chain_id": 0, "contract": contract, "block_number": number, "block_hash": block["hash"],
         "header": header_fields(block), "balance": str(word & (2**128 - 1)), "earned": str(word >> 128),
         "account_proof": raw["accountProof"], "storage_hash": raw["storageHash"], "code_hash": raw["codeHash"],
         "storage_proof": {"key": slot, "value": storage["value"], "proof": storage["proof"]}}
    )  # fmt: skip


def _anchor(rpc: Rpc, claimed: ClaimedBalance, report: VerifyReport) -> bool:
    """Whether the API's block exists on the node; a problem when it is missing or not canonical."""
    number = claimed.as_of_block
    block = rpc.call("eth_getBlockByNumber", [hex(number), False])
    if not isinstance(block, dict):
        report.add("block", f"the API's block {number} does not exist on the node")
        return False
    if str(block.get("hash")).lower() != _h(claimed.as_of_block_hash):
        report.add(
            "block", f"the API's block {number} {_h(claimed.as_of_block_hash)} is not canonical on the node"
        )
    return True


def verify_player(
    api: LedgerApi,
    rpc: Rpc,
    player: bytes,
    contract: str | None = None,
    at: str | int = "latest",
    max_lag: int = DEFAULT_MAX_LAG,
) -> VerifyReport:
    """Every check of docs/verification.md; problems are collected, never raised."""
    report = VerifyReport(player, at=str(at), max_lag=max_lag)
    chain_id = int(rpc.call("eth_chainId", []), 16)
    block = chosen_block(rpc, at)
    report.block = number = int(block["number"], 16)
    claimed = api.balance(player)
    report.api_block = claimed.as_of_block
    address = (contract or claimed.contract).lower()
    if claimed.chain_id != chain_id:
        report.add("chain", f"the API serves chain {claimed.chain_id}, the node is chain {chain_id}")
    elif contract is not None and claimed.contract != address:
        report.add("contract", f"the API serves contract {claimed.contract}, not the expected {address}")
    elif (code := is_ledger(rpc, address, number)) is not True:
        where = f"{address} at block {number}"
        report.add("contract", f"there is no contract at {where}" if code is None else f"the code at {where} is not the ledger contract's")  # fmt: skip
    if report.problems:
        return report  # another chain or another contract: nothing else can be judged
    _judge(api, rpc, claimed, block, address, report)
    return report


def _judge(api: LedgerApi, rpc: Rpc, claimed: ClaimedBalance, block: dict[str, Any], address: str, report: VerifyReport) -> None:  # fmt: skip
    player, number, api_block = report.player, report.block, claimed.as_of_block
    if claimed.player != player:
        report.add("listing", f"the API answered for player {_h(claimed.player)}")
    anchored = _anchor(rpc, claimed, report)
    lag = number - api_block
    if lag > report.max_lag:
        report.add("lag", f"the API is {lag} blocks behind block {number} (as of block {api_block}); at most {report.max_lag} are allowed")  # fmt: skip
    entries = api.history(player, api_block)
    report.entries = len(entries)
    report.problems += check_listing(entries, player, claimed.chain_id, address, api_block)
    report.problems += check_entries(rpc, entries, address) if entries else []
    if 0 < lag <= report.max_lag:
        report.newer = newer_entries(rpc, address, player, api_block + 1, number)
    blocks = [number, api_block] if anchored and api_block != number else [number]
    figures = players_on_chain(rpc, address, player, blocks)
    report.balance, report.earned = figures[0]
    for message in check_balance(claimed, figures[-1]) if anchored else []:
        report.add("balance", message)
    for message in check_figures(claimed, entries):
        report.add("history", message)
    if lag > report.max_lag:
        report.notes.append("the history was not added up at the chosen block: the API is too far behind")
    else:
        for message in check_history(entries, report.newer, number, figures[0]):
            report.add("history", message)
    proof = _proof(api, rpc, player, block, address, report)
    report.problems += check_proof(proof, block, address, player, figures[0], ledger_code_hash())
