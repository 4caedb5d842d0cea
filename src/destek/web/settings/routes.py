"""The Settings area's routes, mounted by destek.routes in one line."""

from __future__ import annotations

from fastapi import APIRouter

from destek.web.settings.actions import router as actions_router
from destek.web.settings.helpcenter_pages import router as helpcenter_router
from destek.web.settings.pages import router as pages_router

router = APIRouter()
router.include_router(pages_router)
router.include_router(actions_router)
router.include_router(helpcenter_router)
