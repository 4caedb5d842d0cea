"""dashboard and widget

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "canned_responses",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _id(), nullable=False),
        sa.Column("short_code", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_by_id", _id(), nullable=True),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_canned_responses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_canned_responses_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_responses")),
        sa.UniqueConstraint(
            "account_id", "short_code", name=op.f("uq_canned_responses_account_id_short_code")
        ),
    )
    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_canned_responses_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_canned_responses_created_by_id"), ["created_by_id"], unique=False
        )

    # Merged conversations (conversations/merge.py).
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_id", _id(), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversations_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_conversations_merged_into_id_conversations"),
            "conversations",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_conversations_merged_into_id_conversations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_conversations_merged_into_id"))
        batch_op.drop_column("merged_into_id")
    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_canned_responses_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_canned_responses_account_id"))
    op.drop_table("canned_responses")
