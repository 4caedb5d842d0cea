"""Every UI text has its Turkish translation: a Turkish screen shows no English words.

The texts are read from the sources: `_("...")` and `ngettext("...")` in the templates (which use every
catalog), and `t("...")` in each area's scripts (which get their own area's catalog only:
static/<area>/ reads locale/tr/<area>.po; the profile's scripts share the settings' helpers and read
profile.po)."""

from __future__ import annotations

import re
from pathlib import Path

from destek.web import i18n

WEB = Path(i18n.__file__).parent
TEMPLATE_TEXT = re.compile(
    r"""(?<![\w.])(?:_|gettext|ngettext)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
)
SCRIPT_TEXT = re.compile(r"""(?<![\w.])t\(\s*"((?:[^"\\]|\\.)*)\"""")
# The scripts of an area and the catalog their page gives them.
SCRIPT_CATALOGS = {"dashboard": "dashboard", "settings": "settings", "profile": "profile", "widget": "widget"}


def _missing(texts: dict[str, set[str]], catalog: dict[str, str | tuple[str, ...]]) -> list[str]:
    return sorted(
        f"{where}: {text!r}" for where, found in texts.items() for text in found if text not in catalog
    )


def test_every_template_text_is_translated() -> None:
    texts: dict[str, set[str]] = {}
    for path in sorted((WEB / "templates").rglob("*.html")):
        found = {a or b for a, b in TEMPLATE_TEXT.findall(path.read_text(encoding="utf-8"))}
        texts[str(path.relative_to(WEB))] = found
    assert sum(len(found) for found in texts.values()) > 300  # the pattern still finds them
    assert _missing(texts, i18n._merged("tr")) == []


def test_every_script_text_is_in_its_pages_catalog() -> None:
    counted = 0
    for area, domain in SCRIPT_CATALOGS.items():
        catalog = i18n._catalog("tr", domain)
        texts = {
            str(path.relative_to(WEB)): set(SCRIPT_TEXT.findall(path.read_text(encoding="utf-8")))
            for path in sorted((WEB / "static" / area).glob("*.js"))
        }
        counted += sum(len(found) for found in texts.values())
        assert _missing(texts, catalog) == [], area
    assert counted > 50
