"""Migrations of the help center's full-text table: 0007 gave SQLite's rows their account's tenant
token; 0010 drops the table (nothing reads it) and its downgrade builds it again from the translations;
0011 adds the translations' example questions."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from destek.migrate import alembic_config, upgrade
from destek.state import AppState
from tests.helpcenter.helpers import PASSWORD_TR, make_article
from tests.support.factories import Tenant


async def test_0007_moves_the_sqlite_index_rows_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0006")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO hc_fts (rowid, title, body, account_id) VALUES (7, 'sifre', 'unuttum', 42)")
            )
        await asyncio.to_thread(upgrade, url, "0007")
        async with engine.connect() as connection:
            row = (await connection.execute(text("SELECT rowid, title, body, tenant FROM hc_fts"))).one()
            assert tuple(row) == (7, "sifre", "unuttum", "a42")
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


async def test_0010_drops_the_full_text_table_and_its_downgrade_fills_it_again(
    state: AppState, tenant: Tenant, db_url: str
) -> None:
    article = await make_article(state, tenant, {"tr": PASSWORD_TR})
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
            assert "hc_fts" not in tables
        await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0009")
        sqlite = db_url.startswith("sqlite")
        query = (
            "SELECT rowid FROM hc_fts WHERE hc_fts MATCH 'tenant : \"a{account}\" AND sifre*'"
            if sqlite
            else "SELECT translation_id FROM hc_fts WHERE account_id = {account}"
            " AND document @@ to_tsquery('simple', 'sifre:*')"
        ).format(account=tenant.account_id)
        async with engine.connect() as connection:
            found = (await connection.execute(text(query))).scalars().all()
            translation = await connection.scalar(
                text("SELECT id FROM hc_translations WHERE article_id = :id"), {"id": article}
            )
        assert found == [translation]
        await asyncio.to_thread(upgrade, db_url, "head")
    finally:
        await engine.dispose()


async def test_0011_adds_example_questions_and_its_downgrade_keeps_the_articles(
    state: AppState, tenant: Tenant, db_url: str
) -> None:
    article = await make_article(
        state, tenant, {"tr": PASSWORD_TR.model_copy(update={"questions": ["sifremi unuttum"]})}
    )
    engine = create_async_engine(db_url)
    try:
        await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0010")
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: [c["name"] for c in sync.dialect.get_columns(sync, "hc_translations")]
            )
            title = await connection.scalar(
                text("SELECT title FROM hc_translations WHERE article_id = :id"), {"id": article}
            )
        assert "questions" not in columns and title == PASSWORD_TR.title
        await asyncio.to_thread(upgrade, db_url, "head")
        async with engine.connect() as connection:
            questions = await connection.scalar(
                text("SELECT questions FROM hc_translations WHERE article_id = :id"), {"id": article}
            )
        assert questions is None  # the rows written before it: no example questions
    finally:
        await engine.dispose()
