"""What the real-browser tests share: the dashboard started as `spiegel dashboard` starts it, Debian's chromium,
the console errors a page produced, and a folder that keeps every screenshot after the run.

Screenshots go to `test-artifacts/screenshots/` in the checkout (ignored by git), or to the folder named in
`SPIEGEL_TEST_ARTIFACTS`, so a reviewer can look at every page after a run (CI can upload the folder).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

from dashboard.launch import APP, dashboard_command, dashboard_env, stop, wait_healthy

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]


def artifacts(kind: str = "screenshots") -> Path:
    folder = Path(os.environ.get("SPIEGEL_TEST_ARTIFACTS") or REPO / "test-artifacts") / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard(db: Path, log_path: Path) -> Iterator[str]:
    """The dashboard exactly as `run_dashboard` starts it, on a free port; always stopped afterwards."""
    port = free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            dashboard_command(port),
            env=dashboard_env(db),
            cwd=str(APP.parent),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert wait_healthy(port, timeout_s=120, proc=proc), log_path.read_text()
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(proc)


class Console:
    """Every console error and uncaught exception of a page, none excepted: the 404s a page opened at its own
    address used to log (Streamlit bug #7074) are gone since dashboard/base_url.py."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _message(self, message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        self.errors.append(f"{message.text} ({where})")


@contextlib.contextmanager
def dashboard_page(db: Path, log_path: Path, **page_options) -> Iterator[tuple[str, object, Console]]:
    """(server address, page, its console) of a chromium page beside the dashboard on `db`; the browser and
    the dashboard are closed afterwards, also when the test fails."""
    import playwright.sync_api as playwright

    with dashboard(db, log_path) as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, **page_options)
            yield server, page, Console(page)
        finally:
            browser.close()


#: How long one browser action may wait (Playwright's default is 30 s). In two test workers a Streamlit rerun
#: can wait beside the speech model on the other worker; a click then timed out once at 30 s.
ACTION_TIMEOUT_MS = 90_000


def new_page(browser, **options):
    """A page of `browser` (or of a browser context) whose actions wait up to ACTION_TIMEOUT_MS."""
    page = browser.new_page(**options)
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    return page


def idle(page, timeout_ms: int = ACTION_TIMEOUT_MS) -> None:
    """Wait until Streamlit has finished its current run (no element still marked stale, no skeleton)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-stale=true]')"
        " && !document.querySelector('[data-testid=stSkeleton]')",
        timeout=timeout_ms,
    )


def click_when_still(page, name: str, pause_ms: int = 1_500, tries: int = 4) -> None:
    """Click the button `name` once Streamlit's run is over and the page around it has stopped moving.

    After a change the charts above redraw and the panel moves; a rerun can also replace the button between
    finding and clicking it ("Element is not attached to the DOM"): then find it again and retry."""
    from playwright.sync_api import Error as PlaywrightError

    button = page.get_by_role("button", name=name)
    for attempt in range(tries):
        try:
            idle(page)
            button.scroll_into_view_if_needed()
            page.wait_for_timeout(pause_ms)
            button.click()
            return
        except PlaywrightError as error:
            if attempt == tries - 1 or "not attached" not in str(error):
                raise
            page.wait_for_timeout(1_000)


def settle(page, heading: str, timeout_ms: int = 60_000) -> None:
    """Wait for the page's heading, then for Streamlit to finish the run (no element still marked stale)."""
    try:
        page.get_by_role("heading", name=heading).first.wait_for(timeout=timeout_ms)
    except Exception as error:  # say where the page went (a redirect to the overview was such a failure)
        page.screenshot(path=str(artifacts("failures") / "settle.png"), full_page=True)
        raise AssertionError(f"heading {heading!r} not shown; the page is at {page.url}") from error
    idle(page, timeout_ms)
    page.wait_for_timeout(1500)  # charts and tables draw after the last message


def visible_text(page, skip: str = "") -> str:
    """The text a person sees: the page's rendered text, plus the table cells and headers (the table is drawn
    on a canvas; its cells are in the page for screen readers), less the elements matching `skip`. Icons are
    left out: a Material icon is a ligature, its name ("upload", "search") is text but shows as a picture."""
    selector = "[data-testid=stIconMaterial]" + (", " + skip if skip else "")
    return page.evaluate(
        """(selector) => {
            const hidden = [...document.querySelectorAll(selector)];
            const before = hidden.map(el => el.style.display);
            hidden.forEach(el => { el.style.display = 'none'; });
            const text = document.body.innerText;
            hidden.forEach((el, i) => { el.style.display = before[i]; });
            const cells = [...document.querySelectorAll('[role=columnheader], [role=gridcell]')];
            return text + '\\n' + cells.map(c => c.textContent).join('\\n');
        }""",
        selector,
    )


def sideways_scroll(page) -> list[str]:
    """Everything on the page that scrolls sideways: the page itself, or a table wider than its place."""
    return page.evaluate(
        """() => {
            const out = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth + 1) out.push(`page ${root.scrollWidth}>${root.clientWidth}`);
            for (const el of document.querySelectorAll('.dvn-scroller')) {
                if (el.scrollWidth > el.clientWidth + 2) out.push(`table ${el.scrollWidth}>${el.clientWidth}`);
            }
            return out;
        }"""
    )
