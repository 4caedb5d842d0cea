"""Every router, mounted in one place."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.types import Scope

from destek.deps import StateDep


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["up", "down"]
    bus: Literal["up", "down"]


def include_routes(app: FastAPI) -> None:
    from destek.accounts.api import router as accounts_router
    from destek.app import wait_ready
    from destek.canned.api import router as canned_router
    from destek.channels import registry
    from destek.channels.api import router as channels_router
    from destek.channels.hooks import router as hooks_router
    from destek.contacts.api import router as contacts_router
    from destek.conversations.api import router as conversations_router
    from destek.conversations.files_api import router as files_router
    from destek.conversations.merge_api import router as merge_router
    from destek.ratings import api as ratings_api
    from destek.realtime import gateway
    from destek.realtime.events_api import router as events_router
    from destek.sla.api import router as calendars_router
    from destek.web import assets
    from destek.web.widget import pages as widget_pages

    @app.get(
        "/healthz",
        tags=["ops"],
        summary="Liveness and readiness of the database and the bus",
        responses={
            200: {"model": Health, "description": "Everything is up"},
            503: {"model": Health, "description": "The database or the bus is down"},
        },
    )
    async def healthz(state: StateDep) -> JSONResponse:
        checks = await wait_ready(state)
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "degraded", **{k: "up" if v else "down" for k, v in checks.items()}},
            status_code=200 if ok else 503,
        )

    app.include_router(accounts_router)
    app.include_router(contacts_router)
    app.include_router(conversations_router)
    app.include_router(merge_router)
    app.include_router(canned_router)
    for channel_router in registry.routers():
        app.include_router(channel_router)
    app.include_router(channels_router)
    app.include_router(hooks_router)
    app.include_router(ratings_api.router)
    app.include_router(calendars_router)
    app.include_router(files_router)
    gateway.install(app)
    app.include_router(events_router)
    app.include_router(_bot_router())
    assets.install(app)
    # UI areas (dashboard, widget, help center) mount below, one line each.
    _include_dashboard(app)
    _include_helpcenter(app)
    app.include_router(widget_pages.router)
    app.include_router(_settings_router())


def allowed_methods(app: FastAPI, scope: Scope) -> str:
    """The Allow header of a 405: every method of every route at this path. Starlette's names only the
    methods of the first route whose path matched, when several routes share a path."""
    root = scope.get("root_path", "")
    path: str = scope["path"].removeprefix(root) if root else scope["path"]
    methods: set[str] = set()
    # Included routers stay nested in FastAPI: iter_route_contexts sees each route with its prefix.
    for route in iter_route_contexts(app.routes):
        route_methods: set[str] | None = route.methods
        if route_methods and route.path_regex.match(path):
            methods |= route_methods
    return ", ".join(sorted(methods))


def _include_dashboard(app: FastAPI) -> None:
    from destek.web.dashboard.api import router as dashboard_api
    from destek.web.dashboard.views import router as dashboard_pages
    from destek.web.profile.views import router as profile_pages

    app.include_router(dashboard_api)
    app.include_router(dashboard_pages)
    app.include_router(profile_pages)


def _bot_router() -> APIRouter:
    from destek.bot.api import router

    return router


def _include_helpcenter(app: FastAPI) -> None:
    from destek.helpcenter.api import router as helpcenter_api
    from destek.helpcenter.pages import router as helpcenter_pages
    from destek.helpcenter.suggestions_api import router as question_suggestions

    app.include_router(helpcenter_api)
    app.include_router(question_suggestions)
    app.include_router(helpcenter_pages)


def _settings_router() -> APIRouter:
    from destek.web.settings.routes import router

    return router
