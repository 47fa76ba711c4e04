"""Erasure on request: each customer's key hangs on a random salt of their own in the operator's
private file; after `ledger player forget`, nothing the operator still holds recomputes the key
from the customer id, and a key that still holds a balance is not forgotten."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3 import Web3

from ledger.cashout.salts import forget, migrate, open_salts, player_key, salted_key, salts_path
from ledger.chain.node import LocalNode
from ledger.playerkey import derive_player_key
from tests.cli.conftest import Cli, deploy_cli, failed_cleanly, make_cli

SECRET = "an old global secret, 32 bytes.."


def held_bytes(cli_or_dir: Path) -> bytes:
    """Everything under the operator's data directory, concatenated."""
    return b"".join(p.read_bytes() for p in sorted(cli_or_dir.rglob("*")) if p.is_file())


def test_salted_keys_are_stable_per_customer_and_differ_between_salt_files(tmp_path: Path) -> None:
    with open_salts(tmp_path / "a.db") as conn:
        first = player_key(conn, "customer-1")
        assert first == player_key(conn, " customer-1 ") and first != player_key(conn, "customer-2")
        row = conn.execute("SELECT salt FROM player_salts WHERE customer_id = 'customer-1'").fetchone()
        assert first == salted_key(bytes(row[0]), "customer-1")
    with open_salts(tmp_path / "b.db") as conn:
        assert player_key(conn, "customer-1") != first  # a random salt, not a function of the id
    assert (tmp_path / "a.db").stat().st_mode & 0o077 == 0


def test_a_forgotten_customer_cannot_be_linked_with_anything_the_operator_keeps(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "player-salts.db"
    with open_salts(path) as conn:
        key = player_key(conn, "customer-7")
        assert key is not None
        salt = bytes(conn.execute("SELECT salt FROM player_salts").fetchone()[0])
        player_key(conn, "customer-8")
    with open_salts(path) as conn:
        assert forget(conn, "customer-7") and not forget(conn, "customer-7")
        assert player_key(conn, "customer-7", create=False) is None
    kept = held_bytes(tmp_path)
    assert salt not in kept and key not in kept and b"customer-7" not in kept
    assert b"customer-8" in kept  # the others stay
    with open_salts(path) as conn:
        assert player_key(conn, "customer-7") != key  # a returning customer is a new pseudonym


def test_migrated_keys_stay_the_same_and_are_forgotten_the_same_way(tmp_path: Path) -> None:
    legacy = derive_player_key(SECRET.encode(), "customer-3")
    with open_salts(tmp_path / "s.db") as conn:
        assert migrate(conn, SECRET.encode(), ["customer-3", "customer-4", "customer-3"]) == 2
        assert player_key(conn, "customer-3") == legacy
        forget(conn, "customer-3")
    assert legacy not in held_bytes(tmp_path)


@pytest.fixture
def cli(tmp_path: Path, anvil: LocalNode, w3: Web3, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return deploy_cli(make_cli(tmp_path, anvil, w3, monkeypatch), tmp_path)


def test_forget_refuses_a_key_with_a_balance_until_it_is_settled(cli: Cli, tmp_path: Path) -> None:
    key = cli.ok("player", "key", "customer-9").strip()
    assert cli.ok("player", "key", "customer-9").strip() == key
    cli.ok("issue", "welcome", key, "40", "-r", "erasure-test-1")
    failed_cleanly(cli("player", "forget", "customer-9"), "still holds 40")
    cli.ok("expire", key, "40", "-r", "erasure-exp-1", "--reason", "erasure")
    assert "can no longer be linked" in cli.ok("player", "forget", "customer-9")
    assert bytes.fromhex(key[2:]) not in held_bytes(cli.data_dir)
    failed_cleanly(cli("player", "forget", "customer-9"), "already forgotten")
    failed_cleanly(cli("player", "key", " "), "printable text")


def test_migrate_keeps_the_keys_player_key_derived(cli: Cli, tmp_path: Path) -> None:
    env = {"LEDGER_PLAYER_KEY_SECRET": SECRET}
    legacy = cli("player-key", "customer-5", env=env).stdout.strip()
    ids = tmp_path / "ids.txt"
    ids.write_text("customer-5\ncustomer-6\n\n", encoding="utf-8")
    failed_cleanly(cli("player", "migrate", str(ids)), "LEDGER_PLAYER_KEY_SECRET")
    result = cli("player", "migrate", str(ids), env=env)
    assert result.exit_code == 0 and "migrated 2 of 2" in result.stdout
    assert cli.ok("player", "key", "customer-5").strip() == legacy  # no secret needed any more
    assert salts_path(cli.data_dir).exists()
    failed_cleanly(cli("player", "migrate", str(tmp_path / "missing.txt"), env=env), "cannot read")
