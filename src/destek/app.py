"""create_app(settings) -> the ASGI app. Its lifespan starts the database, the bus and the hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from destek import __version__, openapi_spec
from destek.blobs import LocalBlobStore
from destek.bus import make_bus
from destek.config import Settings
from destek.db import Database
from destek.errors import DestekError
from destek.nul_guard import refuse_nul
from destek.state import AppState

log = logging.getLogger(__name__)


def build_state(settings: Settings) -> AppState:
    settings = settings.resolved()
    assert settings.blob_dir is not None
    return AppState(
        settings=settings,
        db=Database(settings.database_url, pool_size=settings.db_pool_size),
        bus=make_bus(settings.redis_url, channel=settings.bus_channel),
        blobs=LocalBlobStore(settings.blob_dir),
    )


@contextlib.asynccontextmanager
async def running(state: AppState, *, web: bool = True) -> AsyncIterator[AppState]:
    """Start what the state needs (bus, realtime hub, housekeeping, consumers) and stop it afterwards.

    `web=False` is `destek worker`: no realtime hub (no websockets to feed) and no group commit (no
    requests to batch); the models are loaded before the consumers start rather than beside them.
    """
    from destek.group_commit import GroupCommitter
    from destek.nlp import registry as nlp
    from destek.realtime.hub import Hub

    await state.bus.start()
    try:
        if web:
            # SQLite has one writer at a time: more lanes would only queue on its lock.
            lanes = 1 if state.settings.is_sqlite else state.settings.write_lanes
            state.group = GroupCommitter(state.db, state.bus, lanes=lanes)
            await state.group.start()
            state.hub = Hub(state)
            await state.hub.start()
        nlp.configure(state.settings.nlp_backend)
        if state.settings.run_consumers:
            from destek.consumers.registry import start_consumers

            if web:
                # Load the models and train the sentiment head now, in a daemon thread, not in the
                # first message, without holding up the server's start.
                threading.Thread(target=nlp.warm_up, name="destek-nlp-warm-up", daemon=True).start()
            else:
                await asyncio.to_thread(nlp.warm_up)
            state.consumers = await start_consumers(state)
        yield state
    finally:
        if state.consumers is not None:
            await state.consumers.stop()
            state.consumers = None
        if state.hub is not None:
            await state.hub.stop()
            state.hub = None
        if state.group is not None:
            await state.group.stop()
            state.group = None
        await state.bus.stop()
        await state.aclose()  # the rate limits' Redis client
        await state.db.dispose()


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    if len(loc) > 2 and loc[0] == "query":
        return str(loc[1])  # a repeated query parameter (?status=a&status=b): its name, not an index
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


# Pydantic prefixes what a validator raises with its kind; the client needs only the reason.
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")


def _message_of(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    for prefix in _PYDANTIC_PREFIXES:
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DestekError)
    async def _destek(_request: Request, exc: DestekError) -> JSONResponse:
        return JSONResponse(exc.as_dict(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": _field_of(e.get("loc", ())), "message": _message_of(e)} for e in exc.errors()]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        body = {
            "error": {
                "code": "invalid",
                "message": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
                "field": first["field"],
                "errors": errors,
            }
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            400: "bad_request",
            401: "unauthorized",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }.get(exc.status_code, "error")
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            from destek.routes import allowed_methods

            headers = {**(headers or {}), "Allow": allowed_methods(request.app, request.scope)}
        return JSONResponse(
            {"error": {"code": code, "message": str(exc.detail)}},
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            {"error": {"code": "internal", "message": "internal error; nothing was changed, try again"}},
            status_code=500,
        )


def create_app(settings: Settings | None = None, *, state: AppState | None = None) -> FastAPI:
    """The whole server. Pass `state` to share one (tests); otherwise it is built from settings."""
    if state is None:
        state = build_state(settings or Settings())
    owned = state

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(owned):
            yield

    app = FastAPI(
        title="Destek API",
        version=__version__,
        lifespan=lifespan,
        description="Agent API (`/api/v1/accounts/{account_id}/...`), public client API "
        "(`/api/v1/public/...`) and websockets (`/ws`, `/api/v1/public/ws`). See docs/api.md.",
        dependencies=[Depends(refuse_nul)],  # 422 for text with NUL, which PostgreSQL cannot store
    )
    app.state.destek = state
    install_error_handlers(app)

    from destek.body_limit import BodyLimit
    from destek.routes import include_routes

    include_routes(app)
    app.add_middleware(BodyLimit, state=state)  # inside CORS: a 413 carries the CORS headers too
    # The public client API is called from customers' pages and apps on any origin; it is
    # authorised by contact tokens, never by cookies.
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=r".*",
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=False,
    )
    openapi_spec.install(app)  # /openapi.json declares each operation's errors
    return app


async def wait_ready(state: AppState) -> dict[str, bool]:
    db_ok, bus_ok = await asyncio.gather(state.db.ping(), state.bus.ping())
    return {"database": db_ok, "bus": bus_ok}
