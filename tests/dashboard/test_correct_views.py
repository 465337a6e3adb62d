"""The session page's listen and correct parts in AppTest (no browser): a correction made through the panel's
buttons is stored with its author, shown, counted, marked in the overview, and undone; an author's name is
shown as text, never as Markdown."""

from __future__ import annotations

import numpy as np
from conftest import build_db
from test_views import all_text, open_app

import store
from pipeline.keep import MIME, encode_opus

AUTHOR = "Sanne ![x](http://voorbeeld.invalid/x.png)"


def test_panel_correction_is_stored_shown_and_undone(monkeypatch, tmp_path):
    fixture = build_db(tmp_path / "spiegel.duckdb")
    tone = (0.2 * np.sin(np.arange(45 * 16_000) / 16_000 * 2 * np.pi * 300)).astype(np.float32)
    store.audio.keep(fixture.path, fixture.a, encode_opus(tone), MIME, 45.0)
    at = open_app(monkeypatch, fixture.path, "session", id=fixture.a)
    assert "Klik op een uiting" in all_text(at)  # the player is there (its hint under it)
    at.text_input(key="corr_author").set_value(AUTHOR).run()
    at.selectbox(key=f"corr_idx_{fixture.a}").set_value(7).run()
    label = next(s for s in at.selectbox if s.label == "Label")
    label.set_value("compliment").run()
    next(b for b in at.button if b.label == "Label toevoegen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    text = all_text(at)
    assert "Met de hand gecorrigeerd: 1 wijziging(en)" in text
    assert "compliment: **2**" in text
    assert "\\!\\[x\\]" in next(i.value for i in at.info if "gecorrigeerd" in i.value)  # escaped, no image
    with store.connect(fixture.path, read_only=True) as con:
        [entry] = store.corrections.history(con, fixture.a)
    assert (entry["kind"], entry["author"], entry["utterance_idx"]) == ("label_add", AUTHOR, 7)
    next(b for b in at.button if b.label == "Laatste wijziging ongedaan maken").click().run()
    text = all_text(at)
    assert "compliment: **1**" in text and "Met de hand gecorrigeerd" not in text

    at = open_app(monkeypatch, fixture.path, "session", id=fixture.b)
    assert "De opname is niet bewaard" in all_text(at)


def test_listen_and_correct_in_english(monkeypatch, tmp_path):
    fixture = build_db(tmp_path / "spiegel.duckdb")
    at = open_app(monkeypatch, fixture.path, "session", id=fixture.a, lang="en")
    text = all_text(at)
    assert "The recording was not kept" in text and "Listen" in text
    assert [e.label for e in at.expander] == ["Correct"]
    assert {b.label for b in at.button} >= {"Save text", "Add label", "Undo the last change", "Merge"}


def test_a_refused_correction_is_told_in_the_page_s_language(monkeypatch, tmp_path):
    """The process speaks Dutch (no SPIEGEL_LANG); an English page still shows the refusal in English."""
    monkeypatch.delenv("SPIEGEL_LANG", raising=False)
    fixture = build_db(tmp_path / "spiegel.duckdb")
    for lang, refusal in (("en", "needs the name of who makes it"), ("nl", "heeft de naam nodig")):
        at = open_app(monkeypatch, fixture.path, "session", id=fixture.a, lang=lang)
        at.text_input(key="corr_author").set_value("").run()  # no author's name
        save = "Save text" if lang == "en" else "Tekst opslaan"
        next(b for b in at.button if b.label == save).click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(refusal in e.value for e in at.error), [e.value for e in at.error]


def _pick(at, label: str, value) -> None:
    next(s for s in at.selectbox if s.label == label).set_value(value).run()


def _press(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_cut_inside_an_utterance_and_revert_an_older_change_alone(monkeypatch, tmp_path):
    fixture = build_db(tmp_path / "spiegel.duckdb")
    at = open_app(monkeypatch, fixture.path, "session", id=fixture.a)
    at.text_input(key="corr_author").set_value("Sanne").run()
    at.selectbox(key=f"corr_idx_{fixture.a}").set_value(4).run()  # "Knap dat je dat deed! Wat nog meer?"
    _pick(at, "Tweede deel begint bij woord", "Knap dat je dat deed! Wat nog meer?".index("Wat"))
    _pick(at, "Spreker van het tweede deel", "SPEAKER_00")
    assert "tijd wordt verdeeld naar verhouding van het aantal tekens" in all_text(at)  # no word times here
    _press(at, "Splitsen")
    with store.connect(fixture.path, read_only=True) as con:
        texts = [r[5] for r in store.queries.session_utterances(con, fixture.a).fetchall()]
    assert texts[4:6] == ["Knap dat je dat deed!", "Wat nog meer?"]
    assert "gesplitst vóór “Wat nog meer?”; tweede deel van SPEAKER_00" in all_text(at)
    at.selectbox(key=f"corr_idx_{fixture.a}").set_value(0).run()
    _pick(at, "Label", "compliment")
    _press(at, "Label toevoegen")
    at.selectbox(key=f"corr_idx_{fixture.a}").set_value(5).run()  # the cut's second part
    _pick(at, "Oriëntatie", "problem")
    _press(at, "Richting opslaan")
    with store.connect(fixture.path, read_only=True) as con:
        cut, label, _later = (h["correction_id"] for h in store.corrections.history(con, fixture.a))
    _pick(at, "Wijziging", cut)
    assert "kan niet los worden teruggedraaid" in all_text(at)  # the change on its second part came later
    assert next(b for b in at.button if b.label == "Deze wijziging terugdraaien").disabled
    _press(at, "Laatste wijziging ongedaan maken")
    _pick(at, "Wijziging", cut)
    assert "kan niet los worden teruggedraaid" not in all_text(at)
    _press(at, "Deze wijziging terugdraaien")
    with store.connect(fixture.path, read_only=True) as con:
        standing = [
            h["correction_id"] for h in store.corrections.history(con, fixture.a) if not h["undone_at"]
        ]
        texts = [r[5] for r in store.queries.session_utterances(con, fixture.a).fetchall()]
    assert standing == [label] and "Knap dat je dat deed! Wat nog meer?" in texts
    assert "Met de hand gecorrigeerd: 1 wijziging(en)" in all_text(at)
