"""Server-rendered HTML: one Jinja2 environment over web/templates/, with gettext per request.

Each UI area keeps its templates in its own folder (templates/dashboard/, templates/settings/,
templates/widget/, templates/helpcenter/). Autoescape is on for every template: text from customers
and agents is always shown as text.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from destek.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Placeholders for templates rendered without a locale; render() passes the request's own.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.globals["static_url"] = static_url
    return env


@functools.cache
def _asset_version(path: str) -> str:
    file = STATIC / path
    return str(int(file.stat().st_mtime)) if file.exists() else "0"


def static_url(path: str) -> str:
    """/static/<path>?v=<mtime>: cache-busted so the long cache headers never serve stale code."""
    return f"/static/{path}?v={_asset_version(path)}"


def render_string(template: str, locale: str, **context: Any) -> str:
    translations = i18n.translations(locale)
    return (
        environment()
        .get_template(template)
        .render(
            gettext=translations.gettext,
            ngettext=translations.ngettext,
            _=translations.gettext,
            locale=locale,
            **context,
        )
    )


def render(
    request: Request,
    template: str,
    *,
    locale: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a template for this request; the locale defaults to the browser's Accept-Language."""
    chosen = locale or i18n.negotiate(accept_language=request.headers.get("accept-language"))
    html = render_string(template, chosen, request=request, **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)
