"""FcmClient against a local Google token endpoint and FCM HTTP v1 that answer as Google documents."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from destek.push.fcm import FcmClient, ServiceAccount
from destek.push.outcome import BadToken, Pushed, PushFailed, PushMessage, TryLater, shorten
from tests.push.servers import Clock, FakeGoogle, client_tls, ec_key, pem, rsa_key, serving

MESSAGE = PushMessage(
    title="Şule Yılmaz",
    body="Merhaba! Siparişiniz İstanbul'a gönderildi; ığüşöç ĞÜŞİÖÇ",
    data={"conversation_id": "42", "destek": "1"},
    collapse_key="conversation-42",
    badge=3,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def google(clock: Clock) -> AsyncIterator[FakeGoogle]:
    fake = FakeGoogle(clock)
    async with serving(fake):
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(http2=True, verify=client_tls(), timeout=5) as client:
        yield client


@pytest.fixture
async def fcm(google: FakeGoogle, http: httpx.AsyncClient, clock: Clock) -> AsyncIterator[FcmClient]:
    account = ServiceAccount.from_json(google.key_file())
    client = FcmClient(account, client=http, base_url=google.url, clock=clock)
    yield client
    await client.aclose()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"https://127.0.0.1:{sock.getsockname()[1]}"


async def test_a_reply_reaches_the_device_with_its_turkish_preview_and_its_conversation(
    fcm: FcmClient, google: FakeGoogle
) -> None:
    outcome = await fcm.send("device-token-1", MESSAGE)

    assert isinstance(outcome, Pushed)
    assert outcome.provider_id.startswith("projects/destek-test/messages/0:")
    [sent] = google.messages
    assert sent["token"] == "device-token-1"
    assert sent["notification"] == {"title": "Şule Yılmaz", "body": MESSAGE.body}
    assert sent["data"] == {"conversation_id": "42", "destek": "1"}
    android = sent["android"]
    assert android["collapse_key"] == "conversation-42"
    assert android["priority"] == "high"
    assert android["ttl"] == "86400s"
    assert android["notification"] == {"sound": "default", "tag": "conversation-42", "notification_count": 3}
    assert sent["apns"]["headers"] == {"apns-collapse-id": "conversation-42"}
    assert sent["apns"]["payload"]["aps"] == {"sound": "default", "badge": 3, "thread-id": "42"}
    assert "Siparişiniz İstanbul'a".encode() in google.bodies[0]  # UTF-8, not \u escapes: fewer bytes


async def test_one_token_exchange_serves_many_sends_even_concurrent_ones(
    fcm: FcmClient, google: FakeGoogle
) -> None:
    outcomes = await asyncio.gather(*(fcm.send(f"device-{n}", MESSAGE) for n in range(8)))
    outcomes += [await fcm.send("device-again", MESSAGE) for _ in range(3)]

    assert all(isinstance(outcome, Pushed) for outcome in outcomes)
    assert google.exchanges == 1
    assert len(google.messages) == 11


async def test_the_access_token_is_renewed_shortly_before_it_expires(
    fcm: FcmClient, google: FakeGoogle, clock: Clock
) -> None:
    await fcm.send("device", MESSAGE)
    clock.advance(3599 - 301)  # Google's expires_in, less the five minutes kept in hand
    await fcm.send("device", MESSAGE)
    assert google.exchanges == 1

    clock.advance(2)
    assert isinstance(await fcm.send("device", MESSAGE), Pushed)
    assert google.exchanges == 2


async def test_a_401_refreshes_the_token_once_and_the_send_goes_through(
    fcm: FcmClient, google: FakeGoogle
) -> None:
    await fcm.send("device", MESSAGE)
    google.revoke_tokens()

    assert isinstance(await fcm.send("device", MESSAGE), Pushed)
    assert google.exchanges == 2
    assert len(google.messages) == 2


async def test_a_401_that_persists_fails_after_exactly_one_refresh(
    fcm: FcmClient, google: FakeGoogle
) -> None:
    google.refuse_tokens = True

    outcome = await fcm.send("device", MESSAGE)

    assert isinstance(outcome, PushFailed)
    assert "UNAUTHENTICATED" in outcome.reason
    assert google.exchanges == 2


@pytest.mark.parametrize(
    ("device", "expected", "words"),
    [
        ("unregistered-token", BadToken, "UNREGISTERED"),
        ("garbled-token", BadToken, "not a valid FCM registration token"),
        ("internal-token", TryLater, "INTERNAL"),
        ("ios-token", PushFailed, "APNs key or web-push credentials"),
        ("other-project-token", PushFailed, "another Firebase project than 'destek-test'"),
    ],
)
async def test_fcm_errors_become_the_documented_outcomes(
    fcm: FcmClient, google: FakeGoogle, device: str, expected: type, words: str
) -> None:
    outcome = await fcm.send(device, MESSAGE)

    assert isinstance(outcome, expected)
    assert words in outcome.reason
    assert google.exchanges == 1  # THIRD_PARTY_AUTH_ERROR is a 401 too, but no reason for a new token


async def test_quota_exceeded_and_unavailable_say_when_to_try_again(fcm: FcmClient) -> None:
    quota = await fcm.send("quota-token", MESSAGE)
    overloaded = await fcm.send("overloaded-token", MESSAGE)
    internal = await fcm.send("internal-token", MESSAGE)

    assert quota == TryLater(quota.reason, 60.0) and "QUOTA_EXCEEDED" in quota.reason
    assert overloaded == TryLater(overloaded.reason, 30.0)  # Retry-After as an HTTP date
    assert isinstance(internal, TryLater) and internal.retry_after is None


async def test_a_bad_payload_is_not_blamed_on_the_device_token(fcm: FcmClient) -> None:
    message = PushMessage(title="t", body="b", data={"from": "agent", "conversation_id": "42"})

    outcome = await fcm.send("device", message)

    assert isinstance(outcome, PushFailed)
    assert "message.data: Invalid data key: from is reserved" in outcome.reason


async def test_a_wrong_project_id_fails_readably(
    google: FakeGoogle, http: httpx.AsyncClient, clock: Clock
) -> None:
    account = ServiceAccount.from_json(google.key_file().replace('"destek-test"', '"destek-prod"'))
    client = FcmClient(account, client=http, base_url=google.url, clock=clock)

    outcome = await client.send("device", MESSAGE)

    assert isinstance(outcome, PushFailed)
    assert "is the project id 'destek-prod' right" in outcome.reason


async def test_google_refuses_a_key_it_does_not_know(
    google: FakeGoogle, http: httpx.AsyncClient, clock: Clock
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    account = ServiceAccount.from_json(google.key_file(stranger))
    client = FcmClient(account, client=http, base_url=google.url, clock=clock)

    outcome = await client.send("device", MESSAGE)

    assert isinstance(outcome, PushFailed)
    assert "invalid_grant: Invalid JWT Signature." in outcome.reason
    assert google.messages == []


async def test_an_unreachable_fcm_is_tried_later(
    google: FakeGoogle, http: httpx.AsyncClient, clock: Clock
) -> None:
    account = ServiceAccount.from_json(google.key_file())
    client = FcmClient(account, client=http, base_url=closed_port_url(), clock=clock)

    outcome = await client.send("device", MESSAGE)

    assert isinstance(outcome, TryLater)
    assert outcome.reason.startswith("network:")


async def test_a_long_preview_is_cut_to_fit_fcm_4096_bytes(fcm: FcmClient, google: FakeGoogle) -> None:
    message = PushMessage(title="Ayşe", body="Çığır açan güneş " * 400, data={"conversation_id": "42"})

    assert isinstance(await fcm.send("device", message), Pushed)
    body = google.messages[0]["notification"]["body"]
    assert len(google.bodies[0]) <= 4096
    assert body.endswith("…")
    assert message.body.startswith(body.removesuffix("…"))


def test_a_preview_is_cut_between_whole_characters() -> None:
    assert shorten("kısa", max_chars=10) == "kısa"
    assert shorten("Merhaba dünya", max_chars=9) == "Merhaba…"
    assert shorten("ab🇹🇷🇹🇷", max_chars=4) == "ab…"  # not half a flag
    assert shorten("ab🇹🇷🇹🇷", max_chars=5) == "ab🇹🇷…"
    assert shorten("e\u0301e\u0301e\u0301", max_chars=4) == "e\u0301…"  # not an accent without its e
    assert shorten("👩\u200d💻👩\u200d💻", max_chars=3) == "…"  # not part of a joined emoji
    assert len(shorten("ş" * 100, max_bytes=20).encode()) <= 20


def test_a_key_file_reads_into_an_account(google: FakeGoogle) -> None:
    account = ServiceAccount.from_json(google.key_file())

    assert account.project_id == "destek-test"
    assert account.client_email == google.client_email
    assert account.token_uri == f"{google.url}/token"
    assert account.private_key_id == google.key_id
    assert "PRIVATE KEY" not in repr(account)


GOOGLE_SERVICES_JSON = {
    "project_info": {"project_id": "destek-test"},
    "client": [],
    "configuration_version": "1",
}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"type": "service_account", "project_id": ', "not JSON (Expecting value, line 1)"),
        ("[1, 2]", "JSON but not an object"),
        (json.dumps(GOOGLE_SERVICES_JSON), "google-services.json, not a service-account key"),
        (json.dumps({"type": "authorized_user", "client_id": "x"}), "of type 'authorized_user'"),
        (json.dumps({"type": "service_account", "project_id": "p"}), "has no client_email, private_key"),
        (
            json.dumps(
                {"project_id": "p", "client_email": "e", "private_key": "-----BEGIN PRIVATE KEY-----"}
            ),
            "not a PEM private key",
        ),
        (
            json.dumps({"project_id": "p", "client_email": "e", "private_key": pem(ec_key())}),
            "not RSA",
        ),
    ],
)
def test_a_wrong_key_file_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ValueError, match="Generate new private key") as raised:
        ServiceAccount.from_json(text)
    assert words in str(raised.value)


def test_the_key_in_a_valid_file_is_its_own() -> None:
    text = json.dumps({"project_id": "p", "client_email": "e@p", "private_key": pem(rsa_key())})
    assert ServiceAccount.from_json(text).token_uri == "https://oauth2.googleapis.com/token"
