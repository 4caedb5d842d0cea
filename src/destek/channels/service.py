"""Channel configuration: validated by the inbox's adapter, credentials sealed and write-only.

Plain functions taking the session first; none commits. Secrets never leave through here except as
"set / not set", and to the adapter itself through `context()`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import registry
from destek.channels.base import ChannelAdapter, ChannelContext
from destek.channels.models import ChannelConfig
from destek.db import utcnow
from destek.errors import Invalid
from destek.lib.sealing import Sealer
from destek.state import AppState

PURPOSE = "channel-secrets"
MAX_SECRET = 20_000  # a service-account key file is a few kB


def _validated(adapter: ChannelAdapter, settings: Mapping[str, Any]) -> BaseModel:
    try:
        return adapter.settings_model.model_validate(dict(settings))
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(["settings", *(str(p) for p in error["loc"])])
        raise Invalid(f"{where}: {error['msg']}", field=where) from None


def settings_of(adapter: ChannelAdapter, config: ChannelConfig | None) -> BaseModel:
    """The stored settings, read leniently: what no longer validates falls back to the defaults."""
    stored = dict(config.settings) if config is not None else {}
    try:
        return adapter.settings_model.model_validate(stored)
    except ValidationError as exc:
        # One bad value (a rule tightened since it was saved) must not reset the others.
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        try:
            return adapter.settings_model.model_validate({k: v for k, v in stored.items() if k not in bad})
        except ValidationError:
            return adapter.settings_model.model_construct()


def open_secrets(config: ChannelConfig | None, sealer: Sealer | None) -> dict[str, str]:
    if config is None or not config.secrets:
        return {}
    if sealer is None:
        raise ValueError("opening a channel's secrets needs the server's sealer")
    opened = json.loads(sealer.open(config.secrets, purpose=PURPOSE))
    return {str(k): str(v) for k, v in opened.items()}


async def get_config(session: AsyncSession, *, inbox_id: int) -> ChannelConfig | None:
    found: ChannelConfig | None = await session.scalar(
        select(ChannelConfig).where(ChannelConfig.inbox_id == inbox_id)
    )
    return found


async def configure(
    session: AsyncSession,
    *,
    inbox: Inbox,
    sealer: Sealer | None,
    settings: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str | None] | None = None,
) -> ChannelConfig:
    """Change the inbox's channel settings named in `settings` (the others keep their value) and the
    secrets named in `secrets`: a string sets one, null clears it, a secret left out keeps its value.
    The caller checks the actor."""
    adapter = registry.get(inbox.channel_type)
    config = await get_config(session, inbox_id=inbox.id)
    if config is None:
        # Two first saves at once (the widget form and another section): the inbox's row orders them.
        await session.refresh(inbox, with_for_update=True)
        config = await get_config(session, inbox_id=inbox.id)
    if config is None:
        config = ChannelConfig(
            account_id=inbox.account_id,
            inbox_id=inbox.id,
            kind=adapter.kind,
            settings={},
            state={},
            problem="",
        )
        session.add(config)
    else:
        await session.refresh(config, with_for_update=True)
    if settings is not None:
        # On top of what is stored, read leniently: an old value that no longer validates must not
        # block saving the others.
        current = settings_of(adapter, config).model_dump(mode="json")
        config.settings = _validated(adapter, {**current, **settings}).model_dump(mode="json")
    if secrets:
        if sealer is None:
            raise ValueError("setting a channel's secrets needs the server's sealer")
        current = open_secrets(config, sealer)
        for name, value in secrets.items():
            if name not in adapter.secret_fields:
                known = ", ".join(adapter.secret_fields) or "none"
                raise Invalid(f"secrets.{name}: not a secret of this channel (its secrets: {known})")
            if value is None or value == "":
                current.pop(name, None)
            elif len(value) > MAX_SECRET:
                raise Invalid(f"secrets.{name}: longer than {MAX_SECRET} characters", field=f"secrets.{name}")
            else:
                current[name] = value
        config.secrets = sealer.seal(json.dumps(current), purpose=PURPOSE) if current else None
    await adapter.validate(
        session, inbox=inbox, settings=settings_of(adapter, config), secrets=open_secrets(config, sealer)
    )
    config.problem = ""
    config.updated_at = utcnow()
    await session.flush()
    return config


def public_view(adapter: ChannelAdapter, config: ChannelConfig | None, sealer: Sealer) -> dict[str, Any]:
    """What the API and Settings show: the settings, and for each secret only whether it is set."""
    have = open_secrets(config, sealer)
    return {
        "kind": adapter.kind,
        "settings": settings_of(adapter, config).model_dump(mode="json"),
        "secrets": {name: name in have for name in adapter.secret_fields},
        "problem": config.problem if config is not None else "",
        "capabilities": {
            "sends": adapter.capabilities.sends,
            "attachments": adapter.capabilities.attachments,
            "quick_replies": adapter.capabilities.quick_replies,
            "templates": adapter.capabilities.templates,
            "edits": adapter.capabilities.edits,
            "read_receipts": adapter.capabilities.read_receipts,
            "subject": adapter.capabilities.subject,
            "cc": adapter.capabilities.cc,
            "reply_window_hours": (
                adapter.capabilities.reply_window.total_seconds() / 3600
                if adapter.capabilities.reply_window
                else None
            ),
        },
    }


async def context(session: AsyncSession, *, state: AppState, inbox: Inbox) -> ChannelContext:
    adapter = registry.get(inbox.channel_type)
    config = await get_config(session, inbox_id=inbox.id)
    return ChannelContext(
        inbox_id=inbox.id,
        account_id=inbox.account_id,
        inbox_name=inbox.name,
        settings=settings_of(adapter, config),
        secrets=open_secrets(config, state.sealer),
        state=state,
    )


async def set_problem(session: AsyncSession, *, inbox_id: int, problem: str) -> None:
    config = await get_config(session, inbox_id=inbox_id)
    if config is not None and config.problem != problem[:500]:
        config.problem = problem[:500]
        config.updated_at = utcnow()


async def can_email(session: AsyncSession, *, inbox: Inbox) -> bool:
    """Whether the inbox can reach its customers by e-mail: it is an e-mail inbox, or a chat inbox
    whose unread replies are mailed from one (channels/widget/reach.py: `email_inbox_id`)."""
    if registry.get(inbox.channel_type).capabilities.subject:
        return True
    config = await get_config(session, inbox_id=inbox.id)
    return config is not None and bool((config.settings or {}).get("email_inbox_id"))


async def contact_origin_allowed(
    session: AsyncSession, *, inbox: Inbox, origin: str | None, public_url: str = ""
) -> bool:
    """May a web page of this origin act as a contact of the inbox (the chat's socket)? The chat's
    allowed domains decide; other channels have no web pages."""
    from destek.channels.widget.settings import widget_origin_allowed

    return await widget_origin_allowed(session, inbox, origin, public_url=public_url)
