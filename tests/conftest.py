"""Fixtures: a fresh database per test on every backend, both buses, factories, API clients.

Backends come from the environment: SQLite always; PostgreSQL when DESTEK_TEST_POSTGRES_URL is set
(or the local server answers); Redis likewise with DESTEK_TEST_REDIS_URL. With DESTEK_REQUIRE_SERVICES=1
(CI) a missing service fails the run instead of skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from destek.security import use_cheap_password_hashing
from tests.support.databases import BACKENDS, DatabaseTemplate, postgres_url, redis_url

pytest_plugins = ["tests.support.factories_fixtures"]

# Full-strength Argon2 costs ~0.1 s per user; the suite creates thousands. Production keeps the default.
use_cheap_password_hashing()


def _require() -> bool:
    return os.environ.get("DESTEK_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DatabaseTemplate]]:
    made: dict[str, DatabaseTemplate] = {}
    yield made
    for template in made.values():
        template.drop()


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, templates: dict[str, DatabaseTemplate], tmp_path: Path
) -> Iterator[str]:
    """A migrated, empty database of the backend, private to this test."""
    backend = request.param
    if backend == "postgresql" and postgres_url() is None:
        if _require():
            pytest.fail("PostgreSQL is required (DESTEK_REQUIRE_SERVICES=1) but does not answer")
        pytest.skip("PostgreSQL is not available")
    template = templates.get(backend)
    if template is None:
        template = templates[backend] = DatabaseTemplate.create(backend, tmp_path.parent)
    url = template.clone(tmp_path)
    yield url
    template.discard(url)


@pytest.fixture(params=["memory", "redis"])
def bus_url(request: pytest.FixtureRequest) -> str | None:
    """None for the memory bus, or a Redis URL."""
    if request.param == "memory":
        return None
    url = redis_url()
    if url is None:
        if _require():
            pytest.fail("Redis is required (DESTEK_REQUIRE_SERVICES=1) but does not answer")
        pytest.skip("Redis is not available")
    return url
