"""The bot's tests run the real consumers in the test's app state."""

from __future__ import annotations

from pathlib import Path

import pytest

from destek.config import Settings
from tests.support.factories_fixtures import make_settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=True, catchup_seconds=0.2)
