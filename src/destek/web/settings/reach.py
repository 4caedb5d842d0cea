"""What the Settings page of a chat inbox (widget or api) shows of its channel: how customers who left
are reached (channels/widget/reach.py: the e-mail inbox that mails unread replies, the push keys only as
"set" or not), the reminders that failed lately, and the mobile set-up with docs/widget.md's code filled
in for this server and inbox. The form writes through the agent API (PUT /inboxes/{id}/channel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import registry
from destek.channels import service as channels
from destek.channels.models import ChannelConfig
from destek.channels.widget.notify import EMAIL, PUSH
from destek.conversations.models import Conversation
from destek.deliveries import outbox
from destek.state import AppState
from destek.web.dashboard.pages import iso

FAILED_SHOWN = 10
# Failed deliveries of every kind and inbox are read newest first, then this inbox's kept: enough to
# find its last few without a query of its own.
FAILED_READ = 200

SNIPPETS = Path(__file__).parent / "snippets"
# How docs/widget.md writes the server and the token; the page puts in this server's and this inbox's.
DOC_BASE = "https://support.example.com"
DOC_HOST = "support.example.com"
DOC_INBOX = "PUBLIC_TOKEN"  # where the inbox token goes


@dataclass(frozen=True)
class Snippet:
    """One of docs/widget.md's code blocks (snippets/<key>.txt, word for word)."""

    key: str
    label: str  # a platform's or language's name: the same in every language
    language: str

    @property
    def source(self) -> str:
        return _read(self.key)


@cache
def _read(key: str) -> str:
    return (SNIPPETS / f"{key}.txt").read_text(encoding="utf-8")


PLATFORMS = ("ios", "android", "react-native", "flutter")
PLATFORM_NAMES = {"ios": "iOS", "android": "Android", "react-native": "React Native", "flutter": "Flutter"}
WEBVIEW = {
    "ios": Snippet("ios-webview", "Swift", "swift"),
    "android": Snippet("android-webview", "Kotlin", "kotlin"),
    "react-native": Snippet("react-native-webview", "JavaScript", "jsx"),
    "flutter": Snippet("flutter-webview", "Dart", "dart"),
}
PUSH_SETUP = {
    "ios": Snippet("ios-push", "Swift", "swift"),
    "android": Snippet("android-push", "Kotlin", "kotlin"),
    "react-native": Snippet("react-native-push", "JavaScript", "javascript"),
    "flutter": Snippet("flutter-push", "Dart", "dart"),
}
# The bridge each platform's WebView offers the chat page (docs/widget.md, "In a mobile app").
BRIDGES = {
    "ios": "window.webkit.messageHandlers.destek",
    "android": "window.DestekAndroid.postMessage",
    "react-native": "window.ReactNativeWebView.postMessage",
    "flutter": "window.DestekFlutter.postMessage",
}
HASHES = (
    Snippet("hash-python", "Python", "python"),
    Snippet("hash-node", "Node.js", "js"),
    Snippet("hash-php", "PHP", "php"),
)


def filled(code: str, *, base: str, token: str) -> str:
    """A snippet with this server's address and this inbox's token instead of the docs' examples."""
    parts = urlsplit(base)
    code = code.replace(DOC_BASE, base)
    if parts.netloc:
        code = code.replace(f"'{DOC_HOST}'", f"'{parts.netloc}'")
        if parts.scheme == "http":
            code = code.replace("Uri.https(", "Uri.http(")  # Dart builds the address from its parts
    return code.replace(DOC_INBOX, token)


def mobile_context(*, base: str, inbox: Inbox) -> dict[str, Any]:
    def code(snippet: Snippet) -> dict[str, str]:
        text = filled(snippet.source, base=base, token=inbox.public_token)
        return {"key": snippet.key, "label": snippet.label, "language": snippet.language, "code": text}

    chat_url = f"{base}/widget/{inbox.public_token}"
    example = "user_id=4711&user_hash=…&locale=tr&platform=ios&app_version=4.2.0&close=1"
    return {
        "chat_url": chat_url,
        "example_url": f"{chat_url}?{example}",
        "devices_url": f"{base}/api/v1/public/inboxes/{inbox.public_token}/devices",
        "platforms": [
            {
                "key": key,
                "name": PLATFORM_NAMES[key],
                "bridge": BRIDGES[key],
                "webview": code(WEBVIEW[key]),
                "push": code(PUSH_SETUP[key]),
            }
            for key in PLATFORMS
        ],
        "hashes": [code(snippet) for snippet in HASHES],
    }


async def _email_inboxes(session: AsyncSession, *, account_id: int) -> list[dict[str, Any]]:
    """The account's e-mail inboxes, each with its address when it has one."""
    inboxes = list(
        await session.scalars(
            select(Inbox)
            .where(Inbox.account_id == account_id, Inbox.channel_type == "email")
            .order_by(Inbox.name, Inbox.id)
        )
    )
    addresses: dict[int, str] = {}
    if inboxes:
        rows = await session.execute(
            select(ChannelConfig.inbox_id, ChannelConfig.settings).where(
                ChannelConfig.inbox_id.in_([i.id for i in inboxes])
            )
        )
        addresses = {int(row[0]): str((row[1] or {}).get("address") or "") for row in rows}
    return [{"id": i.id, "name": i.name, "address": addresses.get(i.id, "")} for i in inboxes]


def _shown_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


async def _failed(session: AsyncSession, *, inbox: Inbox) -> list[dict[str, Any]]:
    rows = [
        d
        for d in await outbox.listing(
            session, account_id=inbox.account_id, kinds=[PUSH, EMAIL], status="failed", limit=FAILED_READ
        )
        if d.inbox_id == inbox.id
    ][:FAILED_SHOWN]
    ids = {d.conversation_id for d in rows if d.conversation_id is not None}
    numbers: dict[int, int] = {}
    if ids:
        found = await session.execute(
            select(Conversation.id, Conversation.number).where(Conversation.id.in_(ids))
        )
        numbers = {int(row[0]): int(row[1]) for row in found}
    return [
        {
            "id": d.id,
            "kind": d.kind,
            "at": iso(d.attempted_at or d.created_at),
            "at_text": _shown_time(d.attempted_at or d.created_at),
            "attempts": d.attempts,
            "error": d.last_error,
            "number": numbers.get(d.conversation_id) if d.conversation_id is not None else None,
        }
        for d in rows
    ]


async def reach_context(session: AsyncSession, *, state: AppState, base: str, inbox: Inbox) -> dict[str, Any]:
    adapter = registry.get(inbox.channel_type)
    config = await channels.get_config(session, inbox_id=inbox.id)
    view = channels.public_view(adapter, config, state.sealer)
    email_inboxes = await _email_inboxes(session, account_id=inbox.account_id)
    chosen = view["settings"].get("email_inbox_id")
    return {
        "reach_channel": view,
        "reach": view["settings"],
        "email_inboxes": email_inboxes,
        # A chosen inbox that is no longer an e-mail inbox of the account (deleted): said, not hidden.
        "reach_lost_inbox": chosen if chosen and chosen not in {i["id"] for i in email_inboxes} else None,
        "reach_failed": await _failed(session, inbox=inbox),
        "mobile": mobile_context(base=base, inbox=inbox),
    }
