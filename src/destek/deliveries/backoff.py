"""One retry schedule for every delivery: quick at first, then spaced out over about a day."""

from __future__ import annotations

import datetime as dt

SCHEDULE = (0, 5, 30, 120, 600, 1800, 3600, 3 * 3600)  # seconds before attempt n (1-based index - 1)
MAX_ATTEMPTS = len(SCHEDULE)


def delay(attempts: int, *, scale: float = 1.0, hint: float | None = None) -> dt.timedelta:
    """How long to wait after `attempts` tries. A provider's own hint (Retry-After) wins when longer."""
    seconds = SCHEDULE[min(attempts, len(SCHEDULE) - 1)] * scale
    if hint is not None:
        seconds = max(seconds, min(hint, 24 * 3600.0))
    return dt.timedelta(seconds=seconds)
