"""The migrations build exactly the schema the models describe, on every backend: `alembic revision
--autogenerate` would find nothing to do. Contacts' identity_verified came by migration 0002."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.migrate import head_revision
from destek.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "compare_server_default": True},
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
            assert await connection.run_sync(_differences) == []
            # A contact written without the column, as by code from before 0002, is not verified.
            await connection.execute(
                text(
                    "INSERT INTO accounts (name, locale, timezone, last_event_seq, last_conversation_number, "
                    "created_at) VALUES ('a', 'en', 'UTC', 0, 0, CURRENT_TIMESTAMP)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO contacts (account_id, name, attributes, device, created_at, updated_at) "
                    "SELECT id, 'x', '{}', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM accounts"
                )
            )
            verified = await connection.scalar(text("SELECT identity_verified FROM contacts"))
            assert verified is not None and not verified
            await connection.rollback()
    finally:
        await engine.dispose()
