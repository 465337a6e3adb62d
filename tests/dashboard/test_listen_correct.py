"""Listen and correct on the session page, in the real dashboard in headless Debian chromium (and the
listening checks in Debian's firefox-esr over WebDriver BiDi): a click on an utterance or a timeline mark moves the
player's currentTime and highlights what is heard; an edit, a label change and an undo change the figures
shown, are stored with who/when, and survive a dashboard restart. Screenshots are test artifacts: kept in
`$SPIEGEL_ARTIFACTS/<test>/` when that is set, else in the test's tmp_path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bidi import FIREFOX, Firefox
from browser import click_when_still, idle, new_page
from conftest import FixtureDb, build_db
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import ARGS, CHROMIUM, free_port, no_exception

import store
from dashboard.launch import APP, dashboard_command, dashboard_env, stop, wait_healthy
from pipeline.keep import MIME, encode_opus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
SOLUTION_TEXT = "Het gaat eigenlijk beter, ik slaap weer goed en het lukt me om rustig te blijven."


@pytest.fixture
def shots(request, tmp_path) -> Path:
    """Where screenshots go: `$SPIEGEL_ARTIFACTS/<test>/` when set (kept after the run), else the test's tmp_path."""
    root = os.environ.get("SPIEGEL_ARTIFACTS")
    if not root:
        return tmp_path
    folder = Path(root) / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def db_with_audio(tmp_path) -> FixtureDb:
    """The dashboard fixture database (a private copy: this test writes) with session A's recording kept:
    45 s of real Opus audio (a tone that changes pitch each second, so every moment differs)."""
    fixture = build_db(tmp_path / "spiegel.duckdb")
    seconds = np.arange(45 * 16_000) / 16_000
    pitch = 300 + 20 * np.floor(seconds)
    signal = (0.2 * np.sin(2 * np.pi * pitch * seconds)).astype(np.float32)
    store.audio.keep(fixture.path, fixture.a, encode_opus(signal), MIME, 45.0)
    return fixture


class Dashboard:
    """The dashboard as `spiegel dashboard` starts it; `restart()` stops the process and starts a new one."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db, self.log, self.proc, self.url = db, log, None, ""

    def start(self) -> str:
        port = free_port()
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                dashboard_command(port),
                env=dashboard_env(self.db),
                cwd=str(APP.parent),
                stdout=out,
                stderr=out,
            )
        assert wait_healthy(port, timeout_s=120, proc=self.proc), self.log.read_text()
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


@pytest.fixture
def dashboard(db_with_audio, tmp_path):
    server = Dashboard(db_with_audio.path, tmp_path / "streamlit.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def open_session(page, url: str, session_id: str) -> None:
    page.goto(f"{url}/session?id={session_id}")
    page.locator(".gs-tr, [data-testid=stException]").first.wait_for(timeout=90_000)
    no_exception(page)


def metric(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]", has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text().strip()


def techniques(page) -> str:
    """The line under "Technieken in dit gesprek": `label: count` per technique."""
    return page.locator("[data-testid=stMarkdownContainer]", has_text="schaalvraag:").first.inner_text()


def current_time(page) -> float:
    return float(page.evaluate("document.querySelector('audio').currentTime"))


def ready_player(page) -> None:
    page.wait_for_function("document.querySelector('audio[data-gs-ready]') !== null", timeout=60_000)


def play_from_utterances(page, shots: Path) -> None:
    ready_player(page)
    assert current_time(page) == 0
    page.locator("#u3 .gs-text").click()  # utterance 3 starts at 14.5 s
    page.wait_for_function(
        "Math.abs(document.querySelector('audio').currentTime - 14.5) < 1.0", timeout=20_000
    )
    assert "gs-now" in page.locator("#u3").get_attribute("class")
    page.locator("#u7 .gs-text").click()  # 30.5 s
    page.wait_for_function("document.querySelector('audio').currentTime >= 30.0", timeout=20_000)
    assert "gs-now" in page.locator("#u7").get_attribute("class")
    assert "gs-now" not in page.locator("#u3").get_attribute("class")
    page.screenshot(path=str(shots / "listen_utterance.png"), full_page=True)


def test_clicking_an_utterance_or_a_timeline_mark_plays_from_that_moment(dashboard, db_with_audio, shots):
    import playwright.sync_api as playwright

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[*ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        try:
            page = new_page(browser, viewport={"width": 1400, "height": 2000})
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            open_session(page, dashboard.url, db_with_audio.a)
            play_from_utterances(page, shots)
            # it plays on from 30.5 s: when the player reaches utterance 8 (37.5 s) the highlight follows
            page.wait_for_function("document.querySelector('audio').currentTime > 37.8", timeout=60_000)
            page.wait_for_function(
                "document.querySelector('#u8').classList.contains('gs-now')", timeout=5_000
            )
            assert "gs-now" not in page.locator("#u7").get_attribute("class")
            # a timeline mark: the first bar (utterance 0, at 0.0 s) of the chart (SVG) is clicked; the
            # selection reruns the page and the player seeks to that utterance
            page.evaluate("document.querySelector('audio').pause()")
            assert current_time(page) >= 30.0
            bar = page.locator("[data-testid=stVegaLiteChart] .mark-rect path").first
            bar.scroll_into_view_if_needed()
            bar.click()
            page.wait_for_function("document.querySelector('audio').currentTime < 3.0", timeout=30_000)
            assert "gs-now" in page.locator("#u0").get_attribute("class")
            # the player's script raised nothing (failed resource loads are another page part's business)
            assert [e for e in errors if "Failed to load resource" not in e] == []
            page.screenshot(path=str(shots / "listen_timeline.png"), full_page=True)
            # a session without a kept recording says why there is nothing to play
            open_session(page, dashboard.url, db_with_audio.b)
            page.get_by_text("De opname is niet bewaard").wait_for(timeout=30_000)
            assert page.locator("audio").count() == 0
        finally:
            browser.close()
    assert (shots / "listen_utterance.png").stat().st_size > 10_000


def test_edit_label_and_undo_change_the_figures_and_survive_a_restart(dashboard, db_with_audio, shots):
    import playwright.sync_api as playwright

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, viewport={"width": 1400, "height": 2400})
            open_session(page, dashboard.url, db_with_audio.a)
            assert metric(page, "Oplossingsgericht (cliënt)") == "59%"
            assert "compliment: 1" in techniques(page)
            page.get_by_text("Corrigeren", exact=True).click()
            page.get_by_label("Uw naam").fill("Supervisor Sanne")
            page.get_by_label("Uw naam").press("Enter")
            choose(page, "Uiting", "2 · 00:03")
            page.locator("textarea").first.fill(SOLUTION_TEXT)
            page.get_by_role("button", name="Tekst opslaan").click()
            page.get_by_text("Met de hand gecorrigeerd: 1 wijziging").wait_for(timeout=60_000)
            # the transcript comes last in the page: once it shows the new text, the rerun is complete
            page.locator("#u1 .gs-text", has_text=SOLUTION_TEXT).wait_for(timeout=60_000)
            assert metric(page, "Oplossingsgericht (cliënt)") == "100%"  # re-tagged: now solution talk
            choose(page, "Uiting", "8 · 00:30")
            choose(page, "Label", "compliment")
            page.get_by_role("button", name="Label toevoegen").click()
            shows(page, changes=2, compliments=2)
            page.get_by_text("Supervisor Sanne").first.wait_for(state="attached", timeout=10_000)
            page.screenshot(path=str(shots / "correct_two_changes.png"), full_page=True)
            # the charts above redraw after the change and move the panel: click the button once it stands still
            click_when_still(page, "Laatste wijziging ongedaan maken", pause_ms=3_000)
            shows(page, changes=1, compliments=1)
            page.locator("#u1 .gs-text", has_text=SOLUTION_TEXT).wait_for(timeout=60_000)
            assert metric(page, "Oplossingsgericht (cliënt)") == "100%"
            no_exception(page)

            dashboard.stop()  # a restart: a new process reads only what was stored
            url = dashboard.start()
            open_session(page, url, db_with_audio.a)
            page.get_by_text("Met de hand gecorrigeerd: 1 wijziging").wait_for(timeout=60_000)
            page.locator("#u1 .gs-text", has_text=SOLUTION_TEXT).wait_for(timeout=60_000)
            assert metric(page, "Oplossingsgericht (cliënt)") == "100%"
            assert "compliment: 1" in techniques(page)
            page.screenshot(path=str(shots / "correct_after_restart.png"), full_page=True)
            page.goto(url + "/")
            page.get_by_text("Anna de Vries").first.wait_for(state="attached", timeout=60_000)
            page.wait_for_timeout(1000)
            assert page.locator('[role=gridcell]:text-is("✎")').count() == 1  # session A, marked corrected
            page.screenshot(path=str(shots / "overview_corrected.png"))
        finally:
            browser.close()
    with store.connect(db_with_audio.path, read_only=True) as con:
        log = store.corrections.history(con, db_with_audio.a)
        original = con.execute(
            "SELECT text FROM original_utterances WHERE session_id = ? AND idx = 1", [db_with_audio.a]
        ).fetchone()[0]
        overview = store.queries.sessions_overview(con).df()
    assert [(h["kind"], h["author"], h["undone_at"] is None) for h in log] == [
        ("text", "Supervisor Sanne", True),
        ("label_add", "Supervisor Sanne", False),
    ]
    assert original.startswith("Het gaat echt slecht")
    assert overview.set_index("session_id")["corrected_at"].notna().to_dict() == {
        db_with_audio.a: True,
        db_with_audio.b: False,
        db_with_audio.c: False,
    }


def shows(page, changes: int, compliments: int) -> None:
    """Wait until the page says how many changes count and shows that many compliments among the techniques."""
    page.get_by_text(f"Met de hand gecorrigeerd: {changes} wijziging").wait_for(timeout=60_000)
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')].some("
        "e => e.innerText.includes('compliment: ' + n))",
        arg=compliments,
        timeout=30_000,
    )


def choose(page, label: str, option_start: str) -> None:
    """Pick an option of a Streamlit selectbox by the start of its text (opening the panel if folded)."""
    box = page.get_by_label(label, exact=True).first
    option = page.locator("[role=option]", has_text=option_start).first
    # A rerun after the last change can redraw the box just as it opens, fold the panel, or leave the page inert
    # behind a list still open ("element is inert / not visible", seen in two workers): each try waits for the
    # run to end, closes what is open, unfolds the panel when the box is hidden, then opens the box again.
    for _ in range(4):
        idle(page)
        if not box.is_visible():
            page.get_by_text("Corrigeren", exact=True).click()
        try:
            box.click(timeout=15_000)
            option.wait_for(timeout=7_500)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            page.wait_for_timeout(1_000)
    option.click()
    page.wait_for_timeout(700)


def test_firefox_plays_from_an_utterance_and_a_timeline_mark(dashboard, db_with_audio, shots, tmp_path):
    """The listening checks in Debian's firefox-esr, driven over WebDriver BiDi (`bidi.py`: Playwright
    cannot drive Debian's Firefox, see there): real mouse clicks on an utterance and on a timeline mark move
    the player's currentTime, the highlight follows, and the page logs no error."""
    if not Path(FIREFOX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Debian firefox-esr is missing: `bash setup.sh --tests` (run by run-tests.sh) installs it"
            )
        pytest.skip("Debian firefox-esr is not installed here: `bash setup.sh --tests` installs it")
    firefox = Firefox(tmp_path / "firefox-profile", free_port())
    try:
        firefox.goto(f"{dashboard.url}/session?id={db_with_audio.a}")
        firefox.wait_for("document.querySelector('.gs-tr, [data-testid=stException]') !== null", 90)
        assert firefox.evaluate("document.querySelectorAll('[data-testid=stException]').length") == 0
        firefox.wait_for("document.querySelector('audio[data-gs-ready]') !== null", 60)
        assert firefox.evaluate("document.querySelector('audio').currentTime") == 0
        firefox.click("#u3 .gs-text")  # utterance 3 starts at 14.5 s
        firefox.wait_for("Math.abs(document.querySelector('audio').currentTime - 14.5) < 1.0", 20)
        assert firefox.evaluate("document.querySelector('#u3').classList.contains('gs-now')")
        firefox.click("#u7 .gs-text")  # 30.5 s
        firefox.wait_for("document.querySelector('audio').currentTime >= 30.0", 20)
        assert firefox.evaluate("document.querySelector('#u7').classList.contains('gs-now')")
        assert not firefox.evaluate("document.querySelector('#u3').classList.contains('gs-now')")
        firefox.screenshot(shots / "firefox_listen_utterance.png")
        # it plays on: at utterance 8 (37.5 s) the highlight follows the audio
        firefox.wait_for("document.querySelector('audio').currentTime > 37.8", 60)
        firefox.wait_for("document.querySelector('#u8').classList.contains('gs-now')", 5)
        firefox.evaluate("document.querySelector('audio').pause()")
        # the timeline's first bar (utterance 0 at 0.0 s): the selection reruns the page, the player seeks
        firefox.click("[data-testid=stVegaLiteChart] .mark-rect path")
        firefox.wait_for("document.querySelector('audio').currentTime < 3.0", 30)
        firefox.wait_for("document.querySelector('#u0').classList.contains('gs-now')", 10)
        firefox.screenshot(shots / "firefox_listen_timeline.png")
        errors = list(firefox.errors)
        assert errors == [], errors
    finally:
        firefox.close()
    assert (shots / "firefox_listen_utterance.png").stat().st_size > 10_000
