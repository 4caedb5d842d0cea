"""The public client API and the help center's search: generous limits per contact and per address.
A flood is refused with 429 and nothing past the limit is stored."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from destek.contacts.models import Contact
from destek.conversations.models import Attachment, Message
from destek.ratelimit import RateLimits
from destek.ratelimit.redis import RedisLimiter
from destek.state import AppState
from tests.channels.widget.helpers import bearer, identify, png, start, visitor
from tests.helpcenter.helpers import PASSWORD_EN, make_article
from tests.ratelimit.conftest import Clock
from tests.support.factories import Tenant
from tests.support.server import free_port


async def rows(state: AppState, model: type[Contact] | type[Message] | type[Attachment], **where: Any) -> int:
    async with state.read() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def flood(
    client: httpx.AsyncClient, tenant: Tenant, token: str, conversation_id: int, n: int
) -> list[int]:
    """`n` messages at once, as a script would send them; their statuses."""
    url = tenant.public(f"/conversations/{conversation_id}/messages")
    sent = await asyncio.gather(
        *(client.post(url, json={"content": f"spam {i}"}, headers=bearer(token)) for i in range(n))
    )
    return [response.status_code for response in sent]


async def test_a_message_flood_stops_at_sixty_a_minute_and_nothing_more_is_stored(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant, clock: Clock
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])  # the first message of the minute
    conversation_id = started["conversation"]["id"]

    statuses = await flood(client, tenant, me["token"], conversation_id, 70)
    assert statuses.count(201) == 59
    assert statuses.count(429) == 11
    assert await rows(limited, Message, conversation_id=conversation_id, sender_type="contact") == 60

    url = tenant.public(f"/conversations/{conversation_id}/messages")
    refused = await client.post(url, json={"content": "one more"}, headers=bearer(me["token"]))
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "code": "rate_limited",
        "message": "too many messages: try again in 60 seconds",
        "field": None,
        "retry_after": 60,
    }
    assert refused.headers["Retry-After"] == "60"

    # Another customer writing from the same address is not held up by this one.
    other = await visitor(client, tenant)
    assert (await start(client, tenant, other["token"]))["message"]["content"]

    clock.advance(60)
    again = await client.post(url, json={"content": "a minute later"}, headers=bearer(me["token"]))
    assert again.status_code == 201, again.text


async def test_uploads_stop_at_twenty_a_minute_per_contact(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant
) -> None:
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    url = tenant.public(f"/conversations/{started['conversation']['id']}/attachments")
    picture = png(4, 4)
    statuses = [
        (
            await client.post(
                url, files={"file": ("a.png", picture, "image/png")}, headers=bearer(me["token"])
            )
        ).status_code
        for _ in range(23)
    ]
    assert statuses == [201] * 20 + [429] * 3
    assert await rows(limited, Attachment) == 20


async def test_one_address_makes_at_most_thirty_contacts_a_minute(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant, clock: Clock
) -> None:
    statuses = [(await identify(client, tenant, name=f"Bot {n}")).status_code for n in range(33)]
    assert statuses == [201] * 30 + [429] * 3
    assert await rows(limited, Contact, account_id=tenant.account_id) == 30

    clock.advance(60)
    assert (await identify(client, tenant, name="Real customer")).status_code == 201


async def test_searches_of_the_widget_and_the_help_center_share_one_limit_per_address(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant, clock: Clock
) -> None:
    await make_article(limited, tenant, {"en": PASSWORD_EN})
    limited.limits.scale = 0.1  # 12 searches a minute instead of 120, to keep the test short
    page = f"/hc/{tenant.account_id}/en/search"

    for _ in range(6):
        found = await client.get(tenant.public("/articles"), params={"q": "password"})
        assert found.status_code == 200
        assert found.json()[0]["title"] == "I forgot my password"
    for _ in range(6):
        shown = await client.get(page, params={"q": "password"})
        assert shown.status_code == 200
        assert "I forgot my password" in shown.text

    refused_page = await client.get(page, params={"q": "password"})
    assert refused_page.status_code == 429
    assert refused_page.headers["Retry-After"] == "60"
    assert (
        refused_page.json()["error"]["message"]
        == "too many searches from this address: try again in 60 seconds"
    )
    assert (await client.get(tenant.public("/articles"), params={"q": "password"})).status_code == 429
    # The search form without a question searches nothing and is always shown.
    assert (await client.get(page)).status_code == 200

    clock.advance(60)
    assert (await client.get(page, params={"q": "password"})).status_code == 200


async def test_a_refused_request_is_checked_before_its_token(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant
) -> None:
    """A script with broken tokens is counted by its address: it gets 429, not endless 401s."""
    limited.limits.scale = 0.05  # 30 messages a minute per address
    url = tenant.public("/conversations/1/messages")
    statuses = [
        (await client.post(url, json={"content": "x"}, headers=bearer("forged.token"))).status_code
        for _ in range(32)
    ]
    assert statuses == [401] * 30 + [429] * 2


@pytest.mark.parametrize("bus_url", ["memory"], indirect=True)
async def test_with_redis_down_the_limits_let_everything_through(
    client: httpx.AsyncClient, limited: AppState, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken limiter must not take the product down: customers keep writing, a warning is logged."""
    limited.limits = RateLimits(
        RedisLimiter(f"redis://127.0.0.1:{free_port()}/0", prefix="destek:test:down:")
    )
    me = await visitor(client, tenant)
    started = await start(client, tenant, me["token"])
    conversation_id = started["conversation"]["id"]
    with caplog.at_level(logging.WARNING, logger="destek.ratelimit.redis"):
        statuses = await flood(client, tenant, me["token"], conversation_id, 70)
    assert statuses == [201] * 70
    assert await rows(limited, Message, conversation_id=conversation_id, sender_type="contact") == 71
    assert any("Redis did not answer" in record.getMessage() for record in caplog.records)
