"""An e-mail inbox's settings (its own row, channels.models.ChannelConfig): the address, IMAP in, SMTP
out, password or XOAUTH2 login. The secrets (passwords, the OAuth client secret and refresh token, the
token of the raw-MIME endpoint) are separate, sealed and write-only: SECRET_FIELDS."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

Security = Literal["tls", "starttls", "none"]

SECRET_FIELDS = (
    "imap_password",
    "smtp_password",
    "oauth_client_secret",
    "oauth_refresh_token",
    "ingest_token",
)


class EmailSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: EmailStr | None = Field(default=None, description="The inbox's address: From of every reply")
    display_name: str = Field(
        default="",
        max_length=100,
        description="Shown after the agent's name in From (default: the inbox's name)",
    )
    signature: str = Field(default="", max_length=2000, description="Appended to every reply")
    subject_marker: str = Field(
        default="Ticket",
        pattern=r"^[A-Za-z][A-Za-z0-9-]{0,19}$",
        description='Replies carry "[<marker>#<n>]" in the subject: it threads replies without headers',
    )
    # Inbound: IMAP (empty host: mail arrives only through the raw-MIME endpoint).
    imap_host: str = Field(default="", max_length=255)
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_security: Security = "tls"
    imap_username: str = Field(default="", max_length=320)
    imap_folder: str = Field(default="INBOX", min_length=1, max_length=200)
    imap_after: Literal["flag", "move", "keep"] = Field(
        default="flag", description="What to do with a mail once stored: mark it read, move it, or leave it"
    )
    imap_move_to: str = Field(default="Processed", min_length=1, max_length=200)
    poll_seconds: int = Field(default=60, ge=5, le=3600, description="How often to look without IDLE")
    # Outbound: SMTP.
    smtp_host: str = Field(default="", max_length=255)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Security = "starttls"
    smtp_username: str = Field(default="", max_length=320)
    # Login: a password (an app password for Gmail, Yandex) or XOAUTH2 (Gmail, Microsoft 365).
    auth: Literal["password", "oauth2"] = "password"
    oauth_provider: Literal["google", "microsoft", "custom"] = "google"
    oauth_client_id: str = Field(default="", max_length=300)
    oauth_tenant: str = Field(default="common", max_length=100, description="Microsoft 365: the directory")
    oauth_token_url: str = Field(default="", max_length=500, description="custom: the token endpoint")
    verify_tls: bool = Field(
        default=True, description="false only for a server with a self-signed certificate"
    )
