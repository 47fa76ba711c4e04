"""`ledger --help` and every command's `--help` start without the heavy libraries: the help a user
asks for costs a Python start-up and Typer, not web3, the database stack or the web stack."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ledger.cli.main import COMMANDS

# What start-up must not pay for: each costs a tenth of a second to a second to import.
HEAVY = (
    "web3", "eth_account", "eth_abi", "eth_utils", "sqlalchemy", "sqlmodel", "alembic", "fastapi",
    "uvicorn", "starlette", "httpx", "requests", "pydantic_settings", "py_ecc", "ckzg",
)  # fmt: skip

# Runs every help in one fresh interpreter (what one help imports, all of them import together),
# and reports the help texts and which heavy packages ended up imported.
PROBE = """
import contextlib, io, json, sys
from typer.main import get_command
from ledger.cli.main import COMMANDS, app

command = get_command(app)
texts = {}
for name in ["", *COMMANDS]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            command.main([name, "--help"] if name else ["--help"], prog_name="ledger")
        except SystemExit as exc:
            assert exc.code in (0, None), (name, exc.code)
    texts[name] = buffer.getvalue()
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[1])))
print(json.dumps({"texts": texts, "heavy": heavy}))
"""


@pytest.fixture(scope="module")
def probe() -> dict[str, object]:
    """One interpreter's run of every help (about two seconds)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "TERM": "dumb"},
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_help_of_the_ledger_and_of_every_command_imports_no_heavy_library(probe: dict[str, object]) -> None:
    assert probe["heavy"] == []


def test_the_ledgers_help_still_lists_every_command_and_each_command_its_own_help(
    probe: dict[str, object],
) -> None:
    texts = probe["texts"]
    assert isinstance(texts, dict)
    top = texts[""]
    assert all(name in top for name in COMMANDS), top
    assert "Usage: ledger" in top
    for name in COMMANDS:
        assert f"ledger {name}" in texts[name], (name, texts[name])
    assert (
        "reconcile" in texts["audit"] and "create" in texts["campaign"] and "--until-head" in texts["index"]
    )


def test_verify_help_shows_the_verifiers_own_default_lag() -> None:
    from ledger.cli.verify import MAX_LAG
    from ledger.verify import DEFAULT_MAX_LAG

    assert MAX_LAG == DEFAULT_MAX_LAG
