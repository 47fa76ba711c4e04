"""Verification that trusts no one: a player's history and balance checked against a node alone."""

from ledger.verify.apiclient import ApiError, LedgerApi
from ledger.verify.player import VerifyReport, verify_player
from ledger.verify.rpc import Rpc

__all__ = ["ApiError", "LedgerApi", "Rpc", "VerifyReport", "verify_player"]
