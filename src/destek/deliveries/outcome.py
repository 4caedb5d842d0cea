"""What one attempt at a delivery came to. Channel adapters, the external bot and webhooks all answer
with one of these; the outbox turns it into the row's next state."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delivered:
    provider_id: str | None = None  # the other end's id for it (an e-mail's Message-ID, a WhatsApp wamid)
    status_code: int | None = None


@dataclass(frozen=True, slots=True)
class RetryLater:
    """Transient (a timeout, HTTP 5xx or 429, SMTP 4xx): tried again after the backoff, or after
    `delay` seconds when the other end asked for longer."""

    reason: str
    delay: float | None = None
    status_code: int | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    """For good (refused, a bad address, blocked by the address guard): not tried again by itself."""

    reason: str
    status_code: int | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """Nothing to send any more (the customer read the reply in the app meanwhile): done, not failed."""

    reason: str
    status_code: int | None = None


Outcome = Delivered | RetryLater | Failed | Skipped
