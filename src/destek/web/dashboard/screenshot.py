"""Save a picture of the dashboard with the demo data: `python -m destek.web.dashboard.screenshot`.

Starts a server on a scratch SQLite database with the demo loaded, logs in as the demo's owner in
Chromium (Debian's /usr/bin/chromium, driven by Playwright, a development dependency) and saves
docs/images/dashboard.png at 1280×800 with a conversation open. Options: --out, --width, --height,
--locale (the browser's, e.g. tr-TR), --ui-locale (en or tr), --number (the conversation to open).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path

from destek import migrate
from destek.app import build_state, create_app, running
from destek.config import Settings
from destek.demo import OWNER_EMAIL, PASSWORD, load_demo

CHROMIUM = os.environ.get("DESTEK_CHROMIUM", "/usr/bin/chromium")
DEFAULT_OUT = Path(__file__).resolve().parents[4] / "docs" / "images" / "dashboard.png"


async def capture(
    out: Path, scratch: str, *, width: int, height: int, locale: str, ui_locale: str, number: int
) -> None:
    import uvicorn
    from playwright.async_api import async_playwright

    # The scratch database was migrated by main(), outside the event loop.
    url = f"sqlite+aiosqlite:///{scratch}/demo.db"
    settings = Settings(database_url=url, data_dir=Path(scratch), run_consumers=False)
    state = build_state(settings)
    async with running(state):
        info = await load_demo(state)
        config = uvicorn.Config(create_app(state=state), host="127.0.0.1", port=0, log_level="warning")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()  # it failed to start: say why
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                context = await browser.new_context(
                    viewport={"width": width, "height": height}, locale=locale
                )
                page = await context.new_page()
                await page.goto(f"{base}/login")
                await page.fill("#email", OWNER_EMAIL)
                await page.fill("#password", PASSWORD)
                await page.click("#login-form button[type=submit]")
                await page.wait_for_url("**/app/**")
                # The demo's owner works in Turkish; the picture shows the UI language asked for.
                await page.request.put(
                    f"{base}/api/v1/profile/locale",
                    data={"locale": ui_locale},
                    headers={"X-Requested-With": "screenshot"},
                )
                await page.goto(f"{base}/app/{info.account_id}/conversations/{number}")
                await page.wait_for_selector("#messages .msg")
                await page.wait_for_selector("#contact-pane .contact-card", state="attached")
                await page.wait_for_selector('#connection[data-state="live"]', state="attached")
                await page.wait_for_timeout(300)
                out.parent.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(out))
                await browser.close()
        finally:
            server.should_exit = True
            await task
    print(f"saved {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--locale", default="en-US", help="the browser's language")
    parser.add_argument("--ui-locale", default="en", choices=["en", "tr"], help="the agent's UI language")
    parser.add_argument("--number", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        migrate.upgrade(f"sqlite+aiosqlite:///{scratch}/demo.db")
        asyncio.run(
            capture(
                args.out,
                scratch,
                width=args.width,
                height=args.height,
                locale=args.locale,
                ui_locale=args.ui_locale,
                number=args.number,
            )
        )


if __name__ == "__main__":
    main()
