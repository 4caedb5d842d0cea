"""Local stand-ins for Google's OAuth token endpoint, FCM HTTP v1 and APNs, answering as the providers'
public docs describe (tests/fixtures/push/README.md names the pages the answers were rewritten from).

All of them run on one small HTTP/2 server: h2 over TLS with ALPN "h2" only and a self-signed certificate
made at test time, so a client that does not speak HTTP/2 gets nothing, as from APNs. They check what the
real services check: the RS256 assertion against the service account's public key, the bearer tokens
they issued, the ES256 provider token against the .p8's public key, and each request's shape. A wrong
request the docs give no answer for lands in `problems`, which `serving` asserts empty.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import functools
import ipaddress
import json
import re
import secrets
import ssl
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs

import h2.config
import h2.connection
import h2.events
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID


class Clock:
    """A settable time source shared by a client and the fake it talks to."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# Keys and certificates are made once per test run, never stored.
@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """The key as PKCS#8 PEM: the shape of a service-account private_key and of an APNs .p8 file."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@functools.cache
def _certificate() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem(key)


def client_tls() -> ssl.SSLContext:
    """A client context that trusts the fakes' certificate (and nothing else)."""
    return ssl.create_default_context(cadata=_certificate()[0])


def _server_tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as folder:  # the ssl module loads certificates from files only
        cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert.write_text(_certificate()[0])
        key.write_text(_certificate()[1])
        context.load_cert_chain(cert, key)
    context.set_alpn_protocols(["h2"])
    return context


@dataclass
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]  # lower-case names, pseudo-headers left out
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, value: object, **headers: str) -> Reply:
    body = json.dumps(value, ensure_ascii=False).encode()
    named = {key.replace("_", "-"): text for key, text in headers.items()}
    return Reply(status, body, {"content-type": "application/json; charset=UTF-8", **named})


class H2Server:
    """Serves `handler` over HTTP/2 with TLS on 127.0.0.1, one request at a time per connection."""

    def __init__(self, handler: Callable[[Request], Reply]) -> None:
        self.handler = handler
        self.protocols: list[str | None] = []  # the ALPN protocol of each connection
        self.crashes: list[str] = []  # exceptions of the handler (answered 500) or of HTTP/2
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> H2Server:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0, ssl=_server_tls())
        self.url = f"https://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            protocol = writer.get_extra_info("ssl_object").selected_alpn_protocol()
            self.protocols.append(protocol)
            if protocol == "h2":
                await self._serve(reader, writer)
        except (ConnectionError, ssl.SSLError):
            pass
        except Exception as exc:  # an HTTP/2 protocol error: the test fails on `crashes`
            self.crashes.append(repr(exc))
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        conn = h2.connection.H2Connection(config=config)
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        requests: dict[int, Request] = {}
        while data := await reader.read(65536):
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived) and event.stream_id is not None:
                    headers = [(str(key), str(value)) for key, value in event.headers or []]
                    pseudo = {key: value for key, value in headers if key.startswith(":")}
                    plain = [(key, value) for key, value in headers if not key.startswith(":")]
                    requests[event.stream_id] = Request(pseudo[":method"], pseudo[":path"], plain)
                elif isinstance(event, h2.events.DataReceived) and event.stream_id is not None:
                    requests[event.stream_id].body += event.data or b""
                    conn.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id is not None:
                    self._answer(conn, event.stream_id, requests.pop(event.stream_id))
                elif isinstance(event, h2.events.StreamReset) and event.stream_id is not None:
                    requests.pop(event.stream_id, None)
            writer.write(conn.data_to_send())
            await writer.drain()

    def _answer(self, conn: h2.connection.H2Connection, stream_id: int, request: Request) -> None:
        try:
            reply = self.handler(request)
        except Exception as exc:  # a bug of the fake: the test fails on `crashes`, not on a hang
            self.crashes.append(repr(exc))
            reply = Reply(500)
        headers = [(":status", str(reply.status)), *reply.headers.items()]
        conn.send_headers(stream_id, [*headers, ("content-length", str(len(reply.body)))], not reply.body)
        for start in range(0, len(reply.body), 16384):  # the default largest frame
            conn.send_data(stream_id, reply.body[start : start + 16384], start + 16384 >= len(reply.body))


class Fake(Protocol):
    url: str
    problems: list[str]

    def handle(self, request: Request) -> Reply: ...


@contextlib.asynccontextmanager
async def serving(fake: Fake) -> AsyncIterator[H2Server]:
    """Runs `fake` on a local HTTP/2 server; afterwards asserts it saw nothing the docs rule out."""
    async with H2Server(fake.handle) as server:
        fake.url = server.url
        yield server
    assert server.crashes == []
    assert fake.problems == []


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def split_jwt(jwt: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes] | None:
    """(header, claims, signing input, signature) of a compact JWT, None when it is not one."""
    parts = jwt.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = json.loads(b64decode(parts[0])), json.loads(b64decode(parts[1]))
        signature = b64decode(parts[2])
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, f"{parts[0]}.{parts[1]}".encode(), signature


def http_date(when: float) -> str:
    return datetime.datetime.fromtimestamp(when, datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


# --- Google: the OAuth 2.0 token endpoint and FCM HTTP v1 -------------------------------------------

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
RESERVED_DATA = re.compile(r"from|(google|gcm).*")  # ErrorCode, INVALID_ARGUMENT: "Invalid data key"
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
# The message fields the fake knows (FCM refuses unknown names: a typo in the sender shows here).
FCM_FIELDS = {
    "message": {"token", "notification", "data", "android", "apns"},
    "message.notification": {"title", "body", "image"},
    "message.android": {"collapse_key", "priority", "ttl", "notification", "data"},
    "message.android.notification": {"title", "body", "sound", "tag", "notification_count", "channel_id"},
    "message.apns": {"headers", "payload"},
}


def fcm_error(code: int, status: str, message: str, error_code: str | None = None, **headers: str) -> Reply:
    details: list[dict[str, Any]] = [{"@type": FCM_ERROR, "errorCode": error_code}] if error_code else []
    return json_reply(
        code, {"error": {"code": code, "message": message, "status": status, "details": details}}, **headers
    )


def invalid_argument(violations: list[tuple[str, str]]) -> Reply:
    bad = {"@type": BAD_REQUEST, "fieldViolations": [{"field": f, "description": d} for f, d in violations]}
    error = {"code": 400, "message": violations[0][1], "status": "INVALID_ARGUMENT", "details": [bad]}
    return json_reply(400, {"error": error})


# Device tokens whose answer depends on FCM's side, keyed by the token, as the ErrorCode reference shows.
FCM_ANSWERS: dict[str, Callable[[float], Reply]] = {
    "unregistered-token": lambda now: fcm_error(
        404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"
    ),
    "garbled-token": lambda now: fcm_error(
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
        "INVALID_ARGUMENT",
    ),
    "quota-token": lambda now: fcm_error(
        429, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages.", "QUOTA_EXCEEDED", retry_after="60"
    ),
    "overloaded-token": lambda now: fcm_error(
        503,
        "UNAVAILABLE",
        "The service is currently unavailable.",
        "UNAVAILABLE",
        retry_after=http_date(now + 30),
    ),
    "internal-token": lambda now: fcm_error(500, "INTERNAL", "Internal error encountered.", "INTERNAL"),
    "ios-token": lambda now: fcm_error(
        401, "UNAUTHENTICATED", "Auth error from APNS or Web Push Service", "THIRD_PARTY_AUTH_ERROR"
    ),
    "other-project-token": lambda now: fcm_error(
        403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH"
    ),
}


class FakeGoogle:
    """POST /token (the JWT-bearer grant) and POST /v1/projects/{project}/messages:send."""

    def __init__(self, clock: Clock, *, project_id: str = "destek-test") -> None:
        self.clock = clock
        self.project_id = project_id
        self.client_email = f"push-sender@{project_id}.iam.gserviceaccount.com"
        self.key_id = secrets.token_hex(20)
        self.url = ""
        self.exchanges = 0  # access tokens issued
        self.issued: dict[str, float] = {}  # access token -> when it expires
        self.refuse_tokens = False  # answer 401 to every access token (as for a disabled account)
        self.messages: list[dict[str, Any]] = []  # accepted messages, as sent
        self.bodies: list[bytes] = []
        self.problems: list[str] = []

    def key_file(self, key: rsa.RSAPrivateKey | None = None) -> str:
        """The JSON of the service account's key file, as the Firebase console downloads it."""
        email = self.client_email
        return json.dumps(
            {
                "type": "service_account",
                "project_id": self.project_id,
                "private_key_id": self.key_id,
                "private_key": pem(key or rsa_key()),
                "client_email": email,
                "client_id": "104729436582136482910",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": f"{self.url}/token",
                "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
                "client_x509_cert_url": f"https://www.googleapis.com/robot/v1/metadata/x509/{email}",
                "universe_domain": "googleapis.com",
            },
            indent=2,
        )

    def revoke_tokens(self) -> None:
        self.issued.clear()

    def handle(self, request: Request) -> Reply:
        if request.method == "POST" and request.path == "/token":
            return self._token(request)
        if request.method == "POST" and request.path == f"/v1/projects/{self.project_id}/messages:send":
            return self._send(request)
        return fcm_error(404, "NOT_FOUND", "Requested entity was not found.")

    def _token(self, request: Request) -> Reply:
        if request.header("content-type") != "application/x-www-form-urlencoded":
            self.problems.append(f"token request of type {request.header('content-type')}")
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER:
            return self._oauth_error(
                "unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type')}"
            )
        parts = split_jwt(form.get("assertion", ""))
        if parts is None:
            return self._oauth_error("invalid_grant", "Invalid JWT Signature.")
        header, claims, signed, signature = parts
        try:
            if header.get("alg") != "RS256" or header.get("kid", self.key_id) != self.key_id:
                raise InvalidSignature
            rsa_key().public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return self._oauth_error("invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != self.client_email:
            return self._oauth_error("invalid_grant", "Invalid grant: account not found")
        if claims.get("aud") != f"{self.url}/token":
            return self._oauth_error("invalid_grant", "Invalid JWT: Failed audience check.")
        if FCM_SCOPE not in str(claims.get("scope", "")).split():
            return self._oauth_error("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        iat, exp, now = claims.get("iat"), claims.get("exp"), self.clock()
        if not (
            isinstance(iat, int) and isinstance(exp, int) and exp - iat <= 3600 and iat - 300 <= now < exp
        ):
            return self._oauth_error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                "Check your iat and exp values in the JWT claim.",
            )
        self.exchanges += 1
        token = f"ya29.{secrets.token_urlsafe(48)}"
        self.issued[token] = now + 3599
        return json_reply(
            200,
            {"access_token": token, "expires_in": 3599, "token_type": "Bearer"},
            cache_control="no-cache, no-store, max-age=0, must-revalidate",
        )

    def _oauth_error(self, error: str, description: str) -> Reply:
        return json_reply(400, {"error": error, "error_description": description})

    def _send(self, request: Request) -> Reply:
        scheme, _, token = (request.header("authorization") or "").partition(" ")
        now = self.clock()
        if scheme != "Bearer" or self.issued.get(token, 0) <= now or self.refuse_tokens:
            return fcm_error(
                401,
                "UNAUTHENTICATED",
                UNAUTHENTICATED,
                www_authenticate='Bearer realm="https://accounts.google.com/", error="invalid_token"',
            )
        if not (request.header("content-type") or "").startswith("application/json"):
            self.problems.append(f"message of type {request.header('content-type')}")
        try:
            message = json.loads(request.body)["message"]
        except (ValueError, KeyError, TypeError):
            return invalid_argument([("message", "Invalid JSON payload received.")])
        if len(request.body) > 4096:
            return invalid_argument([("message", "Message is too big")])
        violations = self._violations(message)
        if violations:
            return invalid_argument(violations)
        if message["token"] in FCM_ANSWERS:
            return FCM_ANSWERS[message["token"]](now)
        self.messages.append(message)
        self.bodies.append(request.body)
        name = f"projects/{self.project_id}/messages/0:{int(now * 1000)}%{secrets.token_hex(8)}"
        return json_reply(200, {"name": name})

    def _violations(self, message: Any) -> list[tuple[str, str]]:
        found = [
            (
                where,
                f"Invalid JSON payload received. Unknown name \"{name}\" at '{where}': Cannot find field.",
            )
            for where, known in FCM_FIELDS.items()
            for name in _at(message, where)
            if name not in known
        ]
        if not isinstance(message.get("token"), str) or not message["token"]:
            found.append(("message", "Recipient of the message is not set."))
        for index, (key, value) in enumerate(dict(message.get("data") or {}).items()):
            if not isinstance(value, str):
                found.append(
                    (
                        f"message.data[{index}].value",
                        f"Invalid value at 'message.data[{index}].value' (TYPE_STRING), {value}",
                    )
                )
            if RESERVED_DATA.fullmatch(key.lower()):
                found.append(("message.data", f"Invalid data key: {key} is reserved"))
        android = message.get("android") or {}
        if str(android.get("priority", "normal")).lower() not in ("normal", "high"):
            found.append(("message.android.priority", f"Invalid value: {android['priority']}"))
        if not re.fullmatch(r"\d+(\.\d{1,9})?s", str(android.get("ttl", "0s"))):
            found.append(("message.android.ttl", f"Invalid value: {android['ttl']}"))
        return found


def _at(message: Any, where: str) -> list[str]:
    """The field names of the object at dotted path `where` (from "message"), [] when there is none."""
    node = message
    for step in where.split(".")[1:]:
        node = node.get(step) if isinstance(node, dict) else None
    return list(node) if isinstance(node, dict) else []


# --- APNs: the provider API, token-based -------------------------------------------------------------

PUSH_TYPES = {
    "alert",
    "background",
    "location",
    "voip",
    "complication",
    "fileprovider",
    "mdm",
    "liveactivity",
    "pushtotalk",
    "widgets",
}
APNS_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Device tokens whose answer depends on APNs' side ("Handling notification responses from APNs").
GONE, THROTTLED, BROKEN, SHUTTING_DOWN = ("0a" * 32, "0b" * 32, "0c" * 32, "0d" * 32)
APNS_ANSWERS: dict[str, Callable[[float], tuple[int, dict[str, Any]]]] = {
    GONE: lambda now: (410, {"reason": "Unregistered", "timestamp": int(now - 86400) * 1000}),
    THROTTLED: lambda now: (429, {"reason": "TooManyRequests"}),
    BROKEN: lambda now: (500, {"reason": "InternalServerError"}),
    SHUTTING_DOWN: lambda now: (503, {"reason": "Shutdown"}),
}


class FakeApns:
    """POST /3/device/{token} with a provider token (JWT, ES256) for the team's key."""

    def __init__(self, clock: Clock, *, topic: str = "com.destek.app", sandbox: bool = False) -> None:
        self.clock = clock
        self.topic = topic
        self.sandbox = sandbox
        self.key_id, self.team_id = "KEY4DESTEK", "TEAM4DESTK"  # 10 characters, as Apple's
        self.url = ""
        self.devices: dict[str, str] = {}  # device token -> the app (topic) it was registered for
        self.presented: list[str] = []  # distinct provider tokens, in the order first presented
        self.accepted: list[str] = []  # of them, those accepted
        self.expired: set[str] = set()  # provider tokens to answer ExpiredProviderToken
        self.expire_every_token = False
        self.notifications: list[tuple[dict[str, str], dict[str, Any]]] = []  # accepted (headers, payload)
        self.problems: list[str] = []
        self._renewal_due = False  # told the provider its token expired: a new one is welcome at once
        self._since = 0.0  # when the latest accepted provider token was first presented

    def device(self, topic: str | None = None) -> str:
        token = secrets.token_hex(32)
        self.devices[token] = topic or self.topic
        return token

    def handle(self, request: Request) -> Reply:
        apns_id = request.header("apns-id") or str(uuid.uuid4())
        status, body = self._verdict(request)
        headers = {"apns-id": apns_id}
        if self.sandbox:
            headers["apns-unique-id"] = str(uuid.uuid4())
        if status == 200:
            return Reply(200, b"", headers)
        return json_reply(status, body, **{key.replace("-", "_"): value for key, value in headers.items()})

    def _verdict(self, request: Request) -> tuple[int, dict[str, Any]]:
        now = self.clock()
        if request.method != "POST":
            return 405, {"reason": "MethodNotAllowed"}
        path = re.fullmatch(r"/3/device/([^/?]*)", request.path)
        if path is None:
            return 404, {"reason": "BadPath"}
        names = [name for name, _ in request.headers]
        if any(
            names.count(name) > 1 for name in names if name.startswith("apns-") or name == "authorization"
        ):
            return 400, {"reason": "DuplicateHeaders"}
        scheme, _, jwt = (request.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not jwt:
            return 403, {"reason": "MissingProviderToken"}
        if jwt not in self.presented:
            self.presented.append(jwt)
        refused = self._check_provider_token(jwt, now)
        if refused:
            return 429 if refused == "TooManyProviderTokenUpdates" else 403, {"reason": refused}
        topic, device = request.header("apns-topic"), path.group(1)
        checks = [
            (not topic, "MissingTopic"),
            (request.header("apns-push-type") not in PUSH_TYPES, "InvalidPushType"),
            (request.header("apns-priority") not in (None, "1", "5", "10"), "BadPriority"),
            (not re.fullmatch(r"\d+", request.header("apns-expiration") or "0"), "BadExpirationDate"),
            (not APNS_ID.fullmatch(request.header("apns-id") or str(uuid.uuid4())), "BadMessageId"),
            (len((request.header("apns-collapse-id") or "").encode()) > 64, "BadCollapseId"),
            (not device, "MissingDeviceToken"),
        ]
        for failed, reason in checks:
            if failed:
                return 400, {"reason": reason}
        if device in APNS_ANSWERS:
            return APNS_ANSWERS[device](now)
        if device not in self.devices:
            return 400, {"reason": "BadDeviceToken"}
        if self.devices[device] != topic:
            return 400, {"reason": "DeviceTokenNotForTopic"}
        if not request.body:
            return 400, {"reason": "PayloadEmpty"}
        if len(request.body) > 4096:
            return 413, {"reason": "PayloadTooLarge"}
        try:
            payload = json.loads(request.body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict) or not isinstance(payload.get("aps"), dict):
            self.problems.append(f"payload without an aps dictionary: {request.body[:100]!r}")
            return 400, {"reason": "PayloadEmpty"}
        self.notifications.append((dict(request.headers), payload))
        return 200, {}

    def _check_provider_token(self, jwt: str, now: float) -> str | None:
        """None when the provider token is good, else APNs' reason for refusing it."""
        parts = split_jwt(jwt)
        if parts is None:
            return "InvalidProviderToken"
        header, claims, signed, signature = parts
        if header.get("alg") != "ES256" or header.get("kid") != self.key_id or len(signature) != 64:
            return "InvalidProviderToken"
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        try:
            ec_key().public_key().verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "InvalidProviderToken"
        iat = claims.get("iat")
        if claims.get("iss") != self.team_id or not isinstance(iat, int) or iat > now + 60:
            return "InvalidProviderToken"
        if now - iat > 3600 or jwt in self.expired or self.expire_every_token:
            self._renewal_due = True
            return "ExpiredProviderToken"
        if jwt not in self.accepted:
            if self.accepted and not self._renewal_due and now - self._since < 20 * 60:
                return "TooManyProviderTokenUpdates"
            self.accepted.append(jwt)
            self._since, self._renewal_due = now, False
        return None
