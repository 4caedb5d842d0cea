"""The per-test app: state on a fresh database, the ASGI app, an HTTP client, tenants."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from destek.app import create_app, running
from destek.config import Settings
from destek.state import AppState
from tests.support.factories import Tenant, make_tenant


def make_settings(db_url: str, tmp_path: Path, redis: str | None = None, **extra: object) -> Settings:
    return Settings(
        database_url=db_url,
        redis_url=redis,
        data_dir=tmp_path,
        secret_key="test-secret-key",  # type: ignore[arg-type]
        bus_channel=f"destek:test:{uuid.uuid4().hex}",
        **{"run_consumers": False, **extra},  # type: ignore[arg-type]  # tests/bot turn them on
    )


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path)


@pytest.fixture
async def state(settings: Settings) -> AsyncIterator[AppState]:
    from destek.app import build_state

    built = build_state(settings)
    async with running(built):
        yield built


@pytest.fixture
async def client(state: AppState) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(state=state)  # lifespan not run: the `state` fixture already started it
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def tenant(state: AppState) -> Tenant:
    return await make_tenant(state)


@pytest.fixture
async def other_tenant(state: AppState) -> Tenant:
    """A second account: everything of it must be invisible to `tenant`."""
    return await make_tenant(state)
