"""The real dashboard in headless Debian chromium: pages render, and injected HTML never runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from browser import ARGS, CHROMIUM, free_port, new_page
from conftest import INJECTION, FixtureDb

from dashboard.launch import APP, dashboard_command, dashboard_env, stop, wait_healthy

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def server(fixture_db: FixtureDb, tmp_path):
    """The dashboard exactly as `run_dashboard` starts it, on a free port; always stopped afterwards."""
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        dashboard_command(port),
        env=dashboard_env(fixture_db.path),
        cwd=str(APP.parent),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_healthy(port, timeout_s=120, proc=proc), (tmp_path / "streamlit.log").read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


def no_exception(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0, page.locator(
        "[data-testid=stException]"
    ).first.inner_text()


def test_pages_render_and_injected_html_stays_text(server, fixture_db: FixtureDb, tmp_path):
    import playwright.sync_api as playwright

    assert shutil.which(CHROMIUM) or Path(CHROMIUM).exists()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, viewport={"width": 1400, "height": 2200})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            page.goto(server + "/")
            page.get_by_role("heading", name="Overzicht van gesprekken").wait_for(timeout=60_000)
            # the table is a canvas grid; its accessible cells are in the DOM but not "visible"
            page.get_by_text("Anna de Vries").first.wait_for(state="attached", timeout=30_000)
            assert page.locator(f'[role=gridcell]:has-text("/session?id={fixture_db.a}")').count() == 1
            page.wait_for_timeout(1000)
            no_exception(page)
            page.screenshot(path=str(tmp_path / "overview.png"))

            page.goto(f"{server}/session?id={fixture_db.a}")
            page.locator(".gs-tr, [data-testid=stException]").first.wait_for(timeout=60_000)
            no_exception(page)
            page.get_by_text("Knap dat je dat deed").first.wait_for(timeout=10_000)
            assert page.get_by_text("wondervraag · hoofdvraag").count() >= 1
            page.locator(".gs-why summary").first.click()
            page.get_by_text("exception_question.when.01").first.wait_for(timeout=10_000)
            no_exception(page)
            page.screenshot(path=str(tmp_path / "session_a.png"))

            page.goto(f"{server}/session?id={fixture_db.c}")
            page.get_by_text("Dat ik weer lach.").wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
            utterance = page.locator(".gs-text", has_text="tegen hem")
            assert utterance.inner_text().strip() == INJECTION  # the literal text, tags and all, is visible
            assert page.evaluate("typeof window.__xss") == "undefined"
            assert page.locator(".gs-tr script, .gs-tr img, .gs-tr b").count() == 0
            assert dialogs == []
            no_exception(page)
            page.screenshot(path=str(tmp_path / "session_c.png"))

            page.goto(f"{server}/session?id=bestaat-niet")
            page.get_by_text("staat niet (meer) in deze database").wait_for(timeout=60_000)
        finally:
            browser.close()
    for name in ("overview.png", "session_a.png", "session_c.png"):
        assert (tmp_path / name).stat().st_size > 10_000
