"""push: the devices a contact's app registered for push notifications

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

An agent's reply the customer has not read is pushed to the contact's devices (FCM for Android, APNs
for iOS) of that inbox (channels/widget/notify.py). A token is unique per inbox and follows the device.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _big(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_push_devices_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "push_devices",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        _big("account_id"),
        _big("inbox_id"),
        _big("contact_id"),
        sa.Column("provider", sa.String(length=8), nullable=False),
        sa.Column("token", sa.String(length=4096), nullable=False),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        _fk("account_id", "accounts"),
        _fk("inbox_id", "inboxes"),
        _fk("contact_id", "contacts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_devices")),
        sa.UniqueConstraint("inbox_id", "token", name=op.f("uq_push_devices_inbox_id_token")),
    )
    with op.batch_alter_table("push_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_devices_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_push_devices_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.drop_table("push_devices")
