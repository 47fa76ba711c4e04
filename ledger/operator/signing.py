"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, and the receiver's check.

Each delivery carries `X-Ledger-Timestamp` (unix seconds), `X-Ledger-Delivery` (an id to
deduplicate on) and `X-Ledger-Signature: sha256=<hex>`, the HMAC-SHA256 under the webhook's
secret of `<timestamp>.<body bytes>`. A receiver recomputes it, compares in constant time and
refuses a timestamp more than `TOLERANCE` seconds from its clock, so a captured delivery cannot
be replayed later; within the window it drops a delivery id it has seen.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TOLERANCE = 300  # seconds


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None) -> bool:
    """The documented check: a well-formed, recent timestamp and a signature that matches."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)
