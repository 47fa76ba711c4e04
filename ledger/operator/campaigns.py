"""Creating and closing campaigns from the outbox, once each, under the write lock.

A campaign id is used once on chain: before creating, the campaign is read; one that exists
with this budget, terms hash and window counts as landed, with anything else it is a conflict.
Closing a closed campaign counts as landed; closing one that does not exist fails.
"""

from __future__ import annotations

from ledger.encoding import bytes_to_text
from ledger.errors import InputError, ReferenceConflict
from ledger.operator.outbox import Write
from ledger.ops.entries import close_campaign, create_campaign
from ledger.ops.writer import Writer


def send_campaign(writer: Writer, write: Write) -> int:
    """Creates or closes the campaign of `write`; the block that holds it (the head if earlier)."""
    cid = write.ref
    name = bytes_to_text(cid)
    with writer.writing(f"{'create' if write.kind == 'campaign' else 'close'} campaign {name}") as sender:
        client = writer.client
        state = client.campaign(cid)
        if write.kind == "close":
            if not state.exists:
                raise InputError(f"campaign {name} does not exist")
            if state.closed:
                return int(client.w3.eth.block_number)
            return close_campaign(client, sender, cid).block_number
        assert write.terms_hash is not None and write.window is not None
        if state.exists:
            if (state.budget, state.terms_hash, (state.start, state.end)) == (
                write.amount, write.terms_hash, write.window,
            ):  # fmt: skip
                return int(client.w3.eth.block_number)
            raise ReferenceConflict(f"campaign {name} exists with another budget, terms or window")
        start, end = write.window
        return create_campaign(client, sender, cid, write.amount, write.terms_hash, start, end).block_number
