"""channels: the chat widget's settings move from the inbox's settings to its channel row

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

A chat inbox's look and behaviour (colour, position, greetings, pre-chat fields, reply time, allowed
domains...) were keys of `inboxes.settings`, a JSON object shared with the bot. They are the widget
channel's own settings now, in `channel_configs` beside how customers who left are reached. The bot's
key stays where it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = (
    "color",
    "position",
    "locale",
    "greeting",
    "greetings",
    "pre_chat_fields",
    "reply_time",
    "reply_notice",
    "allowed_domains",
)


def _json(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    parsed = json.loads(value) if isinstance(value, (str, bytes)) else value
    return dict(parsed) if isinstance(parsed, dict) else {}


def _tables() -> tuple[sa.Table, sa.Table]:
    meta = sa.MetaData()
    inboxes = sa.Table(
        "inboxes",
        meta,
        sa.Column("id", sa.BigInteger()),
        sa.Column("account_id", sa.BigInteger()),
        sa.Column("channel_type", sa.String()),
        sa.Column("settings", sa.JSON()),
    )
    configs = sa.Table(
        "channel_configs",
        meta,
        sa.Column("id", sa.BigInteger()),
        sa.Column("account_id", sa.BigInteger()),
        sa.Column("inbox_id", sa.BigInteger()),
        sa.Column("kind", sa.String()),
        sa.Column("settings", sa.JSON()),
        sa.Column("secrets", sa.Text()),
        sa.Column("state", sa.JSON()),
        sa.Column("problem", sa.String()),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    return inboxes, configs


def upgrade() -> None:
    bind = op.get_bind()
    inboxes, configs = _tables()
    now = dt.datetime.now(dt.UTC)
    rows = bind.execute(
        sa.select(inboxes.c.id, inboxes.c.account_id, inboxes.c.channel_type, inboxes.c.settings).where(
            inboxes.c.channel_type.in_(("widget", "api"))
        )
    ).all()
    for inbox_id, account_id, kind, raw in rows:
        settings = _json(raw)
        moved = {k: settings.pop(k) for k in KEYS if k in settings}
        if not moved:
            continue
        found = bind.execute(
            sa.select(configs.c.id, configs.c.settings).where(configs.c.inbox_id == inbox_id)
        ).first()
        if found is None:
            bind.execute(
                configs.insert().values(
                    account_id=account_id,
                    inbox_id=inbox_id,
                    kind=kind,
                    settings=moved,
                    secrets=None,
                    state={},
                    problem="",
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            bind.execute(
                configs.update().where(configs.c.id == found[0]).values(settings={**_json(found[1]), **moved})
            )
        bind.execute(inboxes.update().where(inboxes.c.id == inbox_id).values(settings=settings))


def downgrade() -> None:
    bind = op.get_bind()
    inboxes, configs = _tables()
    rows = bind.execute(
        sa.select(configs.c.inbox_id, configs.c.settings).where(configs.c.kind.in_(("widget", "api")))
    ).all()
    for inbox_id, raw in rows:
        stored = _json(raw)
        back = {k: stored[k] for k in KEYS if k in stored}
        current = bind.execute(sa.select(inboxes.c.settings).where(inboxes.c.id == inbox_id)).scalar()
        bind.execute(
            inboxes.update().where(inboxes.c.id == inbox_id).values(settings={**_json(current), **back})
        )
