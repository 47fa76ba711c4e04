"""Creates and upgrades the mirror's schema with Alembic, from inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from ledger.db.engine import make_engine
from ledger.errors import DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def _engine(engine_or_url: Engine | str) -> Engine:
    return make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Brings the schema to `revision` (default the newest); safe to run on every start."""
    engine = _engine(engine_or_url)
    try:
        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # drivers' messages span lines
        raise DatabaseError(f"cannot migrate the database at {engine.url!r}: {reason}") from exc
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
