"""ApnsClient against a local APNs that speaks only HTTP/2 and answers as Apple documents."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from destek.push.apns import SANDBOX_URL, ApnsClient, ApnsKey
from destek.push.outcome import BadToken, Pushed, PushFailed, PushMessage, TryLater
from tests.push.servers import (
    BROKEN,
    GONE,
    SHUTTING_DOWN,
    THROTTLED,
    Clock,
    FakeApns,
    H2Server,
    client_tls,
    ec_key,
    pem,
    rsa_key,
    serving,
)

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
async def server(clock: Clock) -> AsyncIterator[tuple[FakeApns, H2Server]]:
    fake = FakeApns(clock)
    async with serving(fake) as running:
        yield fake, running


@pytest.fixture
def apple(server: tuple[FakeApns, H2Server]) -> FakeApns:
    return server[0]


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(http2=True, verify=client_tls(), timeout=5) as client:
        yield client


def team_key(apple: FakeApns, **changes: str) -> ApnsKey:
    fields = {"key_id": apple.key_id, "team_id": apple.team_id, "private_key": pem(ec_key())}
    return ApnsKey(**{**fields, "bundle_id": apple.topic, **changes})


@pytest.fixture
async def apns(apple: FakeApns, http: httpx.AsyncClient, clock: Clock) -> AsyncIterator[ApnsClient]:
    client = ApnsClient(team_key(apple), client=http, base_url=apple.url, clock=clock)
    yield client
    await client.aclose()


async def test_a_reply_reaches_the_iphone_over_http2_with_its_turkish_preview(
    apns: ApnsClient, server: tuple[FakeApns, H2Server], clock: Clock
) -> None:
    apple, running = server
    device = apple.device()

    outcome = await apns.send(device, MESSAGE)

    [(headers, payload)] = apple.notifications
    assert outcome == Pushed(headers["apns-id"])
    assert running.protocols == ["h2"]
    assert headers["apns-topic"] == "com.destek.app"
    assert headers["apns-push-type"] == "alert"
    assert headers["apns-priority"] == "10"
    assert headers["apns-collapse-id"] == "conversation-42"
    assert headers["apns-expiration"] == str(int(clock()) + 86400)
    assert payload == {
        "aps": {
            "alert": {"title": "Şule Yılmaz", "body": MESSAGE.body},
            "sound": "default",
            "badge": 3,
            "thread-id": "42",
        },
        "conversation_id": "42",
        "destek": "1",
    }


async def test_one_provider_token_serves_every_send_for_fifty_minutes(
    apns: ApnsClient, apple: FakeApns, clock: Clock
) -> None:
    device = apple.device()
    outcomes = await asyncio.gather(*(apns.send(device, MESSAGE) for _ in range(6)))
    clock.advance(49 * 60)
    outcomes.append(await apns.send(device, MESSAGE))
    assert len(apple.presented) == 1

    clock.advance(2 * 60)
    outcomes.append(await apns.send(device, MESSAGE))

    assert all(isinstance(outcome, Pushed) for outcome in outcomes)
    assert len(apple.presented) == 2  # renewed after 50 minutes: within Apple's 20 to 60


async def test_an_expired_provider_token_is_renewed_once_and_the_send_goes_through(
    apns: ApnsClient, apple: FakeApns
) -> None:
    device = apple.device()
    await apns.send(device, MESSAGE)
    apple.expired.add(apple.presented[0])

    assert isinstance(await apns.send(device, MESSAGE), Pushed)
    assert len(apple.presented) == 2
    assert len(apple.notifications) == 2


async def test_a_provider_token_refused_again_fails_after_exactly_one_renewal(
    apns: ApnsClient, apple: FakeApns
) -> None:
    apple.expire_every_token = True

    outcome = await apns.send(apple.device(), MESSAGE)

    assert isinstance(outcome, PushFailed)
    assert "ExpiredProviderToken" in outcome.reason and "clock" in outcome.reason
    assert len(apple.presented) == 2


async def test_renewing_the_provider_token_too_often_is_refused_by_the_fake(
    apple: FakeApns, http: httpx.AsyncClient, clock: Clock
) -> None:
    # Why tokens are reused: a second client (a new token) 10 minutes later is TooManyProviderTokenUpdates.
    device = apple.device()
    first = ApnsClient(team_key(apple), client=http, base_url=apple.url, clock=clock)
    await first.send(device, MESSAGE)
    clock.advance(10 * 60)

    outcome = await ApnsClient(team_key(apple), client=http, base_url=apple.url, clock=clock).send(
        device, MESSAGE
    )

    assert isinstance(outcome, TryLater)
    assert "TooManyProviderTokenUpdates" in outcome.reason


@pytest.mark.parametrize(
    ("device", "expected", "words"),
    [
        (GONE, BadToken, "APNs 410 Unregistered: the device token is no longer active for this app (since"),
        ("ab" * 32, BadToken, "400 BadDeviceToken"),
        (THROTTLED, TryLater, "429 TooManyRequests"),
        (BROKEN, TryLater, "500 InternalServerError"),
        (SHUTTING_DOWN, TryLater, "503 Shutdown"),
    ],
)
async def test_apns_answers_become_the_documented_outcomes(
    apns: ApnsClient, device: str, expected: type, words: str
) -> None:
    outcome = await apns.send(device, MESSAGE)

    assert isinstance(outcome, expected)
    assert words in outcome.reason


async def test_a_token_of_another_app_is_a_bad_token(apns: ApnsClient, apple: FakeApns) -> None:
    outcome = await apns.send(apple.device(topic="com.other.app"), MESSAGE)

    assert isinstance(outcome, BadToken)
    assert "DeviceTokenNotForTopic" in outcome.reason


async def test_a_token_that_is_not_hexadecimal_is_bad_without_asking_apple(
    apns: ApnsClient, apple: FakeApns
) -> None:
    outcome = await apns.send("not/a token", MESSAGE)

    assert isinstance(outcome, BadToken)
    assert apple.presented == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"private_key": pem(ec.generate_private_key(ec.SECP256R1()))}, "403 InvalidProviderToken"),
        ({"key_id": "OTHERKEY00"}, "403 InvalidProviderToken: the provider token could not be verified"),
        ({"bundle_id": ""}, "400 MissingTopic: the request has no apns-topic: set bundle_id"),
    ],
)
async def test_wrong_credentials_fail_readably(
    apple: FakeApns, http: httpx.AsyncClient, clock: Clock, changes: dict[str, str], words: str
) -> None:
    client = ApnsClient(team_key(apple, **changes), client=http, base_url=apple.url, clock=clock)

    outcome = await client.send(apple.device(), MESSAGE)

    assert isinstance(outcome, PushFailed)
    assert words in outcome.reason
    assert "(key " in outcome.reason and "production)" in outcome.reason


async def test_an_unreachable_apns_is_tried_later(apple: FakeApns, http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"https://127.0.0.1:{sock.getsockname()[1]}"
    client = ApnsClient(team_key(apple), client=http, base_url=closed)

    outcome = await client.send(apple.device(), MESSAGE)

    assert isinstance(outcome, TryLater)
    assert outcome.reason.startswith("network:")


async def test_a_long_collapse_key_and_preview_still_fit(apns: ApnsClient, apple: FakeApns) -> None:
    message = PushMessage(
        title="Çağrı", body="İğneli fıçı şişesi " * 500, data={"conversation_id": "7"}, collapse_key="ğ" * 40
    )

    assert isinstance(await apns.send(apple.device(), message), Pushed)
    [(headers, payload)] = apple.notifications
    assert len(headers["apns-collapse-id"]) == 64  # 80 bytes of key, hashed
    assert payload["aps"]["alert"]["body"].endswith("…")


async def test_the_data_may_not_take_apple_s_own_key(apns: ApnsClient, apple: FakeApns) -> None:
    outcome = await apns.send(apple.device(), PushMessage(title="t", body="b", data={"aps": "x"}))

    assert isinstance(outcome, PushFailed)
    assert apple.presented == []


async def test_the_sandbox_key_goes_to_the_sandbox() -> None:
    key = ApnsKey(key_id="K", team_id="T", private_key=pem(ec_key()), bundle_id="b", sandbox=True)
    client = ApnsClient(key)
    assert client.base_url == SANDBOX_URL
    assert "PRIVATE KEY" not in repr(key)
    await client.aclose()


@pytest.mark.parametrize(
    ("private_key", "words"),
    [
        ("MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg", "not a .p8 private key"),
        (pem(rsa_key()), "not an EC P-256 one"),
    ],
)
def test_a_wrong_p8_file_says_what_is_wrong(private_key: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ApnsClient(ApnsKey(key_id="K", team_id="T", private_key=private_key, bundle_id="b"))
