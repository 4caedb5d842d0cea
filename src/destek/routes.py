"""Every router, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from destek.deps import StateDep


def include_routes(app: FastAPI) -> None:
    from destek.accounts.api import router as accounts_router
    from destek.app import wait_ready
    from destek.channels.widget.api import router as public_router
    from destek.contacts.api import router as contacts_router
    from destek.conversations.api import router as conversations_router
    from destek.conversations.files_api import router as files_router
    from destek.realtime import gateway
    from destek.realtime.events_api import router as events_router

    @app.get("/healthz", tags=["ops"], summary="Liveness and readiness of the database and the bus")
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
    app.include_router(public_router)
    app.include_router(files_router)
    gateway.install(app)
    app.include_router(events_router)
