"""The e-mail channel's adapter: mail in by IMAP (fetcher.py) or by the raw-MIME endpoint (api.py),
replies out by SMTP (sending.py). docs/channels/email.md."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs

from pydantic import BaseModel

from destek.channels.base import (
    Capabilities,
    ChannelContext,
    InboundRequest,
    Outbound,
    Outcome,
    Parsed,
    Unverified,
)
from destek.channels.email import imap, sending, smtp
from destek.channels.email.credentials import LoginProblem, login
from destek.channels.email.reading import read
from destek.channels.email.settings import SECRET_FIELDS, EmailSettings
from destek.errors import Invalid

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy.ext.asyncio import AsyncSession

    from destek.accounts.models import Inbox
    from destek.consumers.runner import Consumer

# Inbound-parse services post the raw mail in a form field: SendGrid ("email", with "Send Raw"),
# Mailgun ("body-mime", with a forward to a .../mime URL); others post it as the body.
RAW_FIELDS = ("email", "body-mime", "raw", "mime")


def raw_mail(request: InboundRequest) -> bytes:
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        fields = _form(request.body, request.headers.get("content-type", ""))
        for name in RAW_FIELDS:
            if fields.get(name):
                return fields[name]
        raise Invalid(
            f"the form has no raw mail: post it as message/rfc822, or in one of {', '.join(RAW_FIELDS)}"
        )
    if not request.body.strip():
        raise Invalid("the request has no mail in it")
    return request.body


def _form(body: bytes, content_type: str) -> dict[str, bytes]:
    if content_type.lower().startswith("application/x-www-form-urlencoded"):
        parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0].encode() for k, v in parsed.items() if v}
    from email.parser import BytesParser
    from email.policy import HTTP

    # multipart/form-data is MIME: the standard parser reads it without loading files to disk.
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    out: dict[str, bytes] = {}
    for part in message.iter_parts() if message.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            out[name] = payload
    return out


def _given_token(request: InboundRequest) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except ValueError:
            return ""
        return decoded.partition(":")[2]  # user:token, as inbound-parse services put it in the URL
    return request.query.get("token", "")


class EmailAdapter:
    kind: ClassVar[str] = "email"
    label: ClassVar[str] = "E-mail"
    capabilities: ClassVar[Capabilities] = Capabilities(sends=True, attachments=True, subject=True, cc=True)
    settings_model: ClassVar[type[BaseModel]] = EmailSettings
    secret_fields: ClassVar[tuple[str, ...]] = SECRET_FIELDS

    def routers(self) -> Sequence[APIRouter]:
        return []  # mail arrives through the shared /hooks/email/{inbox_token} route (channels/hooks.py)

    def consumers(self) -> Sequence[Consumer]:
        from destek.channels.email.fetcher import MailFetcher

        return [MailFetcher()]

    async def verify(self, request: InboundRequest, context: ChannelContext) -> None:
        expected = context.secrets.get("ingest_token")
        if not expected:
            raise Unverified(
                "this inbox takes no mail over HTTP: set its ingest token first", status_code=403
            )
        given = _given_token(request)
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unverified("the ingest token is missing or wrong")

    def parse(self, request: InboundRequest, context: ChannelContext) -> Parsed:
        settings = context.settings
        assert isinstance(settings, EmailSettings)
        return read(raw_mail(request), settings)

    async def send(self, outbound: Outbound, context: ChannelContext) -> Outcome:
        return await sending.send(outbound, context)

    async def validate(
        self, session: AsyncSession, *, inbox: Inbox, settings: BaseModel, secrets: Mapping[str, str]
    ) -> None:
        assert isinstance(settings, EmailSettings)
        if settings.auth == "oauth2" and settings.oauth_provider == "custom" and not settings.oauth_token_url:
            raise Invalid(
                "settings.oauth_token_url: a custom provider needs its token endpoint",
                field="settings.oauth_token_url",
            )

    async def check(self, context: ChannelContext) -> str | None:
        settings = context.settings
        assert isinstance(settings, EmailSettings)
        problems: list[str] = []
        if settings.imap_host:
            try:
                credentials = await login(context, which="imap")
            except LoginProblem as exc:
                problems.append(f"IMAP: {exc}")
            else:
                found = await imap.check(
                    imap_settings(settings, credentials.password, credentials.oauth_token)
                )
                if found:
                    problems.append(f"IMAP: {found}")
        if settings.smtp_host:
            try:
                credentials = await login(context, which="smtp")
            except LoginProblem as exc:
                problems.append(f"SMTP: {exc}")
            else:
                found = await smtp.check(
                    smtp.SmtpSettings(
                        host=settings.smtp_host,
                        port=settings.smtp_port,
                        security=settings.smtp_security,
                        username=settings.smtp_username
                        or settings.imap_username
                        or str(settings.address or ""),
                        password=credentials.password,
                        oauth_token=credentials.oauth_token,
                        verify_tls=settings.verify_tls,
                    )
                )
                if found:
                    problems.append(f"SMTP: {found}")
        if not settings.imap_host and not settings.smtp_host:
            problems.append("neither an IMAP nor an SMTP server is set")
        return "; ".join(problems) or None


def imap_settings(
    settings: EmailSettings, password: str | None, oauth_token: str | None
) -> imap.ImapSettings:
    return imap.ImapSettings(
        host=settings.imap_host,
        port=settings.imap_port,
        security=settings.imap_security,
        username=settings.imap_username or str(settings.address or ""),
        password=password,
        oauth_token=oauth_token,
        folder=settings.imap_folder,
        after=settings.imap_after,
        move_to=settings.imap_move_to,
        verify_tls=settings.verify_tls,
    )
