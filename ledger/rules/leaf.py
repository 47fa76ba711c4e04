"""A player's activity leaf for one period: its values, their abi encoding and its hash.

Values, in StandardMerkleTree terms, of types ["bytes32", "bytes32", "uint256[]", "uint256",
"bytes32"]: the player key, the period id, the activity figures, the reward computed from them,
and a random salt (without it, a leaf's figures cannot be guessed from its hash). The figures are
[deposits, first_deposit, wins, carried_wager, tier, rank, events, wager by category...], the
categories in the order of the rules document.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ledger.errors import InputError
from ledger.rules.engine import Activity
from ledger.rules.merkle import leaf_hash

LEAF_TYPES = ["bytes32", "bytes32", "uint256[]", "uint256", "bytes32"]
FIGURES = ["deposits", "first_deposit", "wins", "carried_wager", "tier", "rank", "events"]
WORD = 2**256
FIGURES_OFFSET = (0xA0).to_bytes(32, "big")  # where the figures array starts: after 5 head words


class Leaf(NamedTuple):
    player: bytes
    period: bytes
    activity: Activity
    reward: int
    salt: bytes

    @property
    def figures(self) -> list[int]:
        a = self.activity
        return [a.deposits, a.first_deposit, a.wins, a.carried_wager, a.tier, a.rank, a.events, *a.wagers]

    def encode(self) -> bytes:
        """abi.encode(player, period, figures, reward, salt), word by word."""
        a = self.activity
        return b"".join(
            [
                self.player, self.period, FIGURES_OFFSET, self.reward.to_bytes(32, "big"), self.salt,
                (len(FIGURES) + len(a.wagers)).to_bytes(32, "big"),
                *[value.to_bytes(32, "big") for value in a[:-1]],  # deposits … events, in leaf order
                *[value.to_bytes(32, "big") for value in a.wagers],
            ]
        )  # fmt: skip

    def hash(self) -> bytes:
        return leaf_hash(self.encode())

    def to_json(self) -> dict[str, Any]:
        """The leaf as a player receives it: StandardMerkleTree values (amounts as strings)."""
        return {
            "types": LEAF_TYPES,
            "value": [
                "0x" + self.player.hex(),
                "0x" + self.period.hex(),
                [str(value) for value in self.figures],
                str(self.reward),
                "0x" + self.salt.hex(),
            ],
        }


def leaf_from_json(data: Any) -> Leaf:
    """A leaf from its JSON form; one-line InputError if it is malformed."""
    try:
        if data["types"] != LEAF_TYPES:
            raise InputError(f"a leaf's types are {LEAF_TYPES}, not {data['types']}")
        player, period, figures, reward, salt = data["value"]
        numbers = [_uint(value) for value in figures]
        if len(numbers) < len(FIGURES):
            raise InputError(f"a leaf holds at least {len(FIGURES)} figures")
        deposits, first, wins, carried, tier, rank, events = numbers[: len(FIGURES)]
        activity = Activity(
            deposits, first, wins, carried, tier, rank, events, tuple(numbers[len(FIGURES) :])
        )
        return Leaf(_word(player), _word(period), activity, _uint(reward), _word(salt))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"the leaf is malformed: {exc}") from exc


def _word(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise InputError(f"{value!r} is not a 0x-prefixed 32-byte hex word")
    return bytes.fromhex(value[2:])


def _uint(value: Any) -> int:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise InputError(f"{value!r} is not a decimal string")
    number = int(value)
    if number >= WORD:
        raise InputError(f"{value} does not fit in uint256")
    return number
