"""Every page in a real headless chromium, in Dutch and in English: no word of the other language's interface
is visible (Streamlit's own widgets included), no console error, nothing scrolls sideways at 1280 px, and a
screenshot of every page is kept (tests/dashboard/browser.py says where)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser import (
    ARGS,
    CHROMIUM,
    Console,
    artifacts,
    dashboard,
    new_page,
    settle,
    sideways_scroll,
    visible_text,
)
from conftest import FixtureDb

from core.texts import text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

WORDS = json.loads((Path(__file__).parent / "data" / "ui_words.json").read_text(encoding="utf-8"))


def pages(db: FixtureDb, lang: str) -> list[tuple[str, str, str]]:
    """(name, address, heading to wait for) of every page, with and without its parameter."""

    def title(key: str, **kw: str) -> str:
        return text(key, lang, **kw)

    return [
        ("overview", "/", title("overview.title")),
        ("session_pick", "/session", title("nav.session")),
        ("session_a", f"/session?id={db.a}", title("session.title", date=date(lang, "2026-03-02"))),
        # C has no recording date: its title carries the day it was stored
        ("session_c", f"/session?id={db.c}", title("session.title", date="").strip()),
        ("practitioner_pick", "/practitioner", title("nav.practitioner")),
        (
            "practitioner",
            "/practitioner?name=Anna+de+Vries",
            title("practitioner.title", name="Anna de Vries"),
        ),
        ("client_pick", "/client", title("nav.client")),
        ("client", "/client?code=K-001", title("client.title", code="K-001")),
        ("cohort", "/cohort", title("cohort.title")),
        ("upload", "/upload", title("upload.title")),
    ]


def date(lang: str, iso: str) -> str:
    from core.formatting import date as fmt

    return fmt(iso, lang)


def address(server: str, path: str, lang: str) -> str:
    if lang == "nl":
        return server + path
    return server + path + ("&" if "?" in path else "?") + "lang=" + lang


def foreign_words(seen: str, lang: str) -> list[str]:
    """The other language's UI words in `seen`; addresses and paths (/session?id=…) are not words."""
    other = WORDS["en" if lang == "nl" else "nl"]
    seen = re.sub(r"\S*/\S*", " ", seen)
    found = {w for w in other if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", seen, flags=re.IGNORECASE)}
    return sorted(found)


#: The date picker's weekday heads, Monday first: Dutch (ma di wo do vr za zo) and English narrow names.
WEEK = {"nl": ["M", "D", "W", "D", "V", "Z", "Z"], "en": ["M", "T", "W", "T", "F", "S", "S"]}


def open_calendar(page) -> tuple[str, list[str]]:
    """Open the cohort page's date picker: its text (month, days) and its weekday heads."""
    page.locator("[data-testid=stDateInput] [role=group], [data-testid=stDateInput] input").first.click()
    calendar = page.locator("[data-testid=stDateInputCalendar]")
    calendar.wait_for(timeout=10_000)
    # the month, the year and the days; not its screen-reader heading (a fixed English "Choose date, …" that
    # Streamlit hides with a clip, which inner_text still reads)
    seen = "\n".join(calendar.locator("header, table").all_inner_texts())
    heads = calendar.locator("th").all_inner_texts()
    page.keyboard.press("Escape")
    return seen, [h.strip() for h in heads]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_speaks_one_language(fixture_db: FixtureDb, tmp_path, lang):
    import playwright.sync_api as playwright

    shots = artifacts()
    problems: dict[str, list[str]] = {}
    with dashboard(fixture_db.path, tmp_path / "streamlit.log") as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # the browser's own language is the other one: the page must not depend on it
            page = new_page(
                browser,
                # tall, so the screenshot holds the whole page (Streamlit scrolls inside, not the document)
                viewport={"width": 1280, "height": 2600},
                locale="en-US" if lang == "nl" else "nl-NL",
            )
            console = Console(page)
            for name, path, heading in pages(fixture_db, lang):
                page.goto(address(server, path, lang))
                settle(page, heading)
                assert page.locator("[data-testid=stException]").count() == 0, name
                # English mode: only the interface is scanned (the conversations and names are Dutch)
                seen = visible_text(page, skip=".gs-text" if lang == "en" else "")
                if name == "cohort":
                    want = "nl-NL" if lang == "nl" else "en-GB"
                    page.wait_for_function("want => navigator.language === want", arg=want, timeout=30_000)
                    # the picker takes the locale when it is drawn: on a loaded machine the page's locale script
                    # can run after its first drawing, so it is opened again until it has redrawn
                    for _ in range(5):
                        calendar, heads = open_calendar(page)
                        if heads == WEEK[lang]:
                            break
                        page.wait_for_timeout(2_000)
                    seen += "\n" + calendar
                    assert heads == WEEK[lang], heads  # the language's day names, Monday first
                page.screenshot(path=str(shots / f"{lang}_{name}.png"), full_page=True)
                found = foreign_words(seen, lang)
                wide = sideways_scroll(page)
                if found or wide:
                    problems[name] = found + wide
            assert console.errors == [], console.errors
        finally:
            browser.close()
    assert problems == {}, problems


def shown_choice(chooser) -> str:
    """The option a chooser shows (Streamlit keeps it in the chooser's input, or as text beside it)."""
    field = chooser.locator("input")
    value = field.first.input_value() if field.count() else ""
    return value or chooser.inner_text().split("\n")[-1].strip()


def test_switching_language_changes_the_transcript_filter(fixture_db: FixtureDb, tmp_path):
    """After switching to English on a session page, the filter (and the page) speak English."""
    import playwright.sync_api as playwright

    with dashboard(fixture_db.path, tmp_path / "streamlit.log") as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, viewport={"width": 1280, "height": 1000})
            console = Console(page)
            page.goto(f"{server}/session?id={fixture_db.a}")
            settle(page, text("session.title", "nl", date="02-03-2026"))
            chooser = page.locator("[data-testid=stSelectbox]", has_text=text("session.filter", "nl"))
            assert shown_choice(chooser) == text("session.filter.all", "nl")
            language = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]")
            language.click()
            page.get_by_role("option", name="English").click()
            settle(page, text("session.title", "en", date="2026-03-02"))
            chooser = page.locator("[data-testid=stSelectbox]", has_text=text("session.filter", "en"))
            assert shown_choice(chooser) == text("session.filter.all", "en")
            # the charts above the filter still draw after the rerun and move it down the page: a click may
            # land where it was, so click again until its options open (what a user does too)
            for _ in range(4):
                chooser.scroll_into_view_if_needed()
                chooser.click()
                try:
                    page.get_by_role("option").first.wait_for(timeout=4_000)
                    break
                except playwright.TimeoutError:
                    page.keyboard.press("Escape")
            options = page.get_by_role("option").all_inner_texts()
            assert text("session.filter.tagged", "en") in options, options
            assert not any(o == text("session.filter.all", "nl") for o in options), options
            page.keyboard.press("Escape")
            page.screenshot(path=str(artifacts() / "switched_to_english.png"), full_page=True)
            assert console.errors == [], console.errors
        finally:
            browser.close()
