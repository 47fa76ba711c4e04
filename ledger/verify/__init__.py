"""Verification that trusts no one: a player's history and balance checked against a node alone."""

from ledger.chain.rpc import Rpc
from ledger.errors import ApiError
from ledger.verify.apiclient import LedgerApi
from ledger.verify.player import VerifyReport, verify_player

__all__ = ["ApiError", "LedgerApi", "Rpc", "VerifyReport", "verify_player"]
