"""channels: each inbox's channel configuration, the inbound record, inline attachments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

channel_configs: an inbox's channel settings owned by its adapter, its credentials sealed, its adapter's
running state (an IMAP cursor). inbound_records: every raw inbound item (a mail, a webhook body) with
what became of it; failed ones are listed for admins and processed again. attachments gain the
Content-ID and inline flag of an e-mail's inline images.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _big(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _id() -> sa.Column[int]:
    return sa.Column(
        "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
    )


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, destek.db.UTCDateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "channel_configs",
        _id(),
        _big("account_id"),
        _big("inbox_id"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("settings", destek.db.JSONType, nullable=False),
        sa.Column("secrets", sa.Text(), nullable=True),
        sa.Column("state", destek.db.JSONType, nullable=False),
        sa.Column("problem", sa.String(length=500), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _fk("channel_configs", "account_id", "accounts"),
        _fk("channel_configs", "inbox_id", "inboxes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_configs")),
        sa.UniqueConstraint("inbox_id", name=op.f("uq_channel_configs_inbox_id")),
    )
    with op.batch_alter_table("channel_configs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_configs_account_id"), ["account_id"], unique=False)
    op.create_table(
        "inbound_records",
        _id(),
        _big("account_id"),
        _big("inbox_id"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        _big("message_id", nullable=True),
        _big("conversation_id", nullable=True),
        _time("received_at"),
        _fk("inbound_records", "account_id", "accounts"),
        _fk("inbound_records", "inbox_id", "inboxes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_records")),
        sa.UniqueConstraint(
            "account_id", "kind", "external_id", name=op.f("uq_inbound_records_account_id_kind_external_id")
        ),
    )
    with op.batch_alter_table("inbound_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_records_account_id"), ["account_id"], unique=False)
        batch_op.create_index("ix_inbound_records_inbox_status", ["inbox_id", "status", "id"], unique=False)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("inline", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("inline")
        batch_op.drop_column("content_id")
    op.drop_table("inbound_records")
    op.drop_table("channel_configs")
