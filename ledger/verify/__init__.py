"""Verification that trusts no one: a player's history and balance checked against a node alone."""

from ledger.chain.rpc import Rpc
from ledger.errors import ApiError
from ledger.verify.apiclient import LedgerApi
from ledger.verify.player import verify_player
from ledger.verify.report import DEFAULT_MAX_LAG, NewerEntry, Problem, VerifyReport

__all__ = [
    "DEFAULT_MAX_LAG",
    "ApiError",
    "LedgerApi",
    "NewerEntry",
    "Problem",
    "Rpc",
    "VerifyReport",
    "verify_player",
]
