"""Help-center test fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from destek.helpcenter import views


@pytest.fixture(autouse=True)
def _fresh_view_memory() -> Iterator[None]:
    """Which views were counted is remembered per process: each test starts with none."""
    views.forget()
    yield
    views.forget()
