"""timers: durable timers (snooze wake-up, housekeeping; SLA and rules next)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

A timer is a row scheduled in the transaction that makes it due and deleted in the one that fires it
(scheduling/). One per (account, kind, key); account 0 holds the server's own (housekeeping).
Conversations snoozed before this revision get their wake-up timers here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    timers = op.create_table(
        "timers",
        sa.Column("id", big, autoincrement=True, nullable=False),
        sa.Column("account_id", big, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("due_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
        sa.UniqueConstraint("account_id", "kind", "key", name=op.f("uq_timers_account_id_kind_key")),
    )
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timers_due_at"), ["due_at"], unique=False)
    # Snoozed conversations wake up from now on: give the ones already snoozed their timers.
    conversations = sa.table(
        "conversations",
        sa.column("id", big),
        sa.column("account_id", big),
        sa.column("status", sa.String()),
        sa.column("snoozed_until", destek.db.UTCDateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(conversations.c.id, conversations.c.account_id, conversations.c.snoozed_until).where(
            conversations.c.status == "snoozed", conversations.c.snoozed_until.is_not(None)
        )
    ).all()
    now = dt.datetime.now(dt.UTC)
    if rows:
        op.bulk_insert(
            timers,
            [
                {
                    "account_id": account_id,
                    "kind": "conversation.wake",
                    "key": str(conversation_id),
                    "due_at": snoozed_until,
                    "payload": {},
                    "attempts": 0,
                    "last_error": "",
                    "created_at": now,
                }
                for conversation_id, account_id, snoozed_until in rows
            ],
        )


def downgrade() -> None:
    op.drop_table("timers")
