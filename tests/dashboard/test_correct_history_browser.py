"""The change history and a cut inside an utterance on the session page, in a real headless chromium on a
real DuckDB file tagged by the real tagger: one page load cuts the practitioner's question from the client's
answer (times from the word timestamps), adds a label elsewhere, takes the older cut back alone, then undoes
the latest change, after which the session is no longer marked corrected."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from browser import CHROMIUM, artifacts, click_when_still, dashboard_page, settle
from test_listen_correct import choose

import store
from core.records import Role, Word
from core.texts import text
from tests.records import make_session, tag_texts

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]
QUESTION = "Wat gaat er op dit moment al een beetje beter?"
ANSWER = "Ik slaap sinds gisteren weer wat beter."
TEXTS = [
    ("S1", Role.PRACTITIONER, "Goedemiddag, fijn dat je er bent."),
    ("S2", Role.CLIENT, "Het gaat slecht, ik slaap nauwelijks en ik maak steeds ruzie."),
    ("S1", Role.PRACTITIONER, f"{QUESTION} {ANSWER}"),
    ("S2", Role.CLIENT, "Ik denk een vier."),
]


def _db(path: Path) -> str:
    """The session with word times (each word of the text, evenly over its utterance)."""
    tagged = []
    for t in tag_texts(TEXTS):
        u, tokens = t.utterance, t.utterance.text.split()
        step = (u.end_s - u.start_s) / len(tokens)
        words = tuple(
            Word(u.start_s + i * step, u.start_s + (i + 1) * step, " " + w) for i, w in enumerate(tokens)
        )
        tagged.append(dataclasses.replace(t, utterance=dataclasses.replace(u, words=words)))
    session = make_session(
        tagged,
        source_name="knip.wav",
        source_sha256=hashlib.sha256(b"knip.wav").hexdigest(),
        duration_s=20.0,
        asr_model="base",
        practitioner="Anna de Vries",
        recorded_at="2026-03-02",
    )
    with store.connect(path) as con:
        sid, _ = store.save_session(con, session)
    return sid


def test_cut_revert_an_older_change_and_undo_back_to_the_original(tmp_path):
    db = tmp_path / "knip.duckdb"
    sid = _db(db)
    shots = artifacts()
    with dashboard_page(db, tmp_path / "streamlit.log", viewport={"width": 1400, "height": 2600}) as (
        url,
        page,
        console,
    ):
        page.goto(f"{url}/session?id={sid}")
        settle(page, text("session.title", "nl", date="02-03-2026"))
        page.get_by_text("Corrigeren", exact=True).click()
        page.get_by_label("Uw naam").fill("Sanne")
        page.get_by_label("Uw naam").press("Enter")
        choose(page, "Uiting", "3 · ")
        choose(page, "Tweede deel begint bij woord", "11 · Ik slaap")
        choose(page, "Spreker van het tweede deel", "S2")
        page.get_by_text("komen uit de opgeslagen woordtijden").wait_for(timeout=30_000)
        click_when_still(page, "Splitsen")
        page.locator("#u3 .gs-text", has_text=ANSWER).wait_for(timeout=60_000)  # its own utterance now
        page.get_by_text("Met de hand gecorrigeerd: 1 wijziging").wait_for(timeout=60_000)
        choose(page, "Uiting", "1 · ")
        choose(page, "Label", "compliment")
        click_when_still(page, "Label toevoegen")
        page.get_by_text("Met de hand gecorrigeerd: 2 wijziging").wait_for(timeout=60_000)
        page.screenshot(path=str(shots / "correct_cut_and_label.png"), full_page=True)
        choose(page, "Wijziging", "gesplitst vóór")
        click_when_still(page, "Deze wijziging terugdraaien")
        page.locator("#u2 .gs-text", has_text=ANSWER).wait_for(timeout=60_000)  # one utterance again
        page.get_by_text("Met de hand gecorrigeerd: 1 wijziging").wait_for(timeout=60_000)
        click_when_still(page, "Laatste wijziging ongedaan maken")
        page.get_by_text("Ongedaan gemaakt").first.wait_for(timeout=60_000)
        page.wait_for_function(
            "() => !document.body.innerText.includes('Met de hand gecorrigeerd')", timeout=60_000
        )
        page.screenshot(path=str(shots / "correct_all_undone.png"), full_page=True)
        assert console.errors == []
    with store.connect(db, read_only=True) as con:
        log = store.corrections.history(con, sid)
        count = len(store.queries.session_utterances(con, sid).fetchall())
    assert [(h["kind"], h["author"], h["undone_by"]) for h in log] == [
        ("speaker", "Sanne", "Sanne"),
        ("label_add", "Sanne", "Sanne"),
    ]
    assert log[0]["value"]["timing"] == "words" and count == 4
