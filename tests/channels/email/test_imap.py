"""The IMAP reader against a real dovecot: login, TLS, resumable sync by UID, flags, IDLE, outages."""

from __future__ import annotations

import asyncio
import email
import time

import pytest

from destek.channels.email.imap import ImapSettings, Mailbox, check
from destek.channels.email.imap_wire import ImapError, uid_set
from tests.channels.email.conftest import require_dovecot
from tests.channels.email.servers import Certificate, Dovecot, MailUser, free_port, running_dovecot


def settings(server: Dovecot, user: MailUser, **changes: object) -> ImapSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.tls_port,
        "security": "tls",
        "username": user.name,
        "password": user.password,
        "timeout": 5.0,
        "verify_tls": False,  # the test server's certificate is self-signed
    }
    values.update(changes)
    if values["security"] != "tls" and "port" not in changes:
        values["port"] = server.plain_port
    return ImapSettings(**values)  # type: ignore[arg-type]


def a_mail(n: int) -> bytes:
    return (
        f"From: Çağrı Öztürk <cagri@example.com>\r\nTo: destek@lokanta.test\r\n"
        f"Subject: Sipariş {n}\r\nMessage-ID: <mail-{n}-{time.monotonic_ns()}@example.com>\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: 8bit\r\n\r\nMerhaba, yemeğim {n} soğuktu.\r\n"
    ).encode()


def message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw)["Message-ID"])


async def put(server: Dovecot, user: MailUser, count: int) -> list[int]:
    return [await asyncio.to_thread(server.append, user, a_mail(n)) for n in range(count)]


@pytest.mark.parametrize("security", ["tls", "starttls", "none"])
async def test_logs_in_and_selects(dovecot: Dovecot, security: str) -> None:
    user = dovecot.add_user()
    async with Mailbox(settings(dovecot, user, security=security)) as box:
        assert box.uidvalidity > 0
        assert box.uidnext == 1
        assert box.can_idle
        assert await box.uids_after(0) == []
    assert await check(settings(dovecot, user, security=security)) is None


async def test_wrong_password_is_readable_and_not_transient(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    with pytest.raises(ImapError) as caught:
        async with Mailbox(settings(dovecot, user, password="wrong")):
            pass
    assert not caught.value.transient
    assert f"the server refused the login for '{user.name}'" in str(caught.value)
    assert "AUTHENTICATIONFAILED" in str(caught.value)
    problem = await check(settings(dovecot, user, password="wrong", security="starttls"))
    assert problem is not None and "refused the login" in problem


async def test_unverifiable_certificate_is_not_transient(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    for security in ("tls", "starttls"):
        problem = await check(settings(dovecot, user, security=security, verify_tls=True))
        assert problem is not None and "TLS certificate" in problem, problem


async def test_no_server_is_transient() -> None:
    closed = ImapSettings(host="127.0.0.1", port=free_port(), username="u", password="p", timeout=2)
    with pytest.raises(ImapError) as caught:
        async with Mailbox(closed):
            pass
    assert caught.value.transient
    assert "127.0.0.1" in str(caught.value)


async def test_missing_folder_is_named(dovecot: Dovecot) -> None:
    problem = await check(settings(dovecot, dovecot.add_user(), folder="Yok"))
    assert problem is not None and "'Yok'" in problem


async def test_xoauth2_login(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    token = dovecot.issue_token(user)
    good = settings(dovecot, user, password=None, oauth_token=token, security="starttls")
    async with Mailbox(good) as box:
        assert box.uidvalidity > 0
    with pytest.raises(ImapError) as caught:
        async with Mailbox(settings(dovecot, user, password=None, oauth_token="ya29.revoked")):
            pass
    assert not caught.value.transient
    assert f"the server refused the access token for '{user.name}'" in str(caught.value)
    assert "401" in str(caught.value)  # from the XOAUTH2 error challenge


async def test_resumes_by_uid_without_doubles(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    await put(dovecot, user, 3)
    seen: list[str] = []
    async with Mailbox(settings(dovecot, user)) as box:
        validity = box.uidvalidity
        uids = await box.uids_after(0)
        assert len(uids) == 3
        for fetched in await box.fetch(uids[:2]):
            seen.append(message_id(fetched.raw))
        await box.processed(uids[:2])
        last_uid = uids[1]
    async with Mailbox(settings(dovecot, user, security="starttls")) as box:
        assert box.uidvalidity == validity
        rest = await box.uids_after(last_uid)
        assert rest == uids[2:]
        for fetched in await box.fetch(rest):
            seen.append(message_id(fetched.raw))
            last_uid = fetched.uid
        # "UID n+1:*" answers with the last mail even when n is past it; it must not come back.
        assert await box.uids_after(last_uid) == []
    assert len(seen) == len(set(seen)) == 3


async def test_fetch_leaves_the_mail_unread(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    raw = a_mail(1)
    uid = await asyncio.to_thread(dovecot.append, user, raw)
    async with Mailbox(settings(dovecot, user, after="keep")) as box:
        [fetched] = await box.fetch([uid])
        assert fetched.uid == uid
        assert fetched.raw == raw
        assert await box.fetch([uid + 100]) == []  # gone (or never there): left out
        assert await box.sizes([uid]) == {uid: len(raw)}
    assert await asyncio.to_thread(dovecot.flags, user, uid) == set()


@pytest.mark.parametrize("after", ["flag", "move", "move-without-MOVE", "keep"])
async def test_processed(dovecot: Dovecot, after: str) -> None:
    user = dovecot.add_user()
    first, second = await put(dovecot, user, 2)
    folder = "İşlenenler"  # a non-ASCII name goes over the wire in modified UTF-7
    async with Mailbox(settings(dovecot, user, after=after.split("-")[0], move_to=folder)) as box:
        if after == "move-without-MOVE":
            box._capabilities.discard("MOVE")  # the COPY + \Deleted + UID EXPUNGE path, on the real server
        await box.processed([first])
    flags = await asyncio.to_thread(dovecot.flags, user, first)
    if after == "flag":
        assert flags == {"\\Seen"}
    elif after == "keep":
        assert flags == set()
    else:
        assert flags is None
        assert await asyncio.to_thread(dovecot.uids, user) == [second]
        moved = await asyncio.to_thread(dovecot.uids, user, "&ATABXw-lenenler")
        assert len(moved) == 1
    assert await asyncio.to_thread(dovecot.flags, user, second) == set()


async def test_wait_wakes_promptly_for_new_mail(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    async with Mailbox(settings(dovecot, user)) as box:
        waiting = asyncio.create_task(box.wait(10))
        await asyncio.sleep(0.2)  # let IDLE begin; mail before it is reported too, but that is not this test
        started = time.monotonic()
        uid = await asyncio.to_thread(dovecot.append, user, a_mail(1))
        assert await asyncio.wait_for(waiting, 5) is True
        assert time.monotonic() - started < 2
        assert await box.uids_after(0) == [uid]


async def test_wait_without_news_times_out_and_the_session_goes_on(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    async with Mailbox(settings(dovecot, user)) as box:
        started = time.monotonic()
        assert await box.wait(0.3) is False
        assert 0.25 < time.monotonic() - started < 2
        assert await box.uids_after(0) == []


async def test_server_killed_midway_then_resumed(certificate: Certificate) -> None:
    require_dovecot()
    with running_dovecot(certificate) as server:  # private: this test stops it
        user = server.add_user()
        await put(server, user, 3)
        seen: list[str] = []
        async with Mailbox(settings(server, user)) as box:
            validity = box.uidvalidity
            uids = await box.uids_after(0)
            [fetched] = await box.fetch(uids[:1])
            seen.append(message_id(fetched.raw))
            await box.processed(uids[:1])
            last_uid = uids[0]
            await asyncio.to_thread(server.stop)
            with pytest.raises(ImapError) as caught:
                await box.fetch(uids[1:])
            assert caught.value.transient
        await asyncio.to_thread(server.start)
        async with Mailbox(settings(server, user)) as box:
            assert box.uidvalidity == validity
            rest = await box.uids_after(last_uid)
            seen.extend(message_id(fetched.raw) for fetched in await box.fetch(rest))
            await box.processed(rest)
            # Killed while idling: the wait ends with a transient error, not a hang.
            waiting = asyncio.create_task(box.wait(10))
            await asyncio.sleep(0.2)
            await asyncio.to_thread(server.stop)
            with pytest.raises(ImapError) as caught:
                await asyncio.wait_for(waiting, 5)
            assert caught.value.transient
        assert len(seen) == len(set(seen)) == 3


async def test_a_batch_is_fetched_and_flagged_in_one_command_each(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    uids = await put(dovecot, user, 5)
    async with Mailbox(settings(dovecot, user)) as box:
        chosen = [uids[0], uids[1], uids[3]]  # sent as the set "a:b,d"
        fetched = await box.fetch(chosen)
        assert [f.uid for f in fetched] == chosen
        assert len({message_id(f.raw) for f in fetched}) == 3
        sizes = await box.sizes(uids)
        assert sorted(sizes) == uids and all(size > 100 for size in sizes.values())
        await box.processed(chosen)
    flags = [await asyncio.to_thread(dovecot.flags, user, uid) for uid in uids]
    assert flags == [{"\\Seen"}, {"\\Seen"}, set(), {"\\Seen"}, set()]


def test_uid_sets_are_runs() -> None:
    assert uid_set([7, 1, 2, 3, 5, 9, 10]) == "1:3,5,7,9:10"
    assert uid_set([4]) == "4"
