"""The "why" of an orientation on the session page, in a real headless chromium: a session tagged by the real
tagger and stored in a real DuckDB file shows, for a known utterance, its strongest cues in Dutch words, and in
English after switching; a cue that carries HTML is shown as text; an utterance without cues shows nothing
extra."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from browser import CHROMIUM, artifacts, dashboard_page, settle

from core.records import Orientation, Role, TaggedUtterance, TagResult, Utterance
from core.texts import text
from store import connect, save_session
from tagger import load_tagger
from tagger.cue_names import orientation_why
from tests.records import make_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

TEXTS = [
    ("S1", Role.PRACTITIONER, "Goedemiddag, fijn dat je er bent."),
    ("S2", Role.CLIENT, "Het gaat slecht, ik slaap nauwelijks en ik maak steeds ruzie."),
    ("S1", Role.PRACTITIONER, "Wat helpt je op zulke dagen?"),
    ("S2", Role.CLIENT, "Wandelen helpt me echt, dan voel ik me rustiger."),
]
KNOWN = 3  # the utterance whose why the test reads
INJECTED_CUE = "l:<img src=x onerror=window.__xss=3>"
NO_CUES = "Dat weet ik niet meer precies."


def _db(path: Path) -> str:
    """A session of the real tagger's results, plus one row with an HTML cue and one without cues (as rows
    stored before cues were kept)."""
    results = load_tagger("nl").tag_conversation([(t, str(r)) for _s, r, t in TEXTS])
    tagged = [
        TaggedUtterance(Utterance(i, s, role, t, i * 5.0, i * 5.0 + 4.0), result)
        for i, ((s, role, t), result) in enumerate(zip(TEXTS, results, strict=True))
    ]
    odd = TagResult(Orientation.PROBLEM, orientation_cues=(INJECTED_CUE, "lex.neg"))
    tagged.append(TaggedUtterance(Utterance(4, "S2", Role.CLIENT, "Zo <b>zit</b> het.", 20.0, 24.0), odd))
    tagged.append(
        TaggedUtterance(Utterance(5, "S2", Role.CLIENT, NO_CUES, 24.0, 28.0), TagResult(Orientation.NEUTRAL))
    )
    session = make_session(
        tagged,
        source_name="waarom.wav",
        source_sha256=hashlib.sha256(b"waarom.wav").hexdigest(),
        duration_s=30.0,
        asr_model="base",
        role_source="transcript",
        recorded_at="2026-03-02",
        practitioner="Anna de Vries",
        client_code="K-009",
    )
    with connect(path) as con:
        sid, _ = save_session(con, session)
    return sid


def _why_of(page, phrase: str) -> str:
    """Open the "why" of the utterance that says `phrase` and read its orientation line."""
    row = page.locator(".gs-u", has_text=phrase).first
    line = row.locator(".gs-ocues")
    # after a rerun the transcript may be drawn again just after a click (closing what it opened): open it
    # until it stays open, as a user clicks again
    for _ in range(5):
        if not line.is_visible():
            row.locator("details.gs-why summary").click()
        try:
            line.wait_for(timeout=3_000)
            break
        except Exception:
            continue
    return line.inner_text().strip()


def test_the_session_page_shows_why_in_dutch_and_english(tmp_path):
    path = tmp_path / "waarom.duckdb"
    sid = _db(path)
    known = load_tagger("nl").tag_conversation([(t, str(r)) for _s, r, t in TEXTS])[KNOWN]
    assert known.orientation_cues, "the real tagger named no cue for the known utterance"
    want = {
        lang: orientation_why(str(known.orientation), known.orientation_cues, lang) for lang in ("nl", "en")
    }
    assert want["nl"].startswith("Richting: ") and want["en"].startswith("Direction: ")
    phrase = TEXTS[KNOWN][2][:20]
    viewport = {"width": 1280, "height": 1600}
    with dashboard_page(path, tmp_path / "streamlit.log", viewport=viewport) as (server, page, console):
        page.goto(f"{server}/session?id={sid}")
        settle(page, text("session.title", "nl", date="02-03-2026"))
        assert _why_of(page, phrase) == want["nl"]
        # an HTML cue is text: the word shows with its brackets, no element is made, no script runs
        odd = _why_of(page, "het.")
        assert "‘<img src=x onerror=window.__xss=3>’" in odd and text("cue.lex.neg", "nl") in odd
        assert page.locator(".gs-u img").count() == 0
        assert page.evaluate("() => window.__xss === undefined")
        quiet = page.locator(".gs-u", has_text=NO_CUES).first
        assert quiet.locator("details, .gs-ocues").count() == 0  # nothing extra, no error
        page.screenshot(path=str(artifacts() / "why_nl.png"), full_page=True)
        page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
        page.get_by_role("option", name="English").click()
        settle(page, text("session.title", "en", date="2026-03-02"))
        assert _why_of(page, phrase) == want["en"]
        page.screenshot(path=str(artifacts() / "why_en.png"), full_page=True)
        assert page.locator("[data-testid=stException]").count() == 0
        assert console.errors == [], console.errors
