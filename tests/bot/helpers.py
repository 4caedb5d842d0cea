"""Setting up a bot inbox, help-center articles and a customer; reading what the customer sees."""

from __future__ import annotations

from typing import Any

import httpx

from destek.accounts import inboxes
from destek.accounts import service as accounts
from destek.accounts.models import Inbox
from destek.bot import service as bot
from destek.channels import service as channels
from destek.conversations.models import Conversation
from destek.helpcenter import service as helpcenter
from destek.helpcenter.schemas import ArticleCreate, TranslationIn
from destek.state import AppState
from tests.support.factories import ContactSession, Tenant, make_contact

PASSWORD_EN = TranslationIn(
    title="How do I reset my password?",
    summary="Reset a forgotten password from the login screen.",
    body="If you forgot your password, tap **Forgot password** on the login screen. Enter your email "
    "address and we will send you a reset link, valid for 30 minutes.",
    status="published",
)
PASSWORD_TR = TranslationIn(
    title="Şifremi nasıl sıfırlarım?",
    summary="Unutulan şifreyi giriş ekranından sıfırlayın.",
    body="Şifrenizi unuttuysanız giriş ekranında **Şifremi unuttum** bağlantısına dokunun. E-posta "
    "adresinizi girin, size 30 dakika geçerli bir sıfırlama bağlantısı gönderelim.",
    status="published",
)
REFUND_EN = TranslationIn(
    title="How do refunds work?",
    summary="Refund times and how to ask for one.",
    body="You can ask for a refund within 14 days of your order from Orders > Request refund. Refunds "
    "reach your card within 5 to 10 business days.",
    status="published",
)
REFUND_TR = TranslationIn(
    title="İade nasıl yapılır?",
    summary="İade süreleri ve nasıl talep edileceği.",
    body="Siparişinizden sonraki 14 gün içinde Siparişlerim > İade talep et bölümünden iade "
    "isteyebilirsiniz. İade 5 ila 10 iş günü içinde kartınıza yansır.",
    status="published",
)


async def add_articles(state: AppState, tenant: Tenant) -> dict[str, int]:
    """Two articles in English and Turkish, published through the help-center service."""
    ids: dict[str, int] = {}
    async with state.uow() as session:
        actor = await accounts.actor_for(session, account_id=tenant.account_id, user_id=tenant.owner.user_id)
        for key, en, tr in (("password", PASSWORD_EN, PASSWORD_TR), ("refund", REFUND_EN, REFUND_TR)):
            article, _ = await helpcenter.create_article(
                session, actor=actor, data=ArticleCreate(key=key, translations={"en": en, "tr": tr})
            )
            ids[key] = article.id
    return ids


async def enable_bot(state: AppState, tenant: Tenant, **changes: Any) -> None:
    async with state.uow() as session:
        inbox = await session.get(Inbox, tenant.inbox_id)
        assert inbox is not None
        await bot.enable_builtin(session, inbox=inbox, **changes)


async def mail_replies(state: AppState, tenant: Tenant) -> None:
    """Unread replies of the chat inbox are mailed from an e-mail inbox (so the bot may offer it)."""
    async with state.uow() as session:
        chat = await session.get(Inbox, tenant.inbox_id)
        assert chat is not None
        mail = await inboxes.create_inbox(
            session, account_id=tenant.account_id, name="Mail", channel_type="email"
        )
        await channels.configure(
            session, inbox=chat, sealer=state.sealer, settings={"email_inbox_id": mail.id}
        )


async def bot_with_articles(state: AppState, tenant: Tenant) -> ContactSession:
    """The usual scene: the two articles published, the builtin bot on, unread replies mailed, and a
    new customer."""
    await add_articles(state, tenant)
    await enable_bot(state, tenant)
    await mail_replies(state, tenant)
    return await make_contact(state, tenant)


async def settle(state: AppState) -> None:
    assert state.consumers is not None
    await state.consumers.settle(timeout=30)


async def start(client: httpx.AsyncClient, state: AppState, contact: ContactSession, text: str) -> int:
    """The customer opens a conversation with a first message; returns its id once the bot is done."""
    response = await client.post(
        contact.tenant.public("/conversations"), json={"message": {"content": text}}, headers=contact.headers
    )
    assert response.status_code == 201, response.text
    await settle(state)
    conversation_id: int = response.json()["conversation"]["id"]
    return conversation_id


async def say(
    client: httpx.AsyncClient, state: AppState, contact: ContactSession, cid: int, text: str
) -> None:
    response = await client.post(
        contact.tenant.public(f"/conversations/{cid}/messages"),
        json={"content": text},
        headers=contact.headers,
    )
    assert response.status_code == 201, response.text
    await settle(state)


async def seen(client: httpx.AsyncClient, contact: ContactSession, cid: int) -> list[dict[str, Any]]:
    """The conversation as the customer's app shows it."""
    response = await client.get(
        contact.tenant.public(f"/conversations/{cid}/messages"), headers=contact.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def bot_texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in messages if m["sender"]["type"] == "bot"]


async def conversation(state: AppState, cid: int) -> Conversation:
    async with state.read() as session:
        found = await session.get(Conversation, cid)
        assert found is not None
        return found


async def agent_view(client: httpx.AsyncClient, tenant: Tenant, number: int) -> dict[str, Any]:
    response = await client.get(tenant.url(f"/conversations/{number}"), headers=tenant.owner.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def agent_messages(client: httpx.AsyncClient, tenant: Tenant, number: int) -> list[dict[str, Any]]:
    response = await client.get(tenant.url(f"/conversations/{number}/messages"), headers=tenant.owner.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
