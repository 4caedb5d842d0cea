"""Which agents have a live dashboard socket, on which node (see realtime/presence.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from destek.db import Base, BigId, UTCDateTime, utcnow


class AgentPresence(Base):
    """One row per agent per node while the agent has a socket there; `seen_at` is refreshed by the
    node, so a node that died without cleaning up stops counting after a short window."""

    __tablename__ = "agent_presence"
    __table_args__ = (UniqueConstraint("account_id", "user_id", "node"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    node: Mapped[str] = mapped_column(String(32), index=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
