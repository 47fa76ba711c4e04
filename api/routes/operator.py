"""`/v1/operator`: rewards, payouts and expiries, stored durably and sent by the one sender."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from api.auth import Issuer, Payer, Reader, operator_of
from api.deps import context_of, raw_json
from api.errors import ERROR_RESPONSES, error_response
from api.models import ErrorPublic
from api.routes.operator_models import AcceptedPublic, ExpiryIn, PayoutIn, ReversalIn, RewardsIn, WritePublic
from ledger.encoding import ROW_REF_BYTES, text_to_bytes
from ledger.errors import ConfigError, InputError, NodeError, NotFound, ReferenceConflict
from ledger.inputs import parse_count
from ledger.operator import outbox
from ledger.operator.items import Item, ItemsInvalid, debit_item, reversal_item, reward_items

router = APIRouter(prefix="/v1/operator", tags=["operator"])
RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: ERROR_RESPONSES[code] for code in (422, 503)},
    **{code: {"model": ErrorPublic, "description": text} for code, text in [
        (401, "no token, or an unknown or revoked one"), (403, "the token lacks the scope"),
        (409, "the reference holds other content (the message names the existing write or entry)"),
        (429, "the token is over its rate limit: retry after `Retry-After` seconds"),
    ]},
}  # fmt: skip
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES, 200: {"model": AcceptedPublic, "description": "every write was stored before: the originals"},
    400: {"model": ErrorPublic, "description": "a body that is not JSON"},  # as BODY_RESPONSES
}  # fmt: skip
BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES, 400: {"model": ErrorPublic, "description": "a body that is not JSON"},
}  # fmt: skip
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES, 404: ERROR_RESPONSES[404],
}  # fmt: skip
Reference = Annotated[str, Path(max_length=200)]


def _check_landed(request: Request, items: Sequence[Item]) -> None:
    """Rewards: the CLI's look-up of what landed; a reference there with other content is a 409.
    Without a reachable node the check waits for the sender, which repeats it under the lock."""
    if items[0].kind != "reward":
        return
    try:
        landed, _ = operator_of(request).lookup_writer().find_rewards([i.ref for i in items])
    except (NodeError, ConfigError):
        return
    for index, item in enumerate(items):
        had = landed.get(item.ref)
        if had is not None and not had.same_content(item.campaign_id or b"", item.player, item.amount):
            raise ReferenceConflict(
                f"rows[{index}]: reference {item.reference!r} already landed as entry {had.seq} "
                "with other content; nothing was accepted",
                seq=had.seq,
            )


def accept_items(request: Request, build: Callable[[], list[Item]], token_id: int) -> Response:
    """Validates, checks what landed, stores; answers `AcceptedPublic` (built field by field, as
    the hot read routes do: the tests check every answer against the model)."""
    try:
        items = build()
    except ItemsInvalid as exc:
        return error_response(422, "invalid_parameter", exc.problems[0], exc.problems)
    _check_landed(request, items)
    writes, new = outbox.accept(operator_of(request).engine, items, token_id)
    show = context_of(request).display.text
    body = {"new": new, "replayed": len(writes) - new,
            "writes": [{**w.fields(), "amount_display": show(w.amount)} for w in writes]}  # fmt: skip
    answer = raw_json(body)
    answer.status_code = 202 if new else 200
    return answer


@router.post("/rewards", status_code=202, responses=WRITE_RESPONSES, response_model=AcceptedPublic)
def post_rewards(request: Request, body: RewardsIn, token: Issuer) -> Response:
    """Accept reward rows of one campaign (issuer); each reference lands once."""
    rows = [(r.player, r.amount, r.reference) for r in body.rows]
    return accept_items(request, lambda: reward_items(body.campaign, rows), token.id)


@router.post("/payouts", status_code=202, responses=WRITE_RESPONSES, response_model=AcceptedPublic)
def post_payout(request: Request, body: PayoutIn, token: Payer) -> Response:
    """Accept one payout (payer); never more than the balance when sent."""
    return accept_items(
        request, lambda: [debit_item("payout", body.player, body.amount, body.reference)], token.id
    )


@router.post("/expiries", status_code=202, responses=WRITE_RESPONSES, response_model=AcceptedPublic)
def post_expiry(request: Request, body: ExpiryIn, token: Issuer) -> Response:
    """Accept one expiry of part of a balance (issuer), with its reason."""
    return accept_items(
        request,
        lambda: [debit_item("expiry", body.player, body.amount, body.reference, body.reason)],
        token.id,
    )


@router.post("/reversals", status_code=202, responses=WRITE_RESPONSES, response_model=AcceptedPublic)
def post_reversal(request: Request, body: ReversalIn, token: Issuer) -> Response:
    """Accept taking back part or all of one reward (issuer); a reward is reversed once."""
    return accept_items(request, lambda: [reversal_item(body.reward_seq, body.amount, body.reason)], token.id)


def _reversal_ref(value: str, size: int) -> bytes:
    return parse_count(value, "sequence number").to_bytes(32, "big")


def write_status(request: Request, namespace: str, kind: str, reference: str, size: int) -> WritePublic:
    parse = _reversal_ref if kind == "reversal" else partial(text_to_bytes, what="reference")
    try:
        ref = parse(reference, size).ljust(32, b"\x00")
    except InputError as exc:  # as malformed as a pattern mismatch: 422, like the write routes
        raise RequestValidationError(
            [{"loc": ("path", "reference"), "msg": str(exc), "type": "value_error"}]
        ) from None
    write = outbox.find(operator_of(request).engine, namespace, ref)
    if write is None or write.kind != kind:
        raise NotFound(f"no {kind} was accepted under reference {reference!r}")
    return WritePublic.of(write, context_of(request).display)


@router.get("/rewards/{reference}", responses=READ_RESPONSES)
def reward_status(request: Request, reference: Reference, _: Reader) -> WritePublic:
    """The status of the reward accepted under `reference`."""
    return write_status(request, "reward", "reward", reference, ROW_REF_BYTES)


@router.get("/payouts/{reference}", responses=READ_RESPONSES)
def payout_status(request: Request, reference: Reference, _: Reader) -> WritePublic:
    """The status of the payout accepted under `reference`."""
    return write_status(request, "debit", "payout", reference, 32)


@router.get("/reversals/{reward_seq}", responses=READ_RESPONSES)
def reversal_status(request: Request, reward_seq: Reference, _: Reader) -> WritePublic:
    """The status of the reversal of reward `reward_seq`."""
    return write_status(request, "reversal", "reversal", reward_seq, 32)


@router.get("/expiries/{reference}", responses=READ_RESPONSES)
def expiry_status(request: Request, reference: Reference, _: Reader) -> WritePublic:
    """The status of the expiry accepted under `reference`."""
    return write_status(request, "debit", "expiry", reference, 32)
