"""Firebase Cloud Messaging HTTP v1 sender (Android, and iOS apps that receive through FCM).

Auth is Google's OAuth 2.0 flow for server-to-server apps: a JWT signed RS256 with the service account's
key is exchanged at its token_uri for an access token, cached and shared by every send of the client
until shortly before it expires. A 401 from FCM means that token was revoked or expired early: it is
refreshed once and the send retried. Errors map onto outcomes as FCM's ErrorCode reference describes; a
400 counts as a bad device token only when FCM names the token as the invalid argument, because deleting
every device over a malformed payload would be far worse than keeping one stale token.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from destek.push.apns import aps_extras, collapse_id
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

GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 (an address, not a secret)
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PAYLOAD_LIMIT = 4096  # bytes FCM accepts in a message
ASSERTION_SECONDS = 3600  # the longest assertion Google accepts
REFRESH_MARGIN = 300.0  # an access token is renewed this long before it expires
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_NEW_KEY = "Firebase console → Project settings → Service accounts → Generate new private key"


class _Refused(Exception):
    """Getting an access token ended the send with this outcome."""

    def __init__(self, outcome: PushOutcome) -> None:
        super().__init__(outcome)
        self.outcome = outcome


@dataclass(frozen=True, slots=True)
class ServiceAccount:
    """The fields of a Google service-account JSON key file that sending needs."""

    project_id: str
    client_email: str
    private_key: str = field(repr=False)  # PEM
    token_uri: str = GOOGLE_TOKEN_URI
    private_key_id: str | None = None  # the JWT's kid, as Google's own libraries send it

    @classmethod
    def from_json(cls, text: str) -> ServiceAccount:
        """The account of a key file's text; ValueError saying what is wrong with a wrong file."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"the service-account key file is not JSON ({exc.msg}, line {exc.lineno}): use the "
                f"whole file that {_NEW_KEY} downloads"
            ) from None
        if not isinstance(data, dict):
            raise ValueError(f"the service-account key file is JSON but not an object: use {_NEW_KEY}")
        if "project_info" in data and "client" in data:
            raise ValueError(
                "this is the Android app's google-services.json, not a service-account key: the server "
                f"needs the file that {_NEW_KEY} downloads"
            )
        kind = data.get("type", "service_account")
        if kind != "service_account":
            raise ValueError(f"the key file is of type {kind!r}, not 'service_account': use {_NEW_KEY}")
        needed = ("project_id", "client_email", "private_key")
        missing = [name for name in needed if not isinstance(data.get(name), str) or not data[name].strip()]
        if missing:
            raise ValueError(
                f"the service-account key file has no {', '.join(missing)}: use the whole file that "
                f"{_NEW_KEY} downloads"
            )
        token_uri, key_id = data.get("token_uri"), data.get("private_key_id")
        account = cls(
            project_id=data["project_id"],
            client_email=data["client_email"],
            private_key=data["private_key"],
            token_uri=token_uri if isinstance(token_uri, str) and token_uri else GOOGLE_TOKEN_URI,
            private_key_id=key_id if isinstance(key_id, str) and key_id else None,
        )
        load_rsa_key(account.private_key)
        return account


class FcmClient:
    def __init__(
        self,
        account: ServiceAccount,
        *,
        client: httpx.AsyncClient | None = None,
        base_url: str = "https://fcm.googleapis.com",
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Raises ValueError, saying what is wrong, when the account's private key is not one."""
        self.account = account
        self._key = load_rsa_key(account.private_key)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(http2=True, timeout=TIMEOUT)
        self._url = f"{base_url.rstrip('/')}/v1/projects/{account.project_id}/messages:send"
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()  # concurrent sends share one token exchange

    async def send(self, token: str, message: PushMessage) -> PushOutcome:
        if not token.strip():
            return BadToken("the FCM registration token is empty")
        payload = fit_payload(message, lambda title, body: render(token, message, title, body), PAYLOAD_LIMIT)
        if payload is None:
            return PushFailed(f"the data alone exceeds FCM's {PAYLOAD_LIMIT}-byte message: send less of it")
        try:
            access = await self._access_token()
            response = await self._post(payload, access)
            if response.status_code == 401 and _FcmError.of(response).code != "THIRD_PARTY_AUTH_ERROR":
                response = await self._post(payload, await self._access_token(stale=access))
        except _Refused as refused:
            return refused.outcome
        except httpx.TransportError as exc:
            return TryLater(f"network: Google did not answer: {exc!r}", None)
        return self._outcome(response)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _access_token(self, *, stale: str | None = None) -> str:
        """The cached access token; a new one near its expiry or when FCM refused `stale`."""
        async with self._lock:
            if self._token is None or self._token == stale or self._clock() >= self._renew_at:
                self._token, self._renew_at = await self._exchange()
            return self._token

    async def _exchange(self) -> tuple[str, float]:
        """A new access token and when to renew it, for a self-signed assertion (Google's JWT flow)."""
        now = self._clock()
        form = {"grant_type": JWT_BEARER, "assertion": assertion(self.account, self._key, issued_at=now)}
        response = await self._client.post(self.account.token_uri, data=form)
        body = json_object(response)
        status = response.status_code
        if status == 200:
            token, lifetime = body.get("access_token"), body.get("expires_in")
            if not isinstance(token, str) or not token:
                raise _Refused(PushFailed(f"{self.account.token_uri} answered 200 without an access_token"))
            seconds = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 3600.0
            return token, now + max(seconds - REFRESH_MARGIN, seconds / 2)
        retry = retry_after_seconds(response.headers.get("retry-after"), now=now)
        if status == 429 or status >= 500:
            raise _Refused(TryLater(f"Google's token endpoint answered {status}", retry))
        error, description = body.get("error", f"HTTP {status}"), body.get("error_description", "")
        raise _Refused(
            PushFailed(
                f"Google refused a token for {self.account.client_email}: {error}: {description} "
                f"(is the key file current? a key deleted in the console stops working; is this "
                f"server's clock right?)"
            )
        )

    async def _post(self, payload: bytes, access: str) -> httpx.Response:
        headers = {"authorization": f"Bearer {access}", "content-type": "application/json; charset=UTF-8"}
        return await self._client.post(self._url, content=payload, headers=headers)

    def _outcome(self, response: httpx.Response) -> PushOutcome:
        status = response.status_code
        if status == 200:
            name = json_object(response).get("name")
            return Pushed(name if isinstance(name, str) else "")
        error = _FcmError.of(response)
        said = f"FCM {status} {error.code or error.status or 'error'}: {error.message or 'no message'}"
        if status == 429 or status >= 500:
            return TryLater(said, retry_after_seconds(response.headers.get("retry-after"), now=self._clock()))
        if error.code == "UNREGISTERED":
            return BadToken(f"{said} (the app instance was unregistered from FCM)")
        if status == 400 and error.about_token:
            return BadToken(said)
        if error.code == "THIRD_PARTY_AUTH_ERROR":
            return PushFailed(
                f"{said}: the APNs key or web-push credentials in Firebase are invalid or missing "
                "(Firebase console → Project settings → Cloud Messaging)"
            )
        if error.code == "SENDER_ID_MISMATCH":
            return PushFailed(
                f"{said}: the device token belongs to another Firebase project than "
                f"{self.account.project_id!r}; the app and the service account must be of one project"
            )
        if status == 401:
            return PushFailed(f"{said}: FCM refused a freshly issued access token")
        if status in (403, 404):
            return PushFailed(
                f"{said}: is the project id {self.account.project_id!r} right, the Firebase Cloud "
                f"Messaging API enabled, and {self.account.client_email} allowed to send?"
            )
        return PushFailed(said + "".join(f"; {where}: {what}" for where, what in error.violations))


@dataclass(frozen=True, slots=True)
class _FcmError:
    """The documented parts of an FCM error: {"error": {"code", "message", "status", "details"}}."""

    status: str
    message: str
    code: str  # the FcmError detail's errorCode (UNREGISTERED, QUOTA_EXCEEDED, ...), if any
    violations: tuple[tuple[str, str], ...]  # the BadRequest detail's (field, description)

    @classmethod
    def of(cls, response: httpx.Response) -> _FcmError:
        error = json_object(response).get("error")
        if not isinstance(error, dict):
            return cls("", response.text[:200] if response.text else "", "", ())
        code, violations = "", []
        for detail in error.get("details") or []:
            if not isinstance(detail, dict):
                continue
            if detail.get("@type") == _FCM_ERROR:
                code = str(detail.get("errorCode", ""))
            elif detail.get("@type") == _BAD_REQUEST:
                for item in detail.get("fieldViolations") or []:
                    if isinstance(item, dict):
                        violations.append((str(item.get("field", "")), str(item.get("description", ""))))
        return cls(str(error.get("status", "")), str(error.get("message", "")), code, tuple(violations))

    @property
    def about_token(self) -> bool:
        """Whether FCM says the registration token is the invalid argument (not the payload)."""
        if self.violations:
            return any(where == "message.token" for where, _ in self.violations)
        return "registration token" in self.message.lower()


def render(token: str, message: PushMessage, title: str, body: str) -> bytes:
    """The request body of messages:send for one device."""
    notification: dict[str, Any] = {}
    if message.sound:
        notification["sound"] = message.sound
    if message.collapse_key:
        notification["tag"] = message.collapse_key  # replaces the conversation's shown notification
    if message.badge is not None:
        notification["notification_count"] = message.badge
    android: dict[str, Any] = {"priority": "high", "ttl": f"{message.ttl}s", "notification": notification}
    if message.collapse_key:
        android["collapse_key"] = message.collapse_key  # only the latest waits for an offline device
    fcm: dict[str, Any] = {"token": token, "notification": {"title": title, "body": body}}
    if message.data:
        fcm["data"] = dict(message.data)
    fcm["android"] = android
    apns: dict[str, Any] = {}  # for iOS devices that receive through FCM
    if message.collapse_key:
        apns["headers"] = {"apns-collapse-id": collapse_id(message.collapse_key)}
    if aps := aps_extras(message):
        apns["payload"] = {"aps": aps}
    if apns:
        fcm["apns"] = apns
    return json.dumps({"message": fcm}, ensure_ascii=False, separators=(",", ":")).encode()


def load_rsa_key(pem: str) -> rsa.RSAPrivateKey:
    """The service account's signing key; ValueError saying what is wrong otherwise."""
    try:
        key = serialization.load_pem_private_key(pem.strip().encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ValueError(
            "the service account's private_key is not a PEM private key (-----BEGIN PRIVATE KEY----- "
            f"...): was the file edited, or its \\n line breaks lost? Use {_NEW_KEY}"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"the service account's private_key is not RSA, as Google's are: use {_NEW_KEY}")
    return key


def assertion(account: ServiceAccount, key: rsa.RSAPrivateKey, *, issued_at: float) -> str:
    """The JWT exchanged for an access token: RS256, the messaging scope, valid for an hour."""
    header: dict[str, str] = {"alg": "RS256", "typ": "JWT"}
    if account.private_key_id:
        header["kid"] = account.private_key_id
    iat = int(issued_at)
    claims = {
        "iss": account.client_email,
        "scope": SCOPE,
        "aud": account.token_uri,
        "iat": iat,
        "exp": iat + ASSERTION_SECONDS,
    }
    signing_input = f"{b64url(_compact(header))}.{b64url(_compact(claims))}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode('ascii')}.{b64url(signature)}"


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
