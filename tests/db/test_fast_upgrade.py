"""A start on an up-to-date mirror skips Alembic; a mirror behind the migrations is still upgraded."""

from __future__ import annotations

import subprocess
import sys

from ledger.db.engine import make_engine
from ledger.db.migrate import current_revision, file_heads, head_revision, upgrade


def test_the_newest_migration_read_from_the_files_is_alembics_head() -> None:
    assert file_heads() == {head_revision()}


def test_a_mirror_one_migration_behind_is_upgraded_to_the_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_upgrading_an_up_to_date_mirror_does_not_import_alembic(database_url: str) -> None:
    upgrade(database_url)
    probe = (
        "import sys; from ledger.db.migrate import upgrade; upgrade(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, database_url], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
