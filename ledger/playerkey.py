"""Pseudonymous player keys: a keyed hash of the operator's own player id.

The secret stays with the operator, off chain. Without it nobody can link a key to a player;
deleting it (and the operator's id mapping) anonymises the history for good.
"""

from __future__ import annotations

import hashlib
import hmac

from ledger.errors import InputError

DOMAIN = b"rewards-ledger/player-key/v1\x00"


def derive_player_key(secret: bytes, player_id: str) -> bytes:
    """HMAC-SHA256(secret, domain || player id): 32 bytes, never zero in practice."""
    if len(secret) < 16:
        raise InputError("the player-key secret must be at least 16 bytes")
    player_id = player_id.strip()
    if not player_id:
        raise InputError("the player id is empty")
    return hmac.new(secret, DOMAIN + player_id.encode("utf-8"), hashlib.sha256).digest()
