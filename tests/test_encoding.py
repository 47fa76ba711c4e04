"""Text ids and references, amounts, player keys and packed rows."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.encoding import (
    MAX_ROW_AMOUNT,
    Row,
    bytes_to_text,
    pack_rows,
    parse_amount,
    parse_player_key,
    text_to_bytes,
    unpack_rows,
)
from ledger.errors import InputError
from ledger.playerkey import derive_player_key


def test_short_text_round_trips_through_bytes32() -> None:
    assert text_to_bytes("welcome-2026") == b"welcome-2026".ljust(32, b"\x00")
    assert bytes_to_text(text_to_bytes("welcome-2026")) == "welcome-2026"
    assert bytes_to_text(b"\xff" * 32) == "0x" + "ff" * 32


def test_hex_of_the_exact_width_is_taken_as_bytes() -> None:
    assert text_to_bytes("0x" + "ab" * 32) == b"\xab" * 32
    assert text_to_bytes("0x" + "ab" * 20, 20) == b"\xab" * 20


def test_text_longer_than_the_field_is_refused() -> None:
    with pytest.raises(InputError, match="longer than 20 bytes"):
        text_to_bytes("x" * 21, 20)
    with pytest.raises(InputError, match="empty"):
        text_to_bytes("  ")


@pytest.mark.parametrize("bad", ["-5", "1.5", "1e3", "abc", "", "0", " 0x10"])
def test_amounts_must_be_positive_whole_numbers(bad: str) -> None:
    with pytest.raises(InputError):
        parse_amount(bad)


def test_amounts_accept_digits_and_underscores_up_to_the_maximum() -> None:
    assert parse_amount("1_000") == 1000
    assert parse_amount(str(MAX_ROW_AMOUNT), MAX_ROW_AMOUNT) == MAX_ROW_AMOUNT
    with pytest.raises(InputError, match="larger than"):
        parse_amount(str(MAX_ROW_AMOUNT + 1), MAX_ROW_AMOUNT)


@pytest.mark.parametrize("bad", ["0x12", "ab" * 32, "0x" + "zz" * 32, "0x" + "00" * 32])
def test_player_keys_must_be_non_zero_32_byte_hex(bad: str) -> None:
    with pytest.raises(InputError):
        parse_player_key(bad)


@given(
    st.lists(
        st.tuples(
            st.binary(min_size=32, max_size=32),
            st.integers(1, MAX_ROW_AMOUNT),
            st.binary(min_size=20, max_size=20),
        ),
        max_size=20,
    )
)
def test_rows_round_trip_through_their_packed_records(items: list[tuple[bytes, int, bytes]]) -> None:
    rows = [Row(p, a, r) for p, a, r in items]
    packed = pack_rows(rows)
    assert len(packed) == 64 * len(rows)
    assert unpack_rows(packed) == rows


def test_player_keys_are_stable_keyed_and_distinct() -> None:
    secret = b"s" * 32
    key = derive_player_key(secret, "player-42")
    assert key == derive_player_key(secret, " player-42 ") and len(key) == 32
    assert key != derive_player_key(secret, "player-43")
    assert key != derive_player_key(b"t" * 32, "player-42")
    with pytest.raises(InputError, match="at least 16 bytes"):
        derive_player_key(b"short", "player-42")
