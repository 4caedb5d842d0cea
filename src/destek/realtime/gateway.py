"""Websocket endpoints: `/ws` for agents, `/api/v1/public/ws` for contacts.

Protocol (JSON text frames; see docs/api.md):
  client → {"type": "subscribe", ..., "since": <last seq seen or null>}
  server → {"type": "subscribed", "seq": <cursor>, "heartbeat": <seconds>}
           then {"type": "event", "seq": N, "event": {...}} for every event after the cursor, in order,
           then {"type": "caught_up", "seq": <cursor to keep>},
           then live events the same way; {"type": "typing", ...} signals; {"type": "ping"} when idle.
  client → {"type": "ping"} at any time → {"type": "pong"}
  A cursor that is too old gets {"type": "resync", "seq": head, "reason": ...} and close code 4410.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from pydantic import BaseModel, Field, ValidationError
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from destek.accounts import access
from destek.accounts import inboxes as inbox_service
from destek.accounts.access import Credential
from destek.accounts.service import Actor
from destek.channels import service as channels
from destek.contacts import service as contacts
from destek.db import MAX_ID
from destek.deps import SESSION_COOKIE
from destek.errors import DestekError
from destek.realtime.connection import Connection
from destek.realtime.hub import ResyncNeeded, Unavailable
from destek.state import AppState


# Plain Starlette routes, not FastAPI's: no dependency injection is needed here, and FastAPI's
# per-connection machinery would stay alive (and in memory) for the socket's whole life.
def install(app: FastAPI) -> None:
    app.router.routes.append(WebSocketRoute("/ws", agent_socket))
    app.router.routes.append(WebSocketRoute("/api/v1/public/ws", contact_socket))


UNAUTHORIZED = 4001
BAD_FRAME = 4400
RESYNC = 4410
TRY_AGAIN_LATER = 1013
SUBSCRIBE_TIMEOUT = 10.0


class AgentSubscribe(BaseModel):
    type: str = Field(pattern="^subscribe$")
    account_id: int = Field(ge=1, le=MAX_ID)
    token: str | None = None  # an API token; without it the session cookie is used
    since: int | None = Field(default=None, ge=0, le=MAX_ID)


class ContactSubscribe(BaseModel):
    type: str = Field(pattern="^subscribe$")
    inbox: str = Field(min_length=1, max_length=64)  # the inbox's public token
    token: str = Field(min_length=1)  # the contact token
    since: int | None = Field(default=None, ge=0, le=MAX_ID)


class Refused(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


async def _first_frame(websocket: WebSocket) -> dict[str, Any]:
    try:
        text = await asyncio.wait_for(websocket.receive_text(), timeout=SUBSCRIBE_TIMEOUT)
        frame = json.loads(text)
    except TimeoutError:
        raise Refused(UNAUTHORIZED, "send a subscribe frame first") from None
    except (ValueError, KeyError):
        raise Refused(BAD_FRAME, "frames are JSON objects") from None
    if not isinstance(frame, dict):
        raise Refused(BAD_FRAME, "frames are JSON objects")
    return frame


def _same_origin(websocket: WebSocket) -> bool:
    """A cookie-authenticated socket must come from our own pages (no cross-site hijacking)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


async def _agent_actor(
    state: AppState, websocket: WebSocket, frame: AgentSubscribe
) -> tuple[Actor, Credential]:
    async with state.read() as session:
        try:
            if frame.token:
                credential, account_id = await access.token_credential(session, plaintext=frame.token)
                if account_id != frame.account_id:
                    raise Refused(UNAUTHORIZED, "the API token is invalid for this account")
            else:
                cookie = websocket.cookies.get(SESSION_COOKIE)
                found = await access.session_credential(session, cookie=cookie) if cookie else None
                if found is None or not _same_origin(websocket):
                    raise Refused(UNAUTHORIZED, "log in or send an API token")
                credential = found[0]
            actor = await access.authorize(session, credential=credential, account_id=frame.account_id)
            return actor, credential
        except DestekError as exc:
            raise Refused(UNAUTHORIZED, exc.message) from None


async def _serve(state: AppState, websocket: WebSocket, connection: Connection, since: int | None) -> None:
    hub = state.hub
    assert hub is not None
    try:
        cursor, head = await hub.attach(connection, since)
    except ResyncNeeded as exc:
        await connection.send({"type": "resync", "seq": exc.head, "reason": exc.reason})
        await websocket.close(RESYNC, "resync: fetch the state afresh, then subscribe from seq")
        return
    except Unavailable as exc:
        await websocket.close(TRY_AGAIN_LATER, str(exc))
        return
    try:
        await connection.send({"type": "subscribed", "seq": cursor, "heartbeat": connection.heartbeat})
        await hub.replay(connection, cursor, head)
        connection.go_live()
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            try:
                frame = json.loads(message.get("text") or "")
            except ValueError:
                continue  # binary or malformed frames are ignored
            if isinstance(frame, dict) and frame.get("type") == "ping":
                connection.push({"type": "pong"})
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.detach(connection)
        await connection.stop()


@dataclass(frozen=True, slots=True)
class Subscriber:
    """Who a subscribe frame proved to be, and from where it wants events."""

    account_id: int
    since: int | None
    actor: Actor | None = None
    credential: Credential | None = None  # an agent's login session or API token
    contact_id: int | None = None
    inbox_id: int | None = None


Authenticate = Callable[[AppState, WebSocket, dict[str, Any]], Awaitable[Subscriber]]


async def _agent(state: AppState, websocket: WebSocket, raw: dict[str, Any]) -> Subscriber:
    frame = AgentSubscribe.model_validate(raw)
    actor, credential = await _agent_actor(state, websocket, frame)
    return Subscriber(actor.account_id, frame.since, actor=actor, credential=credential)


async def _contact(state: AppState, websocket: WebSocket, raw: dict[str, Any]) -> Subscriber:
    frame = ContactSubscribe.model_validate(raw)
    async with state.read() as session:
        try:
            inbox = await inbox_service.inbox_by_public_token(session, public_token=frame.inbox)
            allowed = _same_origin(websocket) or await channels.contact_origin_allowed(
                session,
                inbox=inbox,
                origin=websocket.headers.get("origin"),
                public_url=state.settings.public_url,
            )
            if not allowed:
                raise Refused(UNAUTHORIZED, "this web site is not in the inbox's allowed domains")
            contact, inbox_id = await contacts.contact_from_token(
                session, state.settings.secret, token=frame.token, inbox=inbox
            )
        except DestekError as exc:
            raise Refused(UNAUTHORIZED, exc.message) from None
    # Plain ids only: the socket may live for hours, and must keep no ORM objects alive.
    return Subscriber(contact.account_id, frame.since, contact_id=contact.id, inbox_id=inbox_id)


async def _run_socket(websocket: WebSocket, authenticate: Authenticate) -> None:
    state: AppState = websocket.app.state.destek
    await websocket.accept()
    try:
        who = await authenticate(state, websocket, await _first_frame(websocket))
    except ValidationError as exc:
        await websocket.close(BAD_FRAME, _first_error(exc))
        return
    except Refused as exc:
        await websocket.close(exc.code, exc.reason)
        return
    connection = Connection(
        websocket,
        account_id=who.account_id,
        actor=who.actor,
        credential=who.credential,
        contact_id=who.contact_id,
        inbox_id=who.inbox_id,
        queue_size=state.settings.ws_queue_size,
        heartbeat=state.settings.ws_heartbeat_seconds,
    )
    await _serve(state, websocket, connection, who.since)


async def agent_socket(websocket: WebSocket) -> None:
    await _run_socket(websocket, _agent)


async def contact_socket(websocket: WebSocket) -> None:
    await _run_socket(websocket, _contact)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error.get("loc", ()))
    return f"{field}: {error.get('msg', 'invalid')}"[:120]
