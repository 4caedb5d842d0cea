"""Every column that holds a sealed secret (lib/sealing.py), and sealing them all again under the
current key: `destek rotate-secrets` after DESTEK_SECRET_KEY changed (the old key listed in
DESTEK_OLD_SECRET_KEYS until then). A domain that seals a column adds it here."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from destek.accounts import second_factor
from destek.accounts.models import User
from destek.channels import service as channels
from destek.channels.models import ChannelConfig
from destek.lib.sealing import Sealer

SEALED: list[tuple[str, InstrumentedAttribute[str | None], str]] = [
    ("second factors (users.totp_secret)", User.totp_secret, second_factor.PURPOSE),
    ("channel credentials (channel_configs.secrets)", ChannelConfig.secrets, channels.PURPOSE),
]


async def reseal_all(session: AsyncSession, *, sealer: Sealer) -> dict[str, int]:
    """Seal every stored secret again under the current key; {what: how many}. Raises Unsealable
    (nothing is written) when one cannot be opened with the current or old keys."""
    counts: dict[str, int] = {}
    for what, column, purpose in SEALED:
        model = column.class_
        rows = (await session.execute(select(model.id, column).where(column.is_not(None)))).all()
        for row_id, sealed in rows:
            await session.execute(
                update(model)
                .where(model.id == row_id)
                .values({column.key: sealer.reseal(sealed, purpose=purpose)})
            )
        counts[what] = len(rows)
    return counts
