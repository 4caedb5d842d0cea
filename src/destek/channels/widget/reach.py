"""Reaching a customer who has left the chat: its settings (the widget channel's own row, with the push
credentials sealed), kept apart from the widget's look (still in the inbox's settings).

- `email_inbox_id`: an e-mail inbox of the account; an agent's reply the customer has not read within
  `email_after_minutes` is mailed to the contact (when they gave an address) from it, with a link back
  to the chat; answering that mail continues the same conversation (its Message-ID is the reply's).
- Push: with `fcm_service_account` (Android) or the APNs key (iOS) set, an unread reply is pushed to
  the contact's registered devices after `push_after_seconds`.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.errors import Invalid
from destek.push.apns import load_p8
from destek.push.fcm import ServiceAccount

SECRET_FIELDS = ("fcm_service_account", "apns_private_key")


class ReachSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email_inbox_id: int | None = Field(
        default=None, ge=1, description="The e-mail inbox that mails unread replies (none: no e-mail)"
    )
    email_after_minutes: int = Field(default=5, ge=1, le=1440)
    chat_url: HttpUrl | None = Field(
        default=None, description="Where the e-mail's link leads: your app's or site's support page"
    )
    push_after_seconds: int = Field(default=30, ge=0, le=3600)
    apns_key_id: str = Field(default="", max_length=20)
    apns_team_id: str = Field(default="", max_length=20)
    apns_bundle_id: str = Field(default="", max_length=200)
    apns_sandbox: bool = Field(default=False, description="true for development builds of the app")


async def validate_reach(
    session: AsyncSession, *, inbox: Inbox, settings: ReachSettings, secrets: Mapping[str, str]
) -> None:
    """On save: the e-mail inbox is one of this account's e-mail inboxes, and the push keys are keys."""
    if settings.email_inbox_id is not None:
        mail = await session.get(Inbox, settings.email_inbox_id)
        if mail is None or mail.account_id != inbox.account_id or mail.channel_type != "email":
            raise Invalid(
                f"settings.email_inbox_id: {settings.email_inbox_id} is not an e-mail inbox of this account",
                field="settings.email_inbox_id",
            )
    if "fcm_service_account" in secrets:
        try:
            ServiceAccount.from_json(secrets["fcm_service_account"])
        except ValueError as exc:
            raise Invalid(
                f"secrets.fcm_service_account: {exc}", field="secrets.fcm_service_account"
            ) from None
    if "apns_private_key" in secrets:
        try:
            load_p8(secrets["apns_private_key"])
        except ValueError as exc:
            raise Invalid(f"secrets.apns_private_key: {exc}", field="secrets.apns_private_key") from None
        for name in ("apns_key_id", "apns_team_id", "apns_bundle_id"):
            if not getattr(settings, name):
                raise Invalid(f"settings.{name}: needed with an APNs key", field=f"settings.{name}")
