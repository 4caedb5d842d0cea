"""Fetching mail by IMAP for every e-mail inbox that has a server set, on the node that holds this
consumer's lease: IDLE where the server has it, polling otherwise.

Resumable by UIDVALIDITY and UID (imap.py): each batch of mails is taken in (channels/intake.py,
deduplicated by Message-ID, kept raw even when it cannot be parsed) before the cursor moves past it and
before it is flagged or moved, so a restart or a kill neither skips nor doubles one. Another node takes
the mailboxes over when this one's lease lapses; until its tasks notice (a few seconds), intake's unique
key keeps a mail seen by both from being stored twice. A mailbox connected for the first time starts at
its next UID: mail from before it was connected is not imported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import select

from destek.accounts.models import Inbox
from destek.channels import intake
from destek.channels import service as channels
from destek.channels.base import ChannelContext
from destek.channels.email import imap
from destek.channels.email.adapter import imap_settings
from destek.channels.email.credentials import LoginProblem, login
from destek.channels.email.imap_wire import ImapError
from destek.channels.email.reading import read
from destek.channels.email.settings import EmailSettings
from destek.channels.models import ChannelConfig
from destek.consumers.runner import Step
from destek.db import utcnow
from destek.events.models import EventRow
from destek.state import AppState

log = logging.getLogger(__name__)

STALE = 30.0  # without a tick for this long, the lease may be another node's: the tasks stop
RETRY_MIN, RETRY_MAX = 5.0, 300.0
# Mails are fetched, stored (one transaction) and flagged in batches: a mailbox with a backlog is read
# hundreds of mails a second instead of one round trip per mail. Bounded in count and in bytes.
BATCH_MAILS, BATCH_BYTES = 50, 25 * 1024 * 1024
ROUND_MAILS = 1000  # per round; the next round starts at once while more is waiting


class MailFetcher:
    name = "email_fetch"

    def __init__(self) -> None:
        self._tasks: dict[int, tuple[asyncio.Task[None], Any]] = {}  # inbox id -> (task, config version)
        self._last_tick = 0.0
        self._last_scan: float | None = None
        self.rounds: dict[int, int] = {}  # inbox id -> completed sync rounds (tests wait on it)

    def wants(self, event: EventRow) -> bool:
        return False

    async def handle(self, step: Step) -> None:
        return None

    async def tick(self, state: AppState) -> None:
        loop = asyncio.get_running_loop()
        self._last_tick = loop.time()
        # Look for new, changed or removed mailboxes as often as the consumers catch up.
        if self._last_scan is not None and loop.time() - self._last_scan < state.settings.catchup_seconds:
            return
        self._last_scan = loop.time()
        async with state.read() as session:
            rows = (
                await session.execute(
                    select(ChannelConfig.inbox_id, ChannelConfig.settings, ChannelConfig.secrets).where(
                        ChannelConfig.kind == "email"
                    )
                )
            ).all()
        wanted = {
            int(inbox_id): (settings, secrets)
            for inbox_id, settings, secrets in rows
            if (settings or {}).get("imap_host")
        }
        for inbox_id in list(self._tasks):
            task, version = self._tasks[inbox_id]
            if inbox_id not in wanted or wanted[inbox_id] != version or task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
                del self._tasks[inbox_id]
        for inbox_id, version in wanted.items():
            if inbox_id not in self._tasks:
                task = asyncio.create_task(self._run(state, inbox_id), name=f"imap-{inbox_id}")
                self._tasks[inbox_id] = (task, version)

    def _active(self) -> bool:
        return asyncio.get_running_loop().time() - self._last_tick < STALE

    async def close(self) -> None:
        for task, _ in self._tasks.values():
            task.cancel()
        for task, _ in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    async def _run(self, state: AppState, inbox_id: int) -> None:
        wait = RETRY_MIN
        while self._active():
            try:
                await self._sync(state, inbox_id)
                return  # stopped being active
            except asyncio.CancelledError:
                raise
            except (ImapError, LoginProblem) as exc:
                transient = getattr(exc, "transient", False)
                log.warning("inbox %s: IMAP: %s", inbox_id, exc)
                await self._problem(state, inbox_id, str(exc))
                await asyncio.sleep(wait if transient else RETRY_MAX)
                wait = min(wait * 2, RETRY_MAX)
            except Exception:
                log.exception("inbox %s: IMAP sync failed", inbox_id)
                await self._problem(state, inbox_id, "the mailbox could not be read: see the server log")
                await asyncio.sleep(wait)
                wait = min(wait * 2, RETRY_MAX)

    async def _problem(self, state: AppState, inbox_id: int, problem: str) -> None:
        with contextlib.suppress(Exception):
            async with state.uow() as session:
                await channels.set_problem(session, inbox_id=inbox_id, problem=problem)

    async def _sync(self, state: AppState, inbox_id: int) -> None:
        async with state.read() as session:
            inbox = await session.get(Inbox, inbox_id)
            if inbox is None:
                return
            context = await channels.context(session, state=state, inbox=inbox)
        settings = context.settings
        assert isinstance(settings, EmailSettings)
        credentials = await login(context, which="imap")
        async with imap.Mailbox(
            imap_settings(settings, credentials.password, credentials.oauth_token)
        ) as box:
            await self._problem(state, inbox_id, "")
            while self._active():
                more = await self._round(state, inbox, context, box)
                self.rounds[inbox_id] = self.rounds.get(inbox_id, 0) + 1
                if not more:  # a backlog is read round after round without waiting
                    await box.wait(float(settings.poll_seconds))

    async def _round(self, state: AppState, inbox: Inbox, context: ChannelContext, box: imap.Mailbox) -> bool:
        """Take the waiting mail (at most ROUND_MAILS); whether more is waiting after them."""
        settings = context.settings
        assert isinstance(settings, EmailSettings)
        async with state.read() as session:
            config = await channels.get_config(session, inbox_id=inbox.id)
            cursor = dict(config.state) if config is not None else {}
        if cursor.get("uidvalidity") != box.uidvalidity:
            # First connection: start at the next UID. A changed UIDVALIDITY: read everything again;
            # what was taken before is recognised by its Message-ID.
            start = box.uidnext - 1 if not cursor else 0
            await _save(state, inbox.id, box.uidvalidity, max(start, 0))
            cursor = {"uidvalidity": box.uidvalidity, "last_uid": max(start, 0)}
        waiting = await box.uids_after(int(cursor.get("last_uid", 0)))
        for batch in _batches(waiting[:ROUND_MAILS], await box.sizes(waiting[:ROUND_MAILS])):
            fetched = await box.fetch(batch)
            await intake.take_many(
                state,
                inbox=inbox,
                kind="email",
                items=[intake.Item(f.raw, f"imap:{box.uidvalidity}:{f.uid}") for f in fetched],
                parser=lambda raw: read(raw, settings),
                content_type="message/rfc822",
            )
            await _save(state, inbox.id, box.uidvalidity, batch[-1])
            await box.processed(batch)
            if not self._active():
                return False
        return len(waiting) > ROUND_MAILS


def _batches(uids: list[int], sizes: dict[int, int]) -> list[list[int]]:
    """The UIDs in runs of at most BATCH_MAILS mails and BATCH_BYTES (a bigger mail goes alone)."""
    batches: list[list[int]] = []
    size = 0
    for uid in uids:
        mail = sizes.get(uid, 0)
        if not batches or len(batches[-1]) >= BATCH_MAILS or size + mail > BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(uid)
        size += mail
    return batches


async def _save(state: AppState, inbox_id: int, uidvalidity: int, uid: int) -> None:
    async with state.uow() as session:
        config = await channels.get_config(session, inbox_id=inbox_id)
        if config is not None:
            await session.refresh(config, with_for_update=True)
            config.state = {
                **config.state,
                "uidvalidity": uidvalidity,
                "last_uid": uid,
                "synced_at": utcnow().isoformat(),
            }
