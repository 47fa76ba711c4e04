"""Creates and upgrades the mirror's schema with Alembic, from inside the package.

Importing Alembic takes longer than an indexer's whole start otherwise: `upgrade` first compares
the database's revision with the newest migration file's (read from the files), and loads Alembic
only when they differ.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ledger.db.engine import make_engine
from ledger.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

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
        if revision == "head" and _at_head(engine):
            return
        from alembic import command

        command.upgrade(alembic_config(engine), revision)
    except OperationalError as exc:
        reason = " ".join(str(exc.orig).split())  # drivers' messages span lines
        raise DatabaseError(f"cannot migrate the database at {engine.url!r}: {reason}") from exc
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def file_heads() -> set[str]:
    """The newest revisions, from the migration files' `revision` and `down_revision` lines: the
    revisions no other revision follows."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, expression = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, expression = node.targets[0], node.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            value = ast.literal_eval(expression)
            if target.id == "revision":
                revisions.add(value)
            elif target.id == "down_revision" and value:
                parents.update([value] if isinstance(value, str) else value)
    return revisions - parents


def _at_head(engine: Engine) -> bool:
    """Whether the database's revisions are exactly the newest migration files' (no Alembic)."""
    try:
        with engine.connect() as conn:
            found = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError:
        return False  # a new database, or one Alembic must look at (and report on)
    return bool(found) and found == file_heads()
