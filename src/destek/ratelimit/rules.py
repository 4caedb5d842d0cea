"""What is limited, how much, and the check that refuses with 429.

Limits are generous: a real customer or agent never meets them; a script hammering logins or flooding
an inbox does. Each rule counts per one key (a client address, an e-mail, a contact); a request may
count against several rules at once and is refused when any of them is over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from destek.errors import TooManyRequests
from destek.ratelimit.base import Bucket, Limiter


@dataclass(frozen=True, slots=True)
class Rule:
    name: str  # the bucket's prefix; also what operators see in Redis
    limit: int  # hits allowed per window (multiplied by the rate_limit_scale setting)
    window: float  # seconds
    what: str  # for the message: "too many <what>"


# Logins: attempts, successful or not (the password is not even checked once refused).
LOGIN_PER_IP = Rule("login:ip", 30, 300, "login attempts from this address")
LOGIN_PER_EMAIL = Rule("login:email", 10, 300, "login attempts for this e-mail")
# The public client API (widget, mobile SDKs) and the public help center.
CONTACTS_PER_IP = Rule("contacts:ip", 30, 60, "contacts identified from this address")
MESSAGES_PER_CONTACT = Rule("messages:contact", 60, 60, "messages")
MESSAGES_PER_IP = Rule("messages:ip", 600, 60, "messages from this address")
UPLOADS_PER_CONTACT = Rule("uploads:contact", 20, 60, "uploads")
UPLOADS_PER_IP = Rule("uploads:ip", 120, 60, "uploads from this address")
SEARCHES_PER_IP = Rule("search:ip", 120, 60, "searches from this address")

RULES = (
    LOGIN_PER_IP,
    LOGIN_PER_EMAIL,
    CONTACTS_PER_IP,
    MESSAGES_PER_CONTACT,
    MESSAGES_PER_IP,
    UPLOADS_PER_CONTACT,
    UPLOADS_PER_IP,
    SEARCHES_PER_IP,
)


class RateLimits:
    """The app's limits over one counter store (AppState.limits)."""

    def __init__(self, limiter: Limiter, *, enabled: bool = True, scale: float = 1.0) -> None:
        self.limiter = limiter
        self.enabled = enabled
        self.scale = scale

    def limit_of(self, rule: Rule) -> int:
        return max(1, math.floor(rule.limit * self.scale))

    async def check(self, *hits: tuple[Rule, str]) -> None:
        """Count one hit on each (rule, key); TooManyRequests when any is over its limit."""
        if not self.enabled or not hits:
            return
        counts = await self.limiter.hit([Bucket(f"{rule.name}:{key}", rule.window) for rule, key in hits])
        over = [
            (rule, hit.retry_after)
            for (rule, _key), hit in zip(hits, counts, strict=True)
            if hit.count > self.limit_of(rule)
        ]
        if over:
            rule, wait = max(over, key=lambda item: item[1])
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(
                f"too many {rule.what}: try again in {seconds} seconds", retry_after=seconds
            )

    async def aclose(self) -> None:
        await self.limiter.aclose()
