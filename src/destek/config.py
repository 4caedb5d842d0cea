"""Settings, built once (in the CLI or a test) and passed down; never read at import time."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_UPLOAD_TYPES = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/zip",
    "audio/mpeg",
    "audio/ogg",
    "video/mp4",
]


class Settings(BaseSettings):
    """Every setting comes from a `DESTEK_*` environment variable or a keyword argument."""

    model_config = SettingsConfigDict(env_prefix="DESTEK_", extra="ignore")

    data_dir: Path = Path("./var")
    database_url: str = ""  # empty: a SQLite file in data_dir
    redis_url: str | None = None  # empty: the in-memory bus (one process)
    secret_key: SecretStr | None = None  # empty: generated once into data_dir/secret_key
    # Earlier secret keys, still able to open the secrets they sealed (TOTP secrets) until
    # `destek rotate-secrets` seals them again under the current key. JSON list. docs/security.md.
    old_secret_keys: list[SecretStr] = Field(default_factory=list)
    blob_dir: Path | None = None  # empty: data_dir/blobs
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # how browsers reach this server; empty: http://host:port
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # Request bodies other than uploads (JSON, forms): larger ones are refused with 413 before they
    # are read (body_limit.py). Uploads are limited by max_upload_bytes instead.
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # The request line and headers of one request: larger ones are refused with 431 (http_server.py).
    max_header_bytes: int = Field(default=64 * 1024, ge=8 * 1024)
    allowed_upload_types: list[str] = Field(default_factory=lambda: list(DEFAULT_UPLOAD_TYPES))
    event_retention_days: int = Field(default=30, gt=0)
    ws_queue_size: int = Field(default=1000, gt=0)
    ws_heartbeat_seconds: float = Field(default=25.0, gt=0)
    ws_compression: bool = False  # permessage-deflate on websockets: costs memory per socket
    catchup_seconds: float = Field(default=5.0, gt=0)
    session_days: int = Field(default=14, gt=0)
    cookie_secure: bool = False
    db_pool_size: int = Field(default=10, gt=0)
    write_lanes: int = Field(default=4, ge=1, le=64)  # concurrent group-commit transactions (PostgreSQL)
    bus_channel: str = "destek:bus"  # Redis pub/sub channel; one per deployment sharing a Redis
    # Consumers of the event log (the bot, language/sentiment, external bots): run in this process.
    run_consumers: bool = True
    consumer_lease_seconds: float = Field(default=15.0, gt=0)  # a stopped node's consumers move after this
    bot_webhook_backoff_scale: float = Field(default=1.0, gt=0)  # multiplies the external bot's retry waits
    # Push providers' addresses (a proxy, or a test server) and a CA file to trust for them.
    fcm_url: str = "https://fcm.googleapis.com"
    apns_url: str | None = None  # None: Apple's production or sandbox host, as each inbox's key says
    push_ca_file: Path | None = None
    delivery_backoff_scale: float = Field(default=1.0, gt=0)  # multiplies the channels' retry waits (tests)
    # Let external bots' webhooks reach loopback/private/link-local addresses (an on-premises bot).
    # Metadata, multicast and reserved addresses stay refused. docs/bot.md.
    bot_webhook_allow_private: bool = False
    # An external bot that has not answered a delivered message within this hands it over to a person.
    bot_webhook_reply_seconds: float = Field(default=120.0, gt=0)
    # Rate limits on logins and on the public client API and help-center search (docs/configuration.md):
    # counted in Redis when redis_url is set (shared by the nodes), else in this process. The scale
    # multiplies every limit (2: twice as many requests allowed).
    rate_limits: bool = True
    rate_limit_scale: float = Field(default=1.0, gt=0)
    # Language intelligence (docs/nlp.md): "auto" uses the `nlp` extra when installed; "lexical" forces the
    # numpy-only fallbacks. Environment: DESTEK_NLP.
    # Demo mode (`destek demo` turns it on; DESTEK_DEMO=true): serves /widget/demo, a page that shows a
    # valid identity hash for a demo contact. Off on every real installation. docs/widget.md.
    demo: bool = False
    nlp_backend: Literal["auto", "lexical"] = Field(
        default="auto", validation_alias=AliasChoices("nlp_backend", "destek_nlp")
    )

    def resolved(self) -> Settings:
        """Fill the derived defaults (database path, blob dir, secret key) and return a new Settings."""
        data_dir = self.data_dir
        update: dict[str, object] = {}
        if not self.database_url:
            update["database_url"] = f"sqlite+aiosqlite:///{(data_dir / 'destek.db').as_posix()}"
        if self.blob_dir is None:
            update["blob_dir"] = data_dir / "blobs"
        if self.secret_key is None:
            update["secret_key"] = SecretStr(_persistent_secret(data_dir / "secret_key"))
        if not self.public_url:
            update["public_url"] = f"http://{self.host}:{self.port}"
        return self.model_copy(update=update)

    @property
    def secret(self) -> bytes:
        if self.secret_key is None:
            raise RuntimeError("Settings.resolved() was not called: no secret key")
        return self.secret_key.get_secret_value().encode()

    @property
    def old_secrets(self) -> list[bytes]:
        return [key.get_secret_value().encode() for key in self.old_secret_keys]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _persistent_secret(path: Path) -> str:
    """A random key kept in a file, so contact tokens and sessions survive restarts of a demo."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
