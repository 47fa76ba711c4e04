"""The README's settings table names every setting the code reads, and nothing it does not."""

from __future__ import annotations

import re
from pathlib import Path

from ledger.config import Settings
from ledger.operator.runtime import OperatorSettings

README = Path(__file__).resolve().parents[2] / "README.md"


def settings() -> set[str]:
    """Every `LEDGER_*` name a settings class reads (the operator API's extend the core's)."""
    return {f"LEDGER_{name.upper()}" for cls in (Settings, OperatorSettings) for name in cls.model_fields}


def documented() -> set[str]:
    names: set[str] = set()
    for line in README.read_text().splitlines():
        if line.startswith("| `LEDGER_"):
            names.update(re.findall(r"`(LEDGER_[A-Z_]+)`", line.split("|")[1]))
    return names


def test_every_setting_has_a_row_in_the_readme_table() -> None:
    fields = settings()
    missing = fields - documented()
    assert not missing, f"settings without a README row: {sorted(missing)}"


def test_every_row_of_the_readme_table_is_a_setting() -> None:
    fields = settings()
    extra = {name for name in documented() if name not in fields and not name.endswith("_FILE")}
    assert not extra, f"README rows the code does not read: {sorted(extra)}"
