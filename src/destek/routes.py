"""Every router, mounted in one place."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from destek.deps import StateDep


def include_routes(app: FastAPI) -> None:
    from destek.app import wait_ready

    @app.get("/healthz", tags=["ops"], summary="Liveness and readiness of the database and the bus")
    async def healthz(state: StateDep) -> JSONResponse:
        checks = await wait_ready(state)
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "degraded", **{k: "up" if v else "down" for k, v in checks.items()}},
            status_code=200 if ok else 503,
        )
