"""Apple Push Notification service sender: the provider API over HTTP/2 with token-based auth.

The provider token is a JWT signed ES256 with the team's .p8 key (header kid = key id, claims iss = team
id and iat). APNs refuses a token older than an hour (403 ExpiredProviderToken) and new tokens more often
than every 20 minutes (429 TooManyProviderTokenUpdates), so one token serves every send of a client for
50 minutes; an ExpiredProviderToken renews it once and the send is retried. APNs speaks only HTTP/2 and
one connection carries every send, hence an httpx client with http2=True (a client passed in must be
one too).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from destek.push.outcome import (
    BadToken,
    Pushed,
    PushFailed,
    PushMessage,
    PushOutcome,
    TryLater,
    b64url,
    fit_payload,
    json_object,
    retry_after_seconds,
)

PRODUCTION_URL = "https://api.push.apple.com"
SANDBOX_URL = "https://api.sandbox.push.apple.com"
PAYLOAD_LIMIT = 4096  # bytes, for every push type but VoIP
COLLAPSE_ID_LIMIT = 64  # bytes
TOKEN_REUSE_SECONDS = 50 * 60  # Apple: renew no more than every 20 minutes, no less than every 60
TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# The reasons that say this device token will never work for this app: the caller deletes it.
_TOKEN_REASONS = {"BadDeviceToken", "DeviceTokenNotForTopic", "MissingDeviceToken", "Unregistered"}
# Apple's explanations of the reasons, for a PushFailed an admin can act on.
_REASONS = {
    "BadCollapseId": "the collapse identifier exceeds the maximum allowed size",
    "BadDeviceToken": "the device token is invalid, or of the other environment (sandbox or production)",
    "BadExpirationDate": "the apns-expiration value is invalid",
    "BadMessageId": "the apns-id value is invalid",
    "BadPriority": "the apns-priority value is invalid",
    "BadTopic": "the apns-topic value is invalid: check bundle_id",
    "DeviceTokenNotForTopic": "the device token does not belong to this app (apns-topic)",
    "DuplicateHeaders": "one or more headers are repeated",
    "IdleTimeout": "the connection was idle for too long",
    "InvalidPushType": "the apns-push-type value is invalid",
    "MissingDeviceToken": "the request has no device token",
    "MissingTopic": "the request has no apns-topic: set bundle_id",
    "PayloadEmpty": "the payload is empty",
    "TopicDisallowed": "pushing to this topic is not allowed: check bundle_id",
    "BadCertificate": "the certificate is invalid",
    "BadCertificateEnvironment": "the certificate is for the other environment",
    "Forbidden": "the action is not allowed",
    "InvalidProviderToken": (
        "the provider token could not be verified: check key_id, team_id and that the .p8 key is the one "
        "of that key id, for this environment"
    ),
    "MissingProviderToken": "the request has no provider token",
    "BadPath": "the request path is invalid",
    "MethodNotAllowed": "only POST is allowed",
    "ExpiredToken": "the device token has expired",
    "Unregistered": "the device token is no longer active for this app",
    "PayloadTooLarge": "the payload is too large",
    "TooManyProviderTokenUpdates": "the provider token is renewed too often",
    "TooManyRequests": "too many requests to the same device token",
    "InternalServerError": "an internal server error",
    "ServiceUnavailable": "the service is unavailable",
    "Shutdown": "the APNs server is shutting down",
}
_HEX = re.compile(r"[0-9A-Fa-f]+")


@dataclass(frozen=True, slots=True)
class ApnsKey:
    key_id: str
    team_id: str
    private_key: str = field(repr=False)  # the .p8 file's text (PEM, EC P-256)
    bundle_id: str  # the apns-topic
    sandbox: bool = False


class ApnsClient:
    def __init__(
        self,
        key: ApnsKey,
        *,
        client: httpx.AsyncClient | None = None,
        base_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Raises ValueError, saying what is wrong, when the .p8 key is not one."""
        self.key = key
        self._signing_key = load_p8(key.private_key)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(http2=True, timeout=TIMEOUT)
        base = base_url or (SANDBOX_URL if key.sandbox else PRODUCTION_URL)
        self.base_url = base.rstrip("/")
        self._clock = clock
        self._jwt: str | None = None
        self._jwt_issued = 0.0

    async def send(self, token: str, message: PushMessage) -> PushOutcome:
        if not _HEX.fullmatch(token):
            return BadToken(f"APNs device tokens are hexadecimal; {_sample(token)} is not one")
        if "aps" in message.data:
            return PushFailed("the data key 'aps' is APNs' own dictionary: give the value another key")
        payload = fit_payload(message, lambda t, b: render_payload(message, t, b), PAYLOAD_LIMIT)
        if payload is None:
            return PushFailed(f"the data alone exceeds APNs' {PAYLOAD_LIMIT}-byte payload: send less of it")
        apns_id = str(uuid.uuid4())
        try:
            jwt = self._provider_token()
            response = await self._post(token, payload, apns_id, message, jwt)
            if response.status_code == 403 and _reason(response) == "ExpiredProviderToken":
                response = await self._post(token, payload, apns_id, message, self._provider_token(stale=jwt))
        except httpx.TransportError as exc:
            return TryLater(f"network: APNs at {self.base_url} did not answer: {exc!r}", None)
        return self._outcome(response, apns_id)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    def _provider_token(self, *, stale: str | None = None) -> str:
        """The shared provider token; a new one when it is 50 minutes old or APNs refused `stale`."""
        now = self._clock()
        if self._jwt is None or self._jwt == stale or now - self._jwt_issued >= TOKEN_REUSE_SECONDS:
            self._jwt = provider_token(self.key, self._signing_key, issued_at=now)
            self._jwt_issued = now
        return self._jwt

    async def _post(
        self, token: str, payload: bytes, apns_id: str, message: PushMessage, jwt: str
    ) -> httpx.Response:
        headers = {
            "authorization": f"bearer {jwt}",
            "apns-topic": self.key.bundle_id,
            "apns-push-type": "alert",
            "apns-priority": "10",
            "apns-id": apns_id,
            "apns-expiration": str(int(self._clock()) + message.ttl) if message.ttl else "0",
            "content-type": "application/json",
        }
        if message.collapse_key:
            headers["apns-collapse-id"] = collapse_id(message.collapse_key)
        return await self._client.post(f"{self.base_url}/3/device/{token}", content=payload, headers=headers)

    def _outcome(self, response: httpx.Response, apns_id: str) -> PushOutcome:
        status = response.status_code
        if status == 200:
            return Pushed(response.headers.get("apns-id") or apns_id)
        body = json_object(response)
        reason = _reason(response) or f"HTTP {status}"
        said = f"APNs {status} {reason}: {_REASONS.get(reason, 'no description')}"
        if status == 410 or reason in _TOKEN_REASONS:
            stamp = body.get("timestamp")
            if isinstance(stamp, int):
                said += f" (since {datetime.fromtimestamp(stamp / 1000, UTC):%Y-%m-%d %H:%M} UTC)"
            return BadToken(said)
        if status == 429 or status >= 500:
            return TryLater(said, retry_after_seconds(response.headers.get("retry-after"), now=self._clock()))
        if reason == "ExpiredProviderToken":  # again, with a token signed just now
            return PushFailed(
                f"{said}: APNs refused a provider token signed just now as expired; check this "
                "server's clock (NTP)"
            )
        where = "sandbox" if self.key.sandbox else "production"
        return PushFailed(f"{said} (key {self.key.key_id}, team {self.key.team_id}, {where})")


def render_payload(message: PushMessage, title: str, body: str) -> bytes:
    """The JSON payload: Apple's `aps` dictionary, then the app's data keys at the top level."""
    aps: dict[str, Any] = {"alert": {"title": title, "body": body}, **aps_extras(message)}
    return json.dumps({"aps": aps, **message.data}, ensure_ascii=False, separators=(",", ":")).encode()


def aps_extras(message: PushMessage) -> dict[str, Any]:
    """The `aps` keys beside the alert (also what FCM relays to iOS devices)."""
    extras: dict[str, Any] = {}
    if message.sound:
        extras["sound"] = message.sound
    if message.badge is not None:
        extras["badge"] = message.badge
    thread = message.data.get("conversation_id") or message.collapse_key
    if thread:
        extras["thread-id"] = thread  # iOS groups one conversation's notifications together
    return extras


def collapse_id(key: str) -> str:
    """`key` as an apns-collapse-id: APNs refuses one over 64 bytes, so a longer key is hashed."""
    if len(key.encode()) <= COLLAPSE_ID_LIMIT:
        return key
    return hashlib.sha256(key.encode()).hexdigest()  # 64 hex digits


def load_p8(pem: str) -> ec.EllipticCurvePrivateKey:
    """The signing key of an APNs .p8 file; ValueError saying what is wrong otherwise."""
    try:
        key = serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError(
            "the APNs key is not a .p8 private key (text from -----BEGIN PRIVATE KEY----- to "
            "-----END PRIVATE KEY-----): paste the whole file downloaded from Certificates, "
            "Identifiers & Profiles → Keys"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the APNs key is a private key but not an EC P-256 one: APNs keys (.p8) are P-256")
    return key


def provider_token(key: ApnsKey, signing_key: ec.EllipticCurvePrivateKey, *, issued_at: float) -> str:
    """A provider token: a JWT signed ES256 (the signature is r || s, 32 bytes each, not DER)."""
    header = b64url(json.dumps({"alg": "ES256", "kid": key.key_id}, separators=(",", ":")).encode())
    claims = b64url(json.dumps({"iss": key.team_id, "iat": int(issued_at)}, separators=(",", ":")).encode())
    signing_input = f"{header}.{claims}".encode("ascii")
    r, s = decode_dss_signature(signing_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return f"{header}.{claims}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _reason(response: httpx.Response) -> str:
    reason = json_object(response).get("reason")
    return reason if isinstance(reason, str) else ""


def _sample(token: str) -> str:
    return repr(token if len(token) <= 20 else token[:16] + "…")
