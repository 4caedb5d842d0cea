"""Placeholder: replaced by the realtime gateway."""

from __future__ import annotations

from typing import Any


class Hub:
    def __init__(self, state: Any) -> None:
        self.state = state

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
