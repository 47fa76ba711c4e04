"""The operator API's request and response models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.models import Amount, Hex32, Shown
from ledger.display import Display
from ledger.operator.items import MAX_ROWS
from ledger.operator.outbox import Write

Text = Annotated[str, Field(max_length=200)]
Status = Literal["accepted", "sent", "mined", "final", "failed"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RewardRowIn(_In):
    player: Text = Field(description="player key: 0x and 64 hex digits")
    amount: Text = Field(description="a positive whole amount, decimal string, below 2^96")
    reference: Text = Field(description="unique reward reference, up to 20 bytes of text or 0x-hex")


class RewardsIn(_In):
    campaign: Text = Field(description="campaign id, up to 32 bytes of text or 0x-hex")
    rows: list[RewardRowIn] = Field(max_length=MAX_ROWS, description=f"1 to {MAX_ROWS} rows")


class PayoutIn(_In):
    player: Text
    amount: Text = Field(description="a positive whole amount, decimal string, below 2^128")
    reference: Text = Field(description="unique payout reference, up to 32 bytes of text or 0x-hex")


class ExpiryIn(PayoutIn):
    reason: Text = Field(description="why, up to 32 bytes of text")


class ReversalIn(_In):
    reward_seq: Text = Field(description="the sequence number of the reward to take back")
    amount: Text = Field(description="how much of it, a decimal string")
    reason: Text = Field(description="why, up to 32 bytes of text")


class CampaignIn(_In):
    campaign: Text = Field(description="campaign id, up to 32 bytes of text or 0x-hex")
    budget: Text = Field(description="the most it may issue, a decimal string below 2^128")
    terms: str = Field(max_length=65_536, description="the terms text; its keccak256 goes on chain")
    start: Text = Field(description="when issuance opens: unix seconds or ISO-8601 with a zone")
    end: Text = Field(description="when it closes: unix seconds or ISO-8601 with a zone")


class WritePublic(BaseModel):
    """One accepted write and what became of it."""

    id: int
    kind: Literal["reward", "payout", "expiry", "reversal", "campaign", "close"]
    reference: str
    ref: Hex32
    campaign_id: Hex32 | None
    player: Hex32
    amount: Amount
    amount_display: Shown
    reason: Hex32 | None
    status: Status
    failure: str | None = Field(description="why it failed, when it did")
    conflict_seq: int | None = Field(description="the entry that holds the reference, when that is why")
    seq: int | None = Field(description="its ledger entry, once mined")
    block_number: int | None
    batch_id: Hex32 | None
    accepted_at: int
    terms_hash: Hex32 | None = Field(description="a campaign's terms hash")
    starts_at: int | None = Field(description="a campaign's window, unix seconds")
    ends_at: int | None

    @classmethod
    def of(cls, w: Write, display: Display) -> WritePublic:
        return cls.model_validate({**w.fields(), "amount_display": display.text(w.amount)})


class AcceptedPublic(BaseModel):
    """A write request's answer: 202 when it stored something new, 200 when every write was there."""

    new: int = Field(description="writes this request stored")
    replayed: int = Field(description="writes stored before under the same reference and content")
    writes: list[WritePublic]
