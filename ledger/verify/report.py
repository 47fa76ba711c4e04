"""What a verification finds: problems by category, entries newer than the API, and the blocks judged.

The categories are the numbered checks of docs/verification.md; the page's verifier
(api/web/static/verify.js) reports the same categories, and the shared verification cases hold
both to the same verdict for every answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How far behind the verifier's block the API's answer may be before the check fails: 64 blocks
# is Ethereum's finality depth (two epochs of 32 slots), about 13 minutes of 12-second blocks and
# about a minute of the demo's one-second blocks. A mirror that follows the chain lags by one or two.
DEFAULT_MAX_LAG = 64

CATEGORIES = (
    "chain",  # the node's chain is the API's
    "contract",  # the ledger is the expected one, and the code at its address is the ledger's
    "block",  # the API's block and each entry's block are canonical on the node
    "lag",  # the API is at most max-lag blocks behind the block judged
    "listing",  # the history is in order, without repeats, of this player, up to the API's block
    "time",  # each entry's time is its block's time
    "location",  # each entry's transaction and log exist, succeeded, and record that entry
    "sender",  # each entry's transaction was sent by the account the API names
    "fields",  # each entry's fields are exactly the log's
    "head",  # each entry's hash-chain head is the contract's (or folds to it inside a batch)
    "balance",  # the API's balance and lifetime earned are the contract's at its block
    "history",  # the entries add up to the API's figures and, with those newer than the API, to the contract's
    "proof",  # the storage proof of the balance verifies against the block's state root
)


@dataclass(frozen=True)
class Problem:
    """One way the API's answer differs from the chain; `message` is one line for people."""

    category: str
    message: str
    seq: int | None = None

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown problem category {self.category!r}")

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class NewerEntry:
    """An entry of the player the verifier found on chain after the API's block."""

    seq: int
    kind: str
    amount: int
    block: int
    tx_hash: bytes


@dataclass
class VerifyReport:
    player: bytes
    block: int = 0  # the block judged, chosen from the node
    at: str = "latest"  # how it was chosen: latest, finalized, safe or a number
    api_block: int | None = None  # the block the API's answer is as of
    max_lag: int = DEFAULT_MAX_LAG
    entries: int = 0  # entries the API listed
    balance: int | None = None  # the contract's balance at `block`
    earned: int | None = None
    newer: list[NewerEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def lag(self) -> int | None:
        """Blocks the API is behind the block judged (negative: ahead of it)."""
        return None if self.api_block is None else self.block - self.api_block

    @property
    def categories(self) -> set[str]:
        return {p.category for p in self.problems}

    def add(self, category: str, message: str, seq: int | None = None) -> None:
        self.problems.append(Problem(category, message, seq))
