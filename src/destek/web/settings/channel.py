"""What the Settings page of an e-mail inbox shows of its channel: the settings (secrets only as "set"
or not), the last problem, where inbound-parse services post raw mail, the mails that could not be read,
and the providers' usual servers for the form's presets. The form writes through the agent API
(PUT /inboxes/{id}/channel, POST .../channel/check, /inbound/{id}/raw and /retry)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from destek.accounts.models import Inbox
from destek.channels import intake, registry
from destek.channels import service as channels
from destek.deps import public_url
from destek.state import AppState
from destek.web.dashboard.pages import iso

FAILED_SHOWN = 50

# Each provider's IMAP and SMTP servers (what the preset fills in; the admin can change any of it).
PRESETS: dict[str, dict[str, Any]] = {
    "gmail": {
        "imap_host": "imap.gmail.com",
        "imap_port": 993,
        "imap_security": "tls",
        "smtp_host": "smtp.gmail.com",
        "smtp_port": 587,
        "smtp_security": "starttls",
        "oauth_provider": "google",
    },
    "microsoft": {
        "imap_host": "outlook.office365.com",
        "imap_port": 993,
        "imap_security": "tls",
        "smtp_host": "smtp.office365.com",
        "smtp_port": 587,
        "smtp_security": "starttls",
        "oauth_provider": "microsoft",
    },
    "yandex": {
        "imap_host": "imap.yandex.com",
        "imap_port": 993,
        "imap_security": "tls",
        "smtp_host": "smtp.yandex.com",
        "smtp_port": 465,
        "smtp_security": "tls",
        "oauth_provider": "custom",
    },
}
PRESET_NAMES = (("gmail", "Gmail"), ("microsoft", "Microsoft 365"), ("yandex", "Yandex"))


def preset_of(settings: dict[str, Any]) -> str:
    """The preset whose servers the settings use, or "other"."""
    for key, preset in PRESETS.items():
        if (
            settings.get("imap_host") == preset["imap_host"]
            or settings.get("smtp_host") == preset["smtp_host"]
        ):
            return key
    return "other"


async def email_context(
    session: AsyncSession, *, state: AppState, request: Request, inbox: Inbox
) -> dict[str, Any]:
    adapter = registry.get(inbox.channel_type)
    config = await channels.get_config(session, inbox_id=inbox.id)
    view = channels.public_view(adapter, config, state.sealer)
    failed = [
        {
            "id": r.id,
            "error": r.error,
            "size": r.size,
            "received_at": iso(r.received_at),
            "source": r.source,
        }
        for r in await intake.failed_records(session, account_id=inbox.account_id, limit=500)
        if r.inbox_id == inbox.id
    ][:FAILED_SHOWN]
    base = public_url(request, state.settings)
    return {
        "channel": view,
        "mail": view["settings"],
        "preset": preset_of(view["settings"]),
        "presets": PRESETS,
        "preset_names": PRESET_NAMES,
        "webhook_url": f"{base}/hooks/{inbox.channel_type}/{inbox.public_token}",
        "failed": failed,
    }
