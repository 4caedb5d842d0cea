"""Real databases for tests: a migrated template per backend, cloned for each test."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import socket
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from destek.migrate import upgrade

T = TypeVar("T")
BACKENDS = ["sqlite", "postgresql"]
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even while an event loop runs in this thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_url() -> str | None:
    url = os.environ.get("DESTEK_TEST_POSTGRES_URL")
    if url:
        return url
    return DEFAULT_PG if _answers("127.0.0.1", 5432) else None


def redis_url() -> str | None:
    url = os.environ.get("DESTEK_TEST_REDIS_URL")
    if url:
        return url
    return DEFAULT_REDIS if _answers("127.0.0.1", 6379) else None


def _with_database(url: str, name: str) -> str:
    base, _, _old = url.rpartition("/")
    return f"{base}/{name}"


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class DatabaseTemplate:
    backend: str
    template: str  # a file path (SQLite) or a database name (PostgreSQL)
    admin_url: str = ""

    @classmethod
    def create(cls, backend: str, workdir: Path) -> DatabaseTemplate:
        if backend == "sqlite":
            path = workdir / f"template-{uuid.uuid4().hex[:8]}.db"
            run_sync(asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{path}"))
            return cls("sqlite", str(path))
        admin = postgres_url()
        assert admin is not None
        name = f"destek_tpl_{uuid.uuid4().hex[:10]}"
        run_sync(_admin(admin, f'CREATE DATABASE "{name}"'))
        run_sync(asyncio.to_thread(upgrade, _with_database(admin, name)))
        return cls("postgresql", name, admin)

    def clone(self, tmp_path: Path) -> str:
        if self.backend == "sqlite":
            target = tmp_path / "destek.db"
            shutil.copyfile(self.template, target)
            return f"sqlite+aiosqlite:///{target}"
        name = f"destek_t_{uuid.uuid4().hex[:12]}"
        run_sync(_admin(self.admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return _with_database(self.admin_url, name)

    def discard(self, url: str) -> None:
        if self.backend == "postgresql":
            name = url.rpartition("/")[2]
            run_sync(_admin(self.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def drop(self) -> None:
        if self.backend == "postgresql":
            run_sync(_admin(self.admin_url, f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
        else:
            Path(self.template).unlink(missing_ok=True)
