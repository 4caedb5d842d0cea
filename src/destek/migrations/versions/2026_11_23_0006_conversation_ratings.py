"""conversation ratings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "conversation_ratings",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("account_id", _id(), nullable=False),
        sa.Column("conversation_id", _id(), nullable=False),
        sa.Column("inbox_id", _id(), nullable=False),
        sa.Column("contact_id", _id(), nullable=False),
        sa.Column("assignee_id", _id(), nullable=True),
        sa.Column("team_id", _id(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_conversation_ratings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_conversation_ratings_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_ratings_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inbox_id"],
            ["inboxes.id"],
            name=op.f("fk_conversation_ratings_inbox_id_inboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_ratings")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_conversation_ratings_conversation_id")),
    )
    with op.batch_alter_table("conversation_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_ratings_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_ratings_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_ratings_inbox_id"), ["inbox_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_ratings_inbox_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_ratings_contact_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_ratings_account_id"))
    op.drop_table("conversation_ratings")
