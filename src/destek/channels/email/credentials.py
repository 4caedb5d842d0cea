"""How an e-mail inbox logs in: its password, or an XOAUTH2 access token refreshed through the
provider's token endpoint (oauth.py) and kept in memory until shortly before it expires. A refresh
token the provider rotates (Microsoft does) is sealed back into the inbox's secrets at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass

from destek.accounts.models import Inbox
from destek.channels import service as channels
from destek.channels.base import ChannelContext
from destek.channels.email import oauth
from destek.channels.email.settings import EmailSettings
from destek.db import utcnow

# Access tokens by the credentials they came from (inbox, token endpoint, client, refresh token), so a
# changed setting or a rotated refresh token never reuses an old one.
_TOKENS: dict[str, oauth.AccessToken] = {}
_LOCKS: dict[int, asyncio.Lock] = {}


def _key(inbox_id: int, settings: EmailSettings, refresh_token: str) -> str:
    raw = f"{inbox_id}\x00{token_url(settings)}\x00{settings.oauth_client_id}\x00{refresh_token}"
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Login:
    password: str | None = None
    oauth_token: str | None = None


class LoginProblem(Exception):
    """The inbox cannot log in (no password set, the authorisation revoked); `.transient` when a retry
    may help (the token endpoint is down)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def token_url(settings: EmailSettings) -> str:
    if settings.oauth_provider == "custom":
        return settings.oauth_token_url
    return oauth.PROVIDERS[settings.oauth_provider].replace("{tenant}", settings.oauth_tenant or "common")


async def login(context: ChannelContext, *, which: str) -> Login:
    """`which`: "imap" or "smtp" (SMTP falls back to the IMAP password: most mailboxes share one)."""
    settings = context.settings
    assert isinstance(settings, EmailSettings)
    if settings.auth == "password":
        password = context.secrets.get(f"{which}_password") or context.secrets.get("imap_password")
        if not password:
            raise LoginProblem(
                f"no {which.upper()} password is set for this inbox: set it in Settings → Inboxes"
            )
        return Login(password=password)
    return Login(oauth_token=await access_token(context))


async def access_token(context: ChannelContext) -> str:
    settings = context.settings
    assert isinstance(settings, EmailSettings)
    lock = _LOCKS.setdefault(context.inbox_id, asyncio.Lock())
    async with lock:
        refresh_token = context.secrets.get("oauth_refresh_token")
        key = _key(context.inbox_id, settings, refresh_token or "")
        current = _TOKENS.get(key)
        if current is not None and current.expires_at - utcnow() > dt.timedelta(minutes=2):
            return current.token
        if not refresh_token or not settings.oauth_client_id:
            raise LoginProblem(
                "this inbox is not connected to its provider yet: connect it in Settings → Inboxes"
            )
        try:
            token = await oauth.refresh(
                token_url=token_url(settings),
                client_id=settings.oauth_client_id,
                client_secret=context.secrets.get("oauth_client_secret", ""),
                refresh_token=refresh_token,
            )
        except oauth.TokenError as exc:
            raise LoginProblem(str(exc), transient=exc.transient) from None
        _TOKENS[key] = token
        if token.refresh_token and token.refresh_token != refresh_token:
            _TOKENS[_key(context.inbox_id, settings, token.refresh_token)] = token
            async with context.state.uow() as session:
                inbox = await session.get(Inbox, context.inbox_id)
                if inbox is not None:
                    await channels.configure(
                        session,
                        inbox=inbox,
                        sealer=context.state.sealer,
                        secrets={"oauth_refresh_token": token.refresh_token},
                    )
        return token.token


def forget(context: ChannelContext) -> None:
    """Drop the inbox's cached token (the server refused it: it may have been revoked early)."""
    settings = context.settings
    assert isinstance(settings, EmailSettings)
    _TOKENS.pop(_key(context.inbox_id, settings, context.secrets.get("oauth_refresh_token", "")), None)
