"""Which article page views count: people, once per visitor, article and hour.

A crawler (a User-Agent naming itself a bot, a link-preview fetcher, a command-line client, or no
User-Agent at all) never counts. A person counts once per translation per VIEW_WINDOW seconds: the
visitor is a hash of their address and User-Agent (no cookie is set for reading, and the vote cookie
is not used: it appears mid-visit, which would count the visitor twice). What was counted is
remembered in memory, per process (at most MAX_REMEMBERED visitors × articles), so a refresh storm
writes nothing. Counting adds one to the stored number (an UPDATE ... + 1), so nodes of a cluster
never lose each other's views; a visitor whose requests hop between nodes within the hour may count
once on each.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict

VIEW_WINDOW = 3600.0
MAX_REMEMBERED = 100_000

_BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|scrap|preview|facebookexternalhit|embedly|"
    r"curl/|wget/|python-requests|python-urllib|go-http-client|java/|okhttp|libwww|httpclient|"
    r"lighthouse|pingdom|uptime|monitor|feedfetcher|validator",
    re.IGNORECASE,
)

clock = time.monotonic  # seconds; tests move it forward
_seen: OrderedDict[str, float] = OrderedDict()
_lock = threading.Lock()


def is_bot(user_agent: str | None) -> bool:
    """Whether a User-Agent is an obvious robot (or missing)."""
    return not (user_agent or "").strip() or _BOT.search(user_agent or "") is not None


def visitor_key(*, address: str | None, user_agent: str | None) -> str:
    """Who is reading, as far as counting goes (kept in memory only, never stored)."""
    return hashlib.sha256(f"{address or ''}\n{user_agent or ''}".encode()).hexdigest()[:32]


def should_count(
    *, translation_id: int, visitor: str, user_agent: str | None, database: str = "", now: float | None = None
) -> bool:
    """True for a person's first view of the translation in VIEW_WINDOW (and remembers it).
    `database`: which database the translation id is of (one process may serve several)."""
    if is_bot(user_agent):
        return False
    now = clock() if now is None else now
    key = f"{database}#{translation_id}:{visitor}"
    with _lock:
        last = _seen.get(key)
        if last is not None and now - last < VIEW_WINDOW:
            return False
        _seen[key] = now
        _seen.move_to_end(key)
        while len(_seen) > MAX_REMEMBERED:
            _seen.popitem(last=False)
        # The oldest entries are the least recent: drop the expired ones from the front.
        while _seen:
            oldest_key, oldest = next(iter(_seen.items()))
            if now - oldest < VIEW_WINDOW:
                break
            del _seen[oldest_key]
    return True


def forget() -> None:
    """Drop what was remembered (tests, or a process that wants to start over)."""
    with _lock:
        _seen.clear()
