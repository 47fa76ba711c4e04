"""Alembic environment: runs on the engine that `ledger.db.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine
from sqlmodel import SQLModel

from ledger.db.models import include_object  # and registers the tables on the metadata

target_metadata = SQLModel.metadata


def run() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()


run()
