"""What a customer's app does with the public API, in a few calls; and looks at what was stored."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import func, select

from destek.accounts import inboxes as inbox_service
from destek.accounts import service as accounts
from destek.conversations.models import Attachment, Conversation, Message
from destek.state import AppState
from tests.support.factories import Tenant, write


def png(width: int = 4, height: int = 3, *, noise: bool = False) -> bytes:
    """A real PNG; with `noise` it barely compresses (to make a big one)."""
    image = Image.new("RGB", (width, height), (220, 40, 40))
    if noise:
        rng = random.Random(7)
        image.putdata(
            [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(width * height)]
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def identify(
    client: httpx.AsyncClient, tenant: Tenant, *, token: str | None = None, **body: Any
) -> httpx.Response:
    return await client.post(tenant.public("/contacts"), json=body, headers=bearer(token) if token else {})


async def visitor(client: httpx.AsyncClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    """Identify (anonymous without arguments) and return {contact, token}."""
    response = await identify(client, tenant, **body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def start(
    client: httpx.AsyncClient, tenant: Tenant, token: str, text: str = "Merhaba, siparişim gelmedi"
) -> dict[str, Any]:
    response = await client.post(
        tenant.public("/conversations"), json={"message": {"content": text}}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def agent_writes(
    state: AppState, tenant: Tenant, conversation_id: int, text: str, *, private: bool = False
) -> int:
    """An agent answers (or writes a note) through the conversations service."""
    return await write(
        state, conversation_id, text, sender="agent", sender_id=tenant.agent.user_id, private=private
    )


async def set_identity_verification(state: AppState, tenant: Tenant, on: bool) -> None:
    async with state.uow() as session:
        owner = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        await inbox_service.update_inbox(
            session, actor=owner, inbox_id=tenant.inbox_id, identity_verification=on
        )


async def count(state: AppState, model: type[Attachment] | type[Message] | type[Conversation]) -> int:
    async with state.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def stored_files(state: AppState) -> list[Path]:
    root = state.settings.blob_dir
    assert root is not None
    return [p for p in root.rglob("*") if p.is_file()]
