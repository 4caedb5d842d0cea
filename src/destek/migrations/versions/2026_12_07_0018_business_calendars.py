"""business calendars: hours, holidays, and the inboxes and teams that follow them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

An account's business-hours calendars (a time zone, weekly intervals, holidays), and links from
inboxes and teams to them (sla/). Nothing follows a calendar yet: every clock stays round-the-clock
until an admin sets one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import destek.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "business_calendars",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("account_id", BIG, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("week", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", destek.db.UTCDateTime(timezone=True), nullable=False),
        _fk("business_calendars", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendars")),
        sa.UniqueConstraint("account_id", "name", name=op.f("uq_business_calendars_account_id_name")),
    )
    with op.batch_alter_table("business_calendars", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_business_calendars_account_id"), ["account_id"], unique=False)
    op.create_table(
        "calendar_links",
        sa.Column("id", BIG, autoincrement=True, nullable=False),
        sa.Column("account_id", BIG, nullable=False),
        sa.Column("calendar_id", BIG, nullable=False),
        sa.Column("inbox_id", BIG, nullable=True),
        sa.Column("team_id", BIG, nullable=True),
        _fk("calendar_links", "account_id", "accounts"),
        _fk("calendar_links", "calendar_id", "business_calendars"),
        _fk("calendar_links", "inbox_id", "inboxes"),
        _fk("calendar_links", "team_id", "teams"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_links")),
        sa.UniqueConstraint("inbox_id", name=op.f("uq_calendar_links_inbox_id")),
        sa.UniqueConstraint("team_id", name=op.f("uq_calendar_links_team_id")),
    )
    with op.batch_alter_table("calendar_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_links_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_links_calendar_id"), ["calendar_id"], unique=False)


def downgrade() -> None:
    op.drop_table("calendar_links")
    op.drop_table("business_calendars")
