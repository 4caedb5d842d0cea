"""Migration 0007: SQLite's full-text rows keep their text and get their account's tenant token."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.helpcenter import fulltext
from destek.migrate import alembic_config, upgrade


async def test_0007_moves_the_sqlite_index_rows_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0006")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO hc_fts (rowid, title, body, account_id) VALUES (7, 'sifre', 'unuttum', 42)")
            )
        await asyncio.to_thread(upgrade, url, "head")
        async with engine.connect() as connection:
            row = (await connection.execute(text("SELECT rowid, title, body, tenant FROM hc_fts"))).one()
            assert tuple(row) == (7, "sifre", "unuttum", fulltext.tenant_token(42))
            found = await connection.scalar(
                text("SELECT rowid FROM hc_fts WHERE hc_fts MATCH :match"),
                {"match": 'tenant : "a42" AND sifre'},
            )
            assert found == 7
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0006")
        async with engine.connect() as connection:
            row = (await connection.execute(text("SELECT rowid, title, body, account_id FROM hc_fts"))).one()
            assert tuple(row) == (7, "sifre", "unuttum", 42)
    finally:
        await engine.dispose()
