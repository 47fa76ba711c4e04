"""The API's response models (`XPublic`): what players and auditors read.

Byte values are lowercase 0x-hex; amounts are decimal strings (uint256 does not fit a JSON number
that every client parses exactly), each with `<name>_display` beside it for people.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Hex32 = Annotated[str, Field(pattern=r"^0x[0-9a-f]{64}$", examples=["0x" + "ab" * 32])]
Address = Annotated[str, Field(pattern=r"^0x[0-9a-fA-F]{40}$")]
Amount = Annotated[
    str, Field(pattern=r"^[0-9]+$", description="a uint256 as a decimal string", examples=["1000"])
]
Shown = Annotated[
    str,
    Field(
        description="the amount beside it as people read it, in the program's unit (`GET /v1/display`)",
        examples=["1,234.56 EUR"],
    ),
]
Kind = Literal["issued", "paid", "reversed", "expired"]
EventName = Literal["RewardIssued", "BatchIssued", "PayoutRecorded", "RewardReversed", "BalanceExpired"]


class _Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorPublic(_Public):
    """Every error answer: a stable code and one clear line."""

    error: str = Field(examples=["not_found"])
    message: str = Field(examples=["player 0x… has no entries in the mirror"])
    details: list[str] | None = None


class VerificationPublic(_Public):
    """Where the chain recorded an entry: enough to fetch the log from any node and check it."""

    chain_id: int
    contract: Address
    tx_hash: Hex32
    block_number: int
    block_hash: Hex32
    log_index: int
    seq: int
    head: Hex32 = Field(description="the hash-chain head after this entry")
    event: EventName
    batch_index: int | None = Field(None, description="the row inside BatchIssued's records")


class EntryPublic(_Public):
    seq: int
    kind: Kind
    player: Hex32
    campaign_id: Hex32 | None
    campaign: str | None = Field(description="the campaign id as text when it is text")
    amount: Amount
    amount_display: Shown
    ref: Hex32
    ref_text: str = Field(description="the reference as text when it is text, else 0x-hex")
    aux: Hex32 = Field(description="batch id (batch rows) or reason (reversals, expiries)")
    reward_seq: int | None = Field(description="the reward a reversal takes back")
    batch_id: Hex32 | None
    block_time: int = Field(description="unix seconds of the entry's block")
    sender: Address = Field(description="the account that sent the transaction")
    confirmations: int
    finalized: bool
    verification: VerificationPublic


class HistoryPublic(_Public):
    player: Hex32
    order: Literal["asc", "desc"]
    entries: list[EntryPublic]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")
    as_of_block: int


class BalancePublic(_Public):
    player: Hex32
    available: Amount
    available_display: Shown
    earned: Amount = Field(description="everything ever issued to the player")
    earned_display: Shown
    paid: Amount
    paid_display: Shown
    reversed: Amount
    reversed_display: Shown
    expired: Amount
    expired_display: Shown
    entries: int
    last_seq: int
    last_entry_block: int
    as_of_block: int = Field(description="the mirror's block: the balance includes every entry up to it")
    as_of_block_hash: Hex32
    chain_head_block: int
    confirmations: int = Field(description="confirmations of the as-of block")
    finalized: bool = Field(description="whether the player's last entry is in a finalized block")
    chain_id: int
    contract: Address


class StorageProofPublic(_Public):
    key: Hex32
    value: str = Field(pattern=r"^0x[0-9a-f]*$")
    proof: list[str]


class BalanceProofPublic(_Public):
    """EIP-1186 proof of the player's storage slot (low 128 bits balance, high 128 lifetime earned)."""

    player: Hex32
    chain_id: int
    contract: Address
    block_number: int
    block_hash: Hex32
    state_root: Hex32
    header: dict[str, str] = Field(
        description="the block header's fields, in RLP order; keccak(rlp) = block_hash"
    )
    slot: Hex32
    balance: Amount
    earned: Amount
    nonce: int
    code_hash: Hex32
    storage_hash: Hex32
    account_proof: list[str]
    storage_proof: StorageProofPublic


class CampaignPublic(_Public):
    campaign_id: Hex32
    name: str = Field(description="the id as text when it is text, else 0x-hex")
    budget: Amount
    budget_display: Shown
    issued: Amount
    issued_display: Shown
    reversed: Amount
    reversed_display: Shown
    remaining: Amount
    remaining_display: Shown
    start_time: int
    end_time: int
    closed: bool
    terms_hash: Hex32
    terms_available: bool
    created_block: int
    created_tx: Hex32


class CampaignListPublic(_Public):
    campaigns: list[CampaignPublic]
    next_cursor: str | None


class CampaignUsePublic(CampaignPublic):
    used_percent: str = Field(description="issued / budget, in percent with two decimals")


class CampaignUseListPublic(_Public):
    campaigns: list[CampaignUsePublic]
    next_cursor: str | None


class PeriodPublic(_Public):
    period_id: Hex32
    name: str = Field(description="the id as text when it is text, else 0x-hex")
    campaign_id: Hex32
    rules_hash: Hex32
    root: Hex32
    leaf_count: int
    total: Amount = Field(description="the committed total: the most the period's batches may issue")
    total_display: Shown
    issued: Amount = Field(description="what the period's batches have issued so far")
    issued_display: Shown
    remaining: Amount
    remaining_display: Shown
    status: Literal["open", "closed"] = Field(description="open while issued < total")
    committed_block: int
    committed_tx: Hex32


class PeriodListPublic(_Public):
    periods: list[PeriodPublic]
    next_cursor: str | None
    as_of_block: int


class SummaryPublic(_Public):
    as_of_block: int
    entry_count: int
    head: Hex32
    issued: Amount
    issued_display: Shown
    paid: Amount
    paid_display: Shown
    reversed: Amount
    reversed_display: Shown
    expired: Amount
    expired_display: Shown
    outstanding: Amount = Field(description="issued - paid - reversed - expired: the liability to players")
    outstanding_display: Shown
    players: int
    campaigns: int
    chain_id: int
    contract: Address


class EntryPagePublic(_Public):
    order: Literal["asc", "desc"]
    entries: list[EntryPublic]
    next_cursor: str | None
    as_of_block: int


class StatusPublic(_Public):
    chain_id: int
    contract: Address
    indexer_block: int
    indexer_block_hash: Hex32
    finalized_block: int
    chain_block: int = Field(description="the chain head as the indexer last saw it")
    lag_blocks: int
    lag_seconds: float
    rows_written: int
    reorgs: int
    last_error: str | None
    updated_at: float
    node_block: int | None = Field(description="the chain head as the API's node answers now, if reachable")


class DifferencePublic(_Public):
    what: str = Field(examples=["player balance"])
    key: str = Field(description="which row: an entry, player or campaign; empty for global figures")
    chain: str
    mirror: str


class ReservesPublic(_Public):
    """The contract's reserves against its liability, and the mirror's balances beside them."""

    token: Address | None = Field(description="the settlement token; null: a record-only ledger")
    funded: bool = Field(description="whether issuance must stay backed by the reserves")
    reserves: Amount
    reserves_display: Shown
    liability: Amount = Field(
        description="every player's outstanding balance, summed, as the contract keeps it"
    )
    liability_display: Shown
    coverage: str | None = Field(
        pattern=r"^[0-9]+(\.[0-9]+)?$", examples=["1.25"],
        description="reserves / liability as a decimal string; null when the liability is 0",
    )  # fmt: skip
    mirror_outstanding: Amount = Field(description="the mirror's player balances, summed, at its head")
    mirror_outstanding_display: Shown
    mirror_matches: bool = Field(description="whether `mirror_outstanding` equals the chain's liability")
    block: int = Field(description="the mirror's head: the block both sides were read at")


class ReconcilePublic(_Public):
    """PASS (`ok`) when the mirror's entries fold to the chain's head and every figure agrees."""

    ok: bool
    block: int
    chain_entries: int
    mirror_entries: int
    chain_head: Hex32
    mirror_head: Hex32
    first_divergent_seq: int | None
    first_divergent_row: str | None = Field(
        description="the first row of any mirrored table that differs, in chain order (e.g. a payout's key)"
    )
    differences: list[DifferencePublic]
    omitted: int = Field(description="differences found beyond those listed")
    players_checked: int
    campaigns_checked: int
    rows_checked: int = Field(
        description="rows of entries, events, payouts, reversals, expiries and blocks checked"
    )
    report: list[str] = Field(description="the report as `ledger audit reconcile` prints it")


class DisplayPublic(_Public):
    """How this program shows amounts: what every `<name>_display` field follows."""

    unit: str = Field(description="an ISO 4217 code (EUR) or a unit name (points)", examples=["EUR"])
    decimals: int = Field(
        description="ledger units per displayed unit, as a power of ten (2: amounts count cents)",
        examples=[2],
    )
    currency: bool = Field(description="whether `unit` is shaped like an ISO 4217 code (three capitals)")
    example: str = Field(description="123456 ledger units as shown", examples=["1,234.56 EUR"])


class HealthPublic(_Public):
    status: Literal["ok"]


class ReadyPublic(_Public):
    status: Literal["ready"]
    indexer_block: int
