"""0016 moves a chat inbox's widget settings from the inbox's shared settings into its channel row (the
bot's key stays), and its downgrade puts them back; on both backends, with a database as an older
version left it."""

from __future__ import annotations

import asyncio
import json

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.migrate import alembic_config, upgrade
from destek.state import AppState
from tests.support.factories import Tenant

LOOK = {"color": "#e11d48", "greetings": {"tr": "Merhaba!"}, "allowed_domains": ["lokanta.com.tr"]}
BOT = {"enabled": True, "mode": "builtin"}


def _object(value: object) -> dict[str, object]:
    parsed = json.loads(value) if isinstance(value, str) else value
    assert isinstance(parsed, dict)
    return parsed


async def test_0016_moves_the_widget_settings_into_the_channel_row_and_back(
    state: AppState, tenant: Tenant, db_url: str
) -> None:
    engine = create_async_engine(db_url)
    try:
        await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0015")
        async with engine.begin() as connection:  # as an older version stored them
            await connection.execute(text("DELETE FROM channel_configs"))
            await connection.execute(
                text("UPDATE inboxes SET settings = :settings WHERE id = :id"),
                {"settings": json.dumps({**LOOK, "bot": BOT}), "id": tenant.inbox_id},
            )
        await asyncio.to_thread(upgrade, db_url, "head")
        async with engine.connect() as connection:
            inbox = _object(
                await connection.scalar(
                    text("SELECT settings FROM inboxes WHERE id = :id"), {"id": tenant.inbox_id}
                )
            )
            row = (
                await connection.execute(
                    text("SELECT kind, settings FROM channel_configs WHERE inbox_id = :id"),
                    {"id": tenant.inbox_id},
                )
            ).one()
        assert inbox == {"bot": BOT}
        assert row[0] == "widget" and _object(row[1]) == LOOK

        await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0015")
        async with engine.connect() as connection:
            inbox = _object(
                await connection.scalar(
                    text("SELECT settings FROM inboxes WHERE id = :id"), {"id": tenant.inbox_id}
                )
            )
        assert inbox == {**LOOK, "bot": BOT}
        await asyncio.to_thread(upgrade, db_url, "head")
    finally:
        await engine.dispose()
