"""Every role gate and every remaining custom error of RewardsGames."""

from __future__ import annotations

import secrets

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from ledger.chain.sender import Sender
from ledger.errors import ContractRevert
from tests.conftest import random_player
from tests.games.conftest import GamesHarness
from tests.games.world import create

ZERO = b"\x00" * 32


def refused(games: GamesHarness, name: str, *args: object, sender: Sender | None = None) -> ContractRevert:
    with pytest.raises(ContractRevert) as caught:
        games.games.transact(sender or games.ledger.sender, name, *args)
    return caught.value


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("publishTierTable", (b"\x01" * 32, [1], 0, 0, 0)),
        ("defineBadge", (b"b".ljust(32, b"\x00"), b"\x01" * 32)),
        ("awardBadge", (b"\x02" * 32, b"b".ljust(32, b"\x00"), b"\x01" * 32)),
        ("createTournament", (b"\x03" * 32, b"c".ljust(32, b"\x00"), b"\x01" * 32, b"\x01" * 32, 1, 1, 0, 1)),
        ("commitStandings", (b"\x03" * 32, b"\x01" * 32, 1, False)),
        ("issuePrizes", (b"\x03" * 32, b"\x00" * 64)),
    ],
)
def test_each_write_needs_its_role(
    games: GamesHarness, stranger: LocalAccount, name: str, args: tuple[object, ...]
) -> None:
    error = refused(games, name, *args, sender=Sender(games.ledger.w3, stranger, timeout=60))
    assert error.name == "AccessControlUnauthorizedAccount"


def test_zero_keys_and_hashes_are_refused(games: GamesHarness) -> None:
    games.send("publishTierTable", keccak(b"t"), [10], 0, 0, 0)
    assert refused(games, "syncTier", ZERO).name == "GamesPlayerKeyZero"
    assert refused(games, "defineBadge", b"b".ljust(32, b"\x00"), ZERO).name == "BadgeHashZero"
    games.send("defineBadge", b"b".ljust(32, b"\x00"), keccak(b"rule"))
    assert (
        refused(games, "awardBadge", ZERO, b"b".ljust(32, b"\x00"), keccak(b"e")).name == "GamesPlayerKeyZero"
    )
    assert (
        refused(games, "awardBadge", random_player(), b"b".ljust(32, b"\x00"), ZERO).name == "BadgeHashZero"
    )
    assert refused(games, "publishTierTable", ZERO, [10], 0, 0, 0).name == "TierTableInvalid"
    assert refused(games, "publishTierTable", keccak(b"t"), [1] * 9, 0, 0, 0).name == "TierTableInvalid"
    assert refused(games, "publishTierTable", keccak(b"t"), [10], 2, 0, 0).name == "TierTableInvalid"


def test_tournament_parameters_and_commitments_are_checked(games: GamesHarness, chain_snapshot: None) -> None:
    now, tid = games.ledger.now(), secrets.token_bytes(32)
    bad = (tid, games.campaign, keccak(b"s"), keccak(b"p"), 100, 1, now + 100, now + 100)
    assert refused(games, "createTournament", *bad).name == "TournamentInvalid"
    unknown = secrets.token_bytes(32)
    assert refused(games, "commitStandings", unknown, keccak(b"r"), 1, False).name == "TournamentUnknown"
    games.send(
        "createTournament", tid, games.campaign, keccak(b"s"), keccak(b"p"), 100, 1, now + 1_000, now + 2_000
    )
    assert refused(games, "commitStandings", tid, keccak(b"r"), 1, False).name == "TournamentNotStarted"
    other = secrets.token_bytes(32)
    create(games, other)
    assert refused(games, "commitStandings", other, ZERO, 1, False).name == "StandingsInvalid"
    assert refused(games, "commitStandings", other, keccak(b"r"), 0, False).name == "StandingsInvalid"
