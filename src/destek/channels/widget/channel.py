"""A chat inbox's channel row: the widget's look and behaviour (settings.py) and how customers who have
left are reached (reach.py), validated together when an admin saves either part."""

from __future__ import annotations

from pydantic import ConfigDict

from destek.channels.widget.reach import ReachSettings
from destek.channels.widget.settings import WidgetSettings


class WidgetChannelSettings(WidgetSettings, ReachSettings):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
