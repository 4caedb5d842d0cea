"""Real mail servers on loopback for the e-mail channel's tests: Debian's dovecot (IMAP, with XOAUTH2
through a local RFC 7662 introspection endpoint) and aiosmtpd (SMTP with STARTTLS, implicit TLS, AUTH
PLAIN/LOGIN/XOAUTH2 and switchable failures), plus a self-signed certificate and a small JSON HTTP
server (token and introspection endpoints).

Dovecot runs as a private instance: its own config, sockets, state, log and maildirs in a temp dir,
ports picked free. As root its processes drop to Debian's dovecot/dovenull users and mail belongs to
nobody (dovecot refuses mail access as uid 0); as another user everything runs as that user.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import grp
import imaplib
import ipaddress
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = Path("/usr/sbin/dovecot")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, *, timeout: float = 10.0, alive: Callable[[], bool] = lambda: True) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.02)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port}")


# -- TLS -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certificate(directory: Path) -> Certificate:
    """A self-signed certificate for localhost and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    paths = Certificate(cert=directory / "cert.pem", key=directory / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


# -- a JSON HTTP endpoint --------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]


# (request) -> (status, headers, body); a dict body is sent as JSON.
Answer = Callable[[HttpRequest], tuple[int, dict[str, str], bytes | dict[str, Any]]]


class JsonHttpServer:
    """A threaded HTTP server on 127.0.0.1 answering with `answer`; keeps the requests it got."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[HttpRequest] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                form = {
                    k: v[0] for k, v in urllib.parse.parse_qs(raw.decode(), keep_blank_values=True).items()
                }
                request = HttpRequest(
                    "POST", self.path, form, {k.lower(): v for k, v in self.headers.items()}
                )
                outer.requests.append(request)
                status, headers, body = outer.answer(request)
                if isinstance(body, dict):
                    body = json.dumps(body).encode()
                    headers = {"Content-Type": "application/json; charset=utf-8", **headers}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> JsonHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# -- dovecot ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailUser:
    name: str
    password: str


_CONF = """\
base_dir = {d.root}/run
state_dir = {d.root}/state
instance_name = destek-test-{d.plain_port}
listen = 127.0.0.1
protocols = imap
log_path = {d.root}/dovecot.log
ssl = yes
ssl_cert = <{d.certificate.cert}
ssl_key = <{d.certificate.key}
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login xoauth2 oauthbearer
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
mail_uid = {mail.pw_uid}
mail_gid = {mail.pw_gid}
first_valid_uid = {mail.pw_uid}
mail_location = maildir:{d.root}/mail/%u
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d.root}/oauth2.conf.ext
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {d.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={d.root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {d.plain_port}
  }}
  inet_listener imaps {{
    port = {d.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0  # no growing delay after the tests' deliberate login failures
  }}
}}
"""

# Dovecot asks the introspection endpoint (RFC 7662) whether an XOAUTH2 token is active and whose it is.
_OAUTH2_CONF = """\
introspection_mode = post
introspection_url = {url}/introspect
username_attribute = username
active_attribute = active
active_value = true
"""


class Dovecot:
    """A private dovecot: plain_port (STARTTLS offered) and tls_port (implicit TLS) on 127.0.0.1."""

    def __init__(self, root: Path, certificate: Certificate) -> None:
        self.root = root
        self.certificate = certificate
        self.host = "127.0.0.1"
        self.plain_port = free_port()
        self.tls_port = free_port()
        self.tokens: dict[str, str] = {}  # XOAUTH2 access token -> user name
        self._introspection = JsonHttpServer(self._introspect).__enter__()
        self._process: subprocess.Popen[bytes] | None = None
        # Dovecot re-reads a changed passwd-file at most once a second, so users are made up front.
        self._free_users = [
            MailUser(name=f"user{n}-{secrets.token_hex(3)}", password=secrets.token_urlsafe(12))
            for n in range(200)
        ]

    def start(self) -> None:
        internal, group, login, mail = _process_users()
        (self.root / "mail").mkdir(exist_ok=True)
        os.chown(self.root / "mail", mail.pw_uid, mail.pw_gid)
        passwd = self.root / "passwd"
        if not passwd.exists():
            passwd.write_text("".join(f"{u.name}:{{PLAIN}}{u.password}\n" for u in self._free_users))
        passwd.chmod(0o644)
        config = _CONF.format(d=self, mail=mail, internal=internal, group=group, login=login)
        (self.root / "dovecot.conf").write_text(config)
        (self.root / "oauth2.conf.ext").write_text(_OAUTH2_CONF.format(url=self._introspection.url))
        with (self.root / "stderr.log").open("ab") as stderr:  # the child keeps its own copy
            self._process = subprocess.Popen(
                [str(DOVECOT), "-F", "-c", str(self.root / "dovecot.conf")],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,  # its own process group, so stop() can end every process it made
            )
        try:
            for port in (self.plain_port, self.tls_port):
                wait_for_port(port, alive=lambda: self._process is not None and self._process.poll() is None)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"dovecot did not start:\n{self.log()}") from None

    def stop(self) -> None:
        """End the server: the master and every imap process (a master that stops alone leaves its
        sessions serving), as an outage would."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    def log(self) -> str:
        parts = [p.read_text(errors="replace") for p in (self.root / "stderr.log", self.root / "dovecot.log")]
        return "\n".join(p for p in parts if p)[-20_000:]

    def add_user(self) -> MailUser:
        """A new user with an empty mailbox (tests share the server, never a mailbox)."""
        return self._free_users.pop(0)

    def issue_token(self, user: MailUser) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        self.tokens[token] = user.name
        return token

    # Direct access with the stdlib's imaplib (another client than the one under test).

    @contextlib.contextmanager
    def imap(self, user: MailUser) -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4(self.host, self.plain_port, timeout=10)
        try:
            client.login(user.name, user.password)
            yield client
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def append(self, user: MailUser, raw: bytes, folder: str = "INBOX") -> int:
        """Put a mail in; its UID."""
        with self.imap(user) as client:
            client.create(folder)  # harmless NO when it exists
            status, data = client.append(folder, "", None, raw)
            assert status == "OK", data
            found = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            assert found, data
            return int(found.group(1))

    def flags(self, user: MailUser, uid: int, folder: str = "INBOX") -> set[str] | None:
        """The mail's flags, or None when it is not in the folder."""
        with self.imap(user) as client:
            client.select(folder)
            status, data = client.uid("FETCH", str(uid), "(FLAGS)")
            line = next((d for d in data if isinstance(d, bytes) and b"FLAGS" in d), None)
            if status != "OK" or line is None:
                return None
            found = re.search(rb"FLAGS \(([^)]*)\)", line)
            return set(found.group(1).decode().split()) if found else set()

    def uids(self, user: MailUser, folder: str = "INBOX") -> list[int]:
        with self.imap(user) as client:
            status, _ = client.select(folder)
            if status != "OK":
                return []
            _, data = client.uid("SEARCH", "ALL")
            return [int(n) for n in (data[0] or b"").split()]

    def _introspect(self, request: HttpRequest) -> tuple[int, dict[str, str], dict[str, Any]]:
        user = self.tokens.get(request.form.get("token", ""))
        if user is None:
            return 200, {}, {"active": False}
        return 200, {}, {"active": True, "username": user, "scope": "mail", "token_type": "Bearer"}

    def close(self) -> None:
        self.stop()
        self._introspection.__exit__()


def _process_users() -> tuple[str, str, str, pwd.struct_passwd]:
    """(internal user, its group, login user, mail owner) for dovecot.conf."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, grp.getgrgid(me.pw_gid).gr_name, me.pw_name, me
    users = {p.pw_name: p for p in pwd.getpwall()}
    nobody = users["nobody"]
    internal = users.get("dovecot", nobody)  # Debian's dovecot package makes dovecot and dovenull
    login = users.get("dovenull", internal)
    return internal.pw_name, grp.getgrgid(internal.pw_gid).gr_name, login.pw_name, nobody


@contextlib.contextmanager
def running_dovecot(certificate: Certificate) -> Iterator[Dovecot]:
    """A started dovecot; its log is printed when the block fails."""
    root = Path(tempfile.mkdtemp(prefix="destek-dovecot-"))
    root.chmod(0o755)  # dovecot's unprivileged processes walk into it when the tests run as root
    server = Dovecot(root=root, certificate=certificate)
    try:
        server.start()
        yield server
    except BaseException:
        print(f"--- dovecot log ---\n{server.log()}")
        raise
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)


# -- SMTP ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    login: str | None


class SmtpHandler:
    """Records what arrives; `fail` makes the next RCPT/DATA answer with a code, or drop the line."""

    def __init__(self, users: dict[str, str], tokens: dict[str, str]) -> None:
        self.users = users
        self.tokens = tokens
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}  # recipient -> reply, e.g. "550 5.1.1 user unknown"
        self.faults: dict[str, str] = {}  # "RCPT" | "DATA" -> reply, or "drop"

    def fail(self, stage: str, reply: str) -> None:
        """The next `stage` ("RCPT" or "DATA") answers `reply` ("451 4.3.0 ...") or, if "drop", hangs up."""
        self.faults[stage] = reply

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        fault = self._fault(server, "RCPT") or self.refuse.get(address)
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self._fault(server, "DATA")
        if fault:
            return fault
        content = envelope.original_content or b""
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content, login))
        return "250 2.0.0 OK queued as " + secrets.token_hex(4)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """Google's SASL XOAUTH2: a base64 initial response; a refused token gets a base64 JSON
        challenge, the client answers empty, then 535."""
        if len(args) > 1:
            raw = base64.b64decode(args[1])
        else:
            answer = await server.challenge_auth("")
            raw = answer if isinstance(answer, bytes) else b""
        fields = {
            key: value for key, _, value in (part.partition("=") for part in raw.decode().split("\x01"))
        }
        user, token = fields.get("user", ""), fields.get("auth", "").removeprefix("Bearer ")
        if self.tokens.get(token) == user:
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        error = {"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"}
        await server.challenge_auth(json.dumps(error))
        return AuthResult(
            success=False, handled=False, message="535 5.7.8 Username and Password not accepted."
        )

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(user) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    def _fault(self, server: SMTP, stage: str) -> str | None:
        reply = self.faults.pop(stage, None)
        if reply == "drop":
            assert server.transport is not None
            server.transport.close()
            return "421 4.4.2 closing"
        return reply


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1: starttls_port (STARTTLS; AUTH only after it) and tls_port (implicit TLS)."""

    handler: SmtpHandler
    starttls_port: int
    tls_port: int
    host: str = "127.0.0.1"
    user: str = "agent@lokanta.test"
    password: str = "doğru-parola"

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def reset(self) -> None:
        self.handler.received.clear()
        self.handler.refuse.clear()
        self.handler.faults.clear()
        self.handler.tokens.clear()

    def issue_token(self, user: str) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        self.handler.tokens[token] = user
        return token


@contextlib.contextmanager
def running_smtp(certificate: Certificate) -> Iterator[SmtpServer]:
    handler = SmtpHandler(users={SmtpServer.user: SmtpServer.password}, tokens={})
    common: dict[str, Any] = {"hostname": "127.0.0.1", "server_hostname": "localhost"}
    common["authenticator"] = handler.authenticate
    starttls = Controller(
        handler, port=free_port(), tls_context=certificate.server_context(), auth_require_tls=True, **common
    )
    # aiosmtpd knows TLS only from STARTTLS; this listener is TLS from the first byte, so AUTH is safe.
    implicit = Controller(
        handler, port=free_port(), ssl_context=certificate.server_context(), auth_require_tls=False, **common
    )
    starttls.start()
    try:
        implicit.start()
        try:
            yield SmtpServer(handler=handler, starttls_port=starttls.port, tls_port=implicit.port)
        finally:
            implicit.stop()
    finally:
        starttls.stop()
