"""bot and language: conversation insights and handoff, bot sessions, external bot deliveries,
consumer leases

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import destek.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _time() -> destek.db.UTCDateTime:
    return destek.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topic", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("sentiment", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("urgency", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("handed_over_at", _time(), nullable=True))
        batch_op.add_column(
            sa.Column("bot_resolved", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    op.create_table(
        "consumer_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", _time(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_consumer_leases")),
    )

    op.create_table(
        "bot_sessions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("conversation_id", _ID, nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_question", sa.Text(), nullable=False),
        sa.Column("offered", _JSON, nullable=False),
        sa.Column("awaiting_email", sa.Boolean(), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("updated_at", _time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_bot_sessions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_bot_sessions_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_sessions")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_bot_sessions_conversation_id")),
    )
    with op.batch_alter_table("bot_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bot_sessions_account_id"), ["account_id"], unique=False)

    op.create_table(
        "bot_deliveries",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("inbox_id", _ID, nullable=False),
        sa.Column("conversation_id", _ID, nullable=False),
        sa.Column("message_id", _ID, nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _time(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("delivered_at", _time(), nullable=True),
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


def downgrade() -> None:
    with op.batch_alter_table("bot_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_bot_deliveries_due")
        batch_op.drop_index(batch_op.f("ix_bot_deliveries_inbox_id"))
        batch_op.drop_index(batch_op.f("ix_bot_deliveries_account_id"))
    op.drop_table("bot_deliveries")
    with op.batch_alter_table("bot_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bot_sessions_account_id"))
    op.drop_table("bot_sessions")
    op.drop_table("consumer_leases")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("bot_resolved")
        batch_op.drop_column("handed_over_at")
        batch_op.drop_column("urgency")
        batch_op.drop_column("sentiment")
        batch_op.drop_column("topic")
