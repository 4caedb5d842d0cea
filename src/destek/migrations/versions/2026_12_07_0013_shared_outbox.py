"""deliveries: one outbox for everything that leaves the server

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

The external bot's delivery log (bot_deliveries) becomes the shared outbox (deliveries) that channel
sends and, later, outgoing webhooks use too: an idempotency key per delivery, a lane kept in order, the
attempts and their outcome. Existing rows are carried over as kind "bot_webhook".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _big(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_deliveries_{column}_{table}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        _big("account_id"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("lane", sa.String(length=120), nullable=False),
        sa.Column("target", sa.String(length=2000), nullable=False),
        _big("inbox_id", nullable=True),
        _big("conversation_id", nullable=True),
        _big("message_id", nullable=True),
        _big("event_seq", nullable=True),
        sa.Column("payload", destek.db.JSONType, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", destek.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("provider_id", sa.String(length=300), nullable=True),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempted_at", destek.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", destek.db.UTCDateTime(timezone=True), nullable=True),
        _fk("account_id", "accounts"),
        _fk("inbox_id", "inboxes"),
        _fk("conversation_id", "conversations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("account_id", "kind", "key", name=op.f("uq_deliveries_account_id_kind_key")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_inbox_id"), ["inbox_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index("ix_deliveries_due", ["kind", "status", "next_attempt_at"], unique=False)
    op.execute(
        "INSERT INTO deliveries (account_id, kind, key, lane, target, inbox_id, conversation_id, message_id, "
        "event_seq, payload, status, attempts, next_attempt_at, last_status_code, last_error, created_at, "
        "delivered_at) "
        "SELECT account_id, 'bot_webhook', 'message:' || message_id, 'conversation:' || conversation_id, url, "
        "inbox_id, conversation_id, message_id, event_seq, payload, status, attempts, next_attempt_at, "
        "last_status_code, last_error, created_at, delivered_at FROM bot_deliveries ORDER BY id"
    )
    op.drop_table("bot_deliveries")


def downgrade() -> None:
    op.create_table(
        "bot_deliveries",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        _big("account_id"),
        _big("inbox_id"),
        _big("conversation_id"),
        _big("message_id"),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("payload", destek.db.JSONType, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", destek.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", destek.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_bot_deliveries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_bot_deliveries_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inbox_id"], ["inboxes.id"], name=op.f("fk_bot_deliveries_inbox_id_inboxes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_deliveries")),
        sa.UniqueConstraint("account_id", "message_id", name=op.f("uq_bot_deliveries_account_id_message_id")),
    )
    with op.batch_alter_table("bot_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bot_deliveries_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bot_deliveries_inbox_id"), ["inbox_id"], unique=False)
        batch_op.create_index("ix_bot_deliveries_due", ["status", "next_attempt_at"], unique=False)
    op.execute(
        "INSERT INTO bot_deliveries (account_id, inbox_id, conversation_id, message_id, event_seq, url, payload, "
        "status, attempts, next_attempt_at, last_status_code, last_error, created_at, delivered_at) "
        "SELECT account_id, inbox_id, conversation_id, message_id, event_seq, target, payload, "
        "CASE status WHEN 'sending' THEN 'failed' ELSE status END, attempts, next_attempt_at, last_status_code, "
        "last_error, created_at, delivered_at FROM deliveries WHERE kind = 'bot_webhook' AND inbox_id IS NOT NULL "
        "AND conversation_id IS NOT NULL AND message_id IS NOT NULL AND event_seq IS NOT NULL ORDER BY id"
    )
    op.drop_table("deliveries")
