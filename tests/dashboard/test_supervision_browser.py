"""The supervision page and the share buttons in the real dashboard, driven in headless Debian chromium.

On a real DuckDB file of two sample sessions (gold labels): the page lists the expected moments, a note
typed in the page is stored and comes back in the downloaded report, and the downloaded PDF is A4.
Screenshots go to `build/test-artifacts/supervision/` (or `$SPIEGEL_TEST_ARTIFACTS/supervision/`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser import dashboard, new_page
from test_browser import ARGS, CHROMIUM, no_exception

import store
from store import supervision
from tests.supervision.sample_sessions import sample_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SPIEGEL_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts")) / "supervision"
NOTE = "Het compliment landde: de cliënt ging verder over wat wel lukt."
#: What the supervision page of each sample must show, in order: (time, title).
EXPECTED = {
    "nl_eerste_gesprek": [
        ("02:34", "Een uitzondering die werd uitvergroot"),
        ("02:42", "Een compliment dat aankwam"),
        ("02:55", "Een schaalvraag met vervolg"),
        ("03:36", "Een compliment dat aankwam"),
        ("03:48", "Vooruitgang in de woorden van de cliënt"),
    ],
    "nl_probleemgesprek": [
        ("02:41", "Een uitzondering die werd uitvergroot"),
        ("00:03", "Een reeks probleemvragen"),
        ("00:03", "Een lang stuk probleemtaal"),
    ],
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A database of the two samples and the dashboard on it, exactly as `spiegel dashboard` starts it."""
    folder = tmp_path_factory.mktemp("supervision-browser")
    db = folder / "samples.duckdb"
    ids = {}
    with store.connect(db) as con:
        for name in EXPECTED:
            ids[name], _ = store.save_session(con, sample_session(name))
    with dashboard(db, folder / "streamlit.log") as url:
        yield url, db, ids


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def shown_moments(page, expected: int) -> list[tuple[str, str]]:
    """The moments on the page, once `expected` of them are drawn (Streamlit draws a page element by element;
    on a loaded machine the first moment stands long before the last)."""
    page.wait_for_function(
        "n => document.querySelectorAll(\"[class*='st-key-moment_']\").length >= n",
        arg=expected,
        timeout=60_000,
    )
    found = []
    for box in page.locator("[class*='st-key-moment_']").all():
        first = box.locator("[data-testid=stMarkdownContainer]").first.inner_text().strip()
        when, title = first.split(" · ", 1)
        found.append((when, title))
    return found


def download(page, name: str, target: Path) -> bytes:
    """Click a download button and save what it gives. A click that lands while the page reruns hits a button
    Streamlit is replacing and gives nothing, so it is clicked again (three times at most)."""
    import playwright.sync_api as playwright

    for attempt in range(3):
        try:
            with page.expect_download(timeout=90_000) as info:
                page.get_by_role("button", name=name).click()
            break
        except playwright.TimeoutError:
            if attempt == 2:
                raise
    info.value.save_as(target)
    return target.read_bytes()


def test_supervision_page_moments_note_and_report(served, tmp_path) -> None:
    import playwright.sync_api as playwright

    url, db, ids = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
            page = new_page(context)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            first = ids["nl_eerste_gesprek"]
            page.goto(f"{url}/supervision?id={first}")
            page.get_by_role("heading", name="Wat goed ging").wait_for(timeout=60_000)
            page.locator("[class*='st-key-moment_']").first.wait_for(timeout=30_000)
            no_exception(page)
            assert shown_moments(page, len(EXPECTED["nl_eerste_gesprek"])) == EXPECTED["nl_eerste_gesprek"]
            page.get_by_role("heading", name="De cijfers").wait_for(timeout=60_000)
            assert page.get_by_text("Niets dat opvalt.").count() == 1
            assert page.get_by_role("heading", name="De cijfers").count() == 1

            moment = page.locator(".st-key-moment_compliment_landed_22")
            moment.locator("textarea").fill(NOTE)
            moment.get_by_role("button", name="Notitie opslaan").click()
            moment.get_by_text("Notitie opgeslagen.").wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "supervision_went_well.png"), full_page=True)
            with store.connect(db, read_only=True) as con:
                assert supervision.notes_for(con, first)["compliment_landed:22"].note == NOTE

            markdown = download(page, "Verslag (Markdown)", tmp_path / "verslag.md").decode("utf-8")
            assert f"**Notitie:** {NOTE}" in markdown
            assert markdown.index("### 02:42 · Een compliment dat aankwam") < markdown.index(NOTE)
            pdf = download(page, "Verslag (PDF, A4)", tmp_path / "verslag.pdf")
            assert pdf.startswith(b"%PDF-")
            sizes = page_sizes(pdf)
            assert sizes and all(abs(w - 595.28) < 1.5 and abs(h - 841.89) < 1.5 for w, h in sizes), sizes
            data = download(page, "Uitingen en labels (CSV)", tmp_path / "gesprek.csv").decode("utf-8-sig")
            assert data.splitlines()[0].startswith("idx,speaker,role,start_s")
            page.get_by_text("Pseudonimiseren").click()  # the switch: downloads are made pseudonymised
            page.get_by_role("button", name="Verslag (Markdown)").wait_for(timeout=30_000)
            # the page reruns after the switch (its running mark is hidden): until then the old button is there
            for _ in range(10):
                shared = download(page, "Verslag (Markdown)", tmp_path / "gedeeld.md").decode("utf-8")
                if "[PERSOON-" in shared:
                    break
                page.wait_for_timeout(2_000)
            assert "[PERSOON-" in shared and NOTE in shared
            assert not {"Sanne", "Eva", "K-017", first} & {w for w in re.findall(r"[\w-]+", shared)}

            problem = ids["nl_probleemgesprek"]
            page.goto(f"{url}/supervision?id={problem}")
            page.get_by_role("heading", name="Om nog eens naar te kijken").wait_for(timeout=60_000)
            page.locator("[class*='st-key-moment_']").first.wait_for(timeout=30_000)
            no_exception(page)
            assert shown_moments(page, len(EXPECTED["nl_probleemgesprek"])) == EXPECTED["nl_probleemgesprek"]
            page.screenshot(path=str(ARTIFACTS / "supervision_look_again.png"), full_page=True)

            page.goto(f"{url}/session?id={first}")
            page.get_by_role("link", name="Supervisie voorbereiden").wait_for(timeout=60_000)
            page.get_by_role("button", name="Verslag (PDF, A4)").wait_for(timeout=30_000)
            no_exception(page)
            page.screenshot(path=str(ARTIFACTS / "session_share.png"), full_page=True)
            page.get_by_role("link", name="Supervisie voorbereiden").click()
            page.get_by_role("heading", name="Wat goed ging").wait_for(timeout=60_000)
            assert f"/supervision?id={first}" in page.url
            assert errors == []
        finally:
            browser.close()
    for name in ("supervision_went_well.png", "supervision_look_again.png", "session_share.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
