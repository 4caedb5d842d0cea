"""A mailbox's new mails taken in one batch (as the IMAP fetcher takes them) end up exactly as if they
had come one at a time: replies inside the batch thread, a foreign reply does not, a duplicate is one
message, an unreadable mail is listed as failed, and a mail that cannot be stored does not keep the
others out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from destek.accounts.models import Inbox
from destek.channels import intake
from destek.channels.base import InboundMessage, Parsed
from destek.channels.email.reading import read
from destek.channels.email.settings import EmailSettings
from destek.config import Settings
from destek.state import AppState
from tests.channels.email.flow import ADDRESS, conversations, email_inbox, mail, messages
from tests.support.factories import Tenant
from tests.support.factories_fixtures import make_settings

SETTINGS = EmailSettings(address=ADDRESS)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, run_consumers=False)


async def _inbox(client: httpx.AsyncClient, state: AppState, tenant: Tenant) -> Inbox:
    inbox_id, _ = await email_inbox(client, tenant, None)
    async with state.read() as session:
        inbox = await session.get(Inbox, inbox_id)
    assert inbox is not None
    return inbox


def _parse(raw: bytes) -> Parsed:
    if b"X-Test: unreadable" in raw:
        raise ValueError("the mail cannot be read")
    parsed = read(raw, SETTINGS)
    if b"X-Test: unstorable" in raw:  # a number no conversation can have: the database refuses it
        item = parsed.items[0]
        assert isinstance(item, InboundMessage)
        return Parsed(parsed.external_id, [dataclasses.replace(item, thread_number=2**70)])
    return parsed


async def _take(state: AppState, inbox: Inbox, raws: list[bytes]) -> list[str]:
    taken = await intake.take_many(
        state,
        inbox=inbox,
        kind="email",
        items=[intake.Item(raw, f"test:{n}") for n, raw in enumerate(raws)],
        parser=_parse,
        content_type="message/rfc822",
    )
    return [t.status for t in taken]


async def _threads(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, list[str]]:
    """Each conversation's sender and its messages' first words, as the agent sees them."""
    shown: dict[str, list[str]] = {}
    for item in reversed(await conversations(client, tenant)):
        texts = [m["content"].split(",")[0] for m in await messages(client, tenant, item["number"])]
        shown[f"#{item['number']} {item['contact']['email']}"] = texts
    return shown


async def test_a_batch_threads_as_mails_taken_one_by_one(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    inbox = await _inbox(client, state, tenant)
    earlier, earlier_id = mail(body="Earlier, about my invoice")
    assert await _take(state, inbox, [earlier]) == ["processed"]

    first, first_id = mail(body="First, my order is missing")
    reply, _ = mail(body="Second, any news?", in_reply_to=first_id, references=[first_id])
    foreign, _ = mail(  # another customer quoting Ayşe's mail: never added to her conversation
        sender="Mehmet <mehmet@musteri.test>", body="Mehmet here, same problem", in_reply_to=first_id
    )
    again, _ = mail(body="First, my order is missing", message_id=first_id)
    later, _ = mail(body="Later, about the invoice again", in_reply_to=earlier_id)
    unreadable, _ = mail(body="Unreadable", headers={"X-Test": "unreadable"})
    statuses = await _take(state, inbox, [first, reply, foreign, again, later, unreadable])

    assert statuses == ["processed", "processed", "processed", "duplicate", "processed", "failed"]
    assert await _threads(client, tenant) == {
        "#1 ayse@musteri.test": ["Earlier", "Later"],
        "#2 ayse@musteri.test": ["First", "Second"],
        "#3 mehmet@musteri.test": ["Mehmet here"],
    }
    failed = (await client.get(tenant.url("/inbound/failed"), headers=tenant.owner.headers)).json()
    assert [f["error"] for f in failed] == ["ValueError: the mail cannot be read"]
    # The same batch fetched again (a crash before the cursor moved) adds nothing.
    assert await _take(state, inbox, [first, reply, foreign]) == ["duplicate"] * 3
    assert len(await conversations(client, tenant)) == 3


async def test_a_mail_that_cannot_be_stored_does_not_keep_the_others_out(
    client: httpx.AsyncClient, state: AppState, tenant: Tenant
) -> None:
    inbox = await _inbox(client, state, tenant)
    good, good_id = mail(body="Good, one")
    bad, _ = mail(sender="Can <can@musteri.test>", body="Bad", headers={"X-Test": "unstorable"})
    reply, _ = mail(body="Good, two", in_reply_to=good_id)
    assert await _take(state, inbox, [good, bad, reply]) == ["processed", "failed", "processed"]
    assert await _threads(client, tenant) == {"#1 ayse@musteri.test": ["Good", "Good"]}
    owner = tenant.owner.headers
    [failed] = (await client.get(tenant.url("/inbound/failed"), headers=owner)).json()
    kept = await client.get(tenant.url(f"/inbound/{failed['id']}/raw"), headers=owner)
    assert kept.content == bad  # kept raw for the admin, to be processed again once fixed
