from __future__ import annotations

from pathlib import Path

import pytest

from destek.config import Settings
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, bus_url: str | None, tmp_path: Path) -> Settings:
    """Realtime tests run on every database and every bus."""
    return make_settings(db_url, tmp_path, bus_url, catchup_seconds=30.0)
