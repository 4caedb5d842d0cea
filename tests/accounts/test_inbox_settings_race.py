"""Concurrent writers of an inbox's settings each change their own keys: the one that commits second must
not put back what it read before the first committed. The bot's settings and its token share the inbox's
row; the widget form and the reach settings share the chat channel's row."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.accounts.service import Actor
from destek.bot import service as bot
from destek.bot import tokens
from destek.bot.settings import BotSettings, BotSettingsUpdate
from destek.channels import service as channels
from destek.channels.widget.settings import WidgetSettings
from destek.errors import Unauthorized
from destek.state import AppState
from tests.support.factories import Tenant

Write = Callable[[AsyncSession, Actor], Awaitable[Any]]
COLOR = "#7c3aed"


async def _owner(session: AsyncSession, tenant: Tenant) -> Actor:
    return await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)


async def _race(state: AppState, tenant: Tenant, first: Write, second: Write) -> Any:
    """`second` starts while `first` has written but not committed; returns what `first` returned."""

    async def later() -> None:
        async with state.uow() as session:
            await second(session, await _owner(session, tenant))

    async with state.uow() as session:
        done = await first(session, await _owner(session, tenant))
        racing = asyncio.create_task(later())
        await asyncio.sleep(0.5)
        # It waits for the first to commit: the row lock on PostgreSQL, the write lock on SQLite.
        assert not racing.done()
    await asyncio.wait_for(racing, timeout=30)
    return done


async def _stored(state: AppState, tenant: Tenant) -> dict[str, Any]:
    async with state.read() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        return dict(inbox.settings)


def _widget(inbox_id: int) -> Write:
    async def write(session: AsyncSession, owner: Actor) -> None:
        # What the widget form of Settings does (web/settings/actions.py save_widget).
        widget = WidgetSettings.model_validate({"color": COLOR})
        inbox = await inbox_service.update_inbox(session, actor=owner, inbox_id=inbox_id)
        await channels.configure(session, inbox=inbox, sealer=None, settings=widget.stored())

    return write


def _reach(inbox_id: int) -> Write:
    async def write(session: AsyncSession, owner: Actor) -> None:
        # What the reach section of Settings does (PUT .../channel with its own fields).
        inbox = await inbox_service.get_inbox(session, account_id=owner.account_id, inbox_id=inbox_id)
        await channels.configure(session, inbox=inbox, sealer=None, settings={"email_after_minutes": 15})

    return write


async def _channel(state: AppState, tenant: Tenant) -> dict[str, Any]:
    async with state.read() as session:
        config = await channels.get_config(session, inbox_id=tenant.inbox_id)
        return dict(config.settings) if config is not None else {}


@pytest.mark.parametrize("widget_first", [True, False], ids=["widget-then-reach", "reach-then-widget"])
async def test_the_widget_form_and_the_reach_settings_both_survive(
    state: AppState, tenant: Tenant, widget_first: bool
) -> None:
    async with state.uow() as session:  # the row exists: both writers lock it
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        await channels.configure(session, inbox=inbox, sealer=None, settings={})
    widget, reach = _widget(tenant.inbox_id), _reach(tenant.inbox_id)
    first, second = (widget, reach) if widget_first else (reach, widget)

    await _race(state, tenant, first, second)

    stored = await _channel(state, tenant)
    assert stored["color"] == COLOR and stored["email_after_minutes"] == 15


def _bot_on(inbox_id: int) -> Write:
    async def write(session: AsyncSession, owner: Actor) -> None:
        change = BotSettingsUpdate(enabled=True, answer_threshold=0.9)
        await bot.update_settings(session, actor=owner, inbox_id=inbox_id, change=change)

    return write


async def test_the_widget_form_and_the_bot_settings_keep_apart(state: AppState, tenant: Tenant) -> None:
    async with state.uow() as session:
        await _widget(tenant.inbox_id)(session, await _owner(session, tenant))
        await _bot_on(tenant.inbox_id)(session, await _owner(session, tenant))
    assert (await _channel(state, tenant))["color"] == COLOR
    stored = await _stored(state, tenant)
    assert "color" not in stored  # the widget's look is the channel's, not in the shared blob
    settings = BotSettings.of(stored)
    assert settings.enabled and settings.answer_threshold == 0.9


async def test_a_bot_settings_change_keeps_a_token_issued_meanwhile(state: AppState, tenant: Tenant) -> None:

    async def issue(session: AsyncSession, owner: Actor) -> tokens.IssuedToken:
        return await tokens.issue(session, actor=owner, inbox_id=tenant.inbox_id)

    issued: tokens.IssuedToken = await _race(state, tenant, issue, _bot_on(tenant.inbox_id))

    assert BotSettings.of(await _stored(state, tenant)).enabled
    async with state.read() as session:  # the new token works: its hash was not written over
        actor = await tokens.bot_actor(session, account_id=tenant.account_id, token=issued.token)
    assert actor.inbox_ids == frozenset({tenant.inbox_id})


async def test_a_revoked_token_stays_revoked_after_a_concurrent_bot_change(
    state: AppState, tenant: Tenant
) -> None:
    async with state.uow() as session:
        issued = await tokens.issue(session, actor=await _owner(session, tenant), inbox_id=tenant.inbox_id)

    async def revoke(session: AsyncSession, owner: Actor) -> None:
        await tokens.revoke(session, actor=owner, inbox_id=tenant.inbox_id)

    await _race(state, tenant, revoke, _bot_on(tenant.inbox_id))

    settings = BotSettings.of(await _stored(state, tenant))
    assert settings.enabled and settings.token_secret_sha256 is None and settings.token_prefix is None
    async with state.read() as session:
        with pytest.raises(Unauthorized):
            await tokens.bot_actor(session, account_id=tenant.account_id, token=issued.token)
