"""help center: example questions per translation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

The questions customers ask that an article answers, as its author writes them ("şifremi unuttum",
"can't log in"): searched like the article's own text. NULL (the existing rows) reads as none.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hc_translations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "questions",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("hc_translations", schema=None) as batch_op:
        batch_op.drop_column("questions")
