"""The change history of a corrected session and cutting inside an utterance (store/corrections.py,
core/corrections.py, core/splitting.py), on a real DuckDB file with the real tagger: every change can be
undone in order back to the original, an older one alone when nothing later touched the same utterance or
speaker, and a cut makes two utterances with their own times, speakers and tags, undoable like the rest."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

import store
from core.corrections import Correction
from core.errors import UserError
from core.records import Role, Word
from report.build import build_markdown
from store.export import export_session
from tests.records import make_session, retag_for, tag_texts

TEXTS = [
    ("S1", Role.PRACTITIONER, "Goedemiddag, fijn dat je er bent."),
    ("S2", Role.CLIENT, "Het gaat slecht, ik slaap nauwelijks en ik maak steeds ruzie."),
    # the practitioner's question and the client's answer came out as one utterance
    (
        "S1",
        Role.PRACTITIONER,
        "Wat gaat er op dit moment al een beetje beter? Ik slaap sinds gisteren weer wat beter.",
    ),
    ("S2", Role.CLIENT, "Ik denk een vier."),
    ("S1", Role.PRACTITIONER, "Wat zou er anders zijn als het een vijf is?"),
]
QUESTION = "Wat gaat er op dit moment al een beetje beter?"


def _with_words(tagged):
    """Word times as faster-whisper gives them: each word of the text, evenly over the utterance's time."""
    out = []
    for t in tagged:
        u = t.utterance
        tokens = u.text.split()
        step = (u.end_s - u.start_s) / len(tokens)
        words = tuple(
            Word(u.start_s + i * step, u.start_s + (i + 1) * step - 0.05, " " + w, 0.9)
            for i, w in enumerate(tokens)
        )
        out.append(dataclasses.replace(t, utterance=dataclasses.replace(u, words=words)))
    return out


def _db(tmp_path, words: bool):
    name = f"hist-{words}.wav"
    tagged = tag_texts(TEXTS)
    session = make_session(
        _with_words(tagged) if words else tagged,
        source_name=name,
        source_sha256=hashlib.sha256(name.encode()).hexdigest(),
        duration_s=30.0,
        asr_model="base",
    )
    path = tmp_path / "h.duckdb"
    with store.connect(path) as con:
        session_id, _ = store.save_session(con, session)
    return path, session_id


def _state(con, sid):
    return (
        con.execute("SELECT * FROM utterances WHERE session_id = ? ORDER BY idx", [sid]).fetchall(),
        con.execute(
            "SELECT * FROM tags WHERE session_id = ? ORDER BY utterance_idx, label, rule", [sid]
        ).fetchall(),
        con.execute(
            "SELECT * FROM words WHERE session_id = ? ORDER BY utterance_idx, word_idx", [sid]
        ).fetchall(),
        sorted(con.execute("SELECT * FROM speakers WHERE session_id = ?", [sid]).fetchall()),
        con.execute("SELECT * FROM session_metrics WHERE session_id = ? ORDER BY role", [sid]).fetchall(),
    )


def _add(con, sid, kind, value, idx=None, author="Anna"):
    return store.corrections.add(con, sid, Correction(kind, value, idx, author), retag_for)


def _split(con, sid, idx=2, speaker="S2"):
    text = con.execute("SELECT text FROM utterances WHERE session_id = ? AND idx = ?", [sid, idx]).fetchone()[
        0
    ]
    return _add(con, sid, "speaker", {"speaker": speaker, "at": text.index("Ik slaap")}, idx)


def _corrected(path, sid) -> tuple[bool, bool]:
    """(the report says corrected, the JSON export says corrected)."""
    record = json.loads(export_session(path, sid, path.parent / "s.json").read_text(encoding="utf-8"))
    return "Met de hand gecorrigeerd" in build_markdown(path, sid), "corrected" in record


def test_every_change_is_undone_in_order_back_to_the_original_and_the_mark_goes_with_the_last(tmp_path):
    path, sid = _db(tmp_path, words=False)
    with store.connect(path) as con:
        steps = [_state(con, sid)]
        _add(con, sid, "text", {"text": "Het gaat nu wat beter."}, 1)
        steps.append(_state(con, sid))
        _add(con, sid, "orientation", {"orientation": "solution"}, 3)
        steps.append(_state(con, sid))
        _add(con, sid, "role", {"speaker": "S2", "role": "other"})
        steps.append(_state(con, sid))
        log = store.corrections.history(con, sid)
        assert [h["kind"] for h in log] == ["text", "orientation", "role"]
        assert [h["utterance_idx"] for h in log] == [1, 3, None]
        assert [h["blocked_by"] for h in log] == [None, None, None]
    for back in (2, 1):
        assert _corrected(path, sid) == (True, True)
        with store.connect(path) as con:
            assert store.corrections.undo(con, sid, "Bram", retag_for) is not None
            assert _state(con, sid) == steps[back]
    assert _corrected(path, sid) == (True, True)  # one change still stands
    with store.connect(path) as con:
        store.corrections.undo(con, sid, "Bram", retag_for)
        assert _state(con, sid) == steps[0]
        assert store.corrections.summary(con, sid)[0] == 0
        assert (
            con.execute("SELECT corrected_at FROM sessions WHERE session_id = ?", [sid]).fetchone()[0] is None
        )
        assert [h["undone_by"] for h in store.corrections.history(con, sid)] == ["Bram"] * 3
    assert _corrected(path, sid) == (False, False)


def test_an_older_change_is_reverted_alone_unless_a_later_one_touched_the_same_utterance(tmp_path):
    path, sid = _db(tmp_path, words=False)
    with store.connect(path) as con:
        original = _state(con, sid)
        first = _add(con, sid, "text", {"text": "Het gaat nu wat beter."}, 1)
        middle = _add(con, sid, "orientation", {"orientation": "problem"}, 4)
        _add(con, sid, "label_add", {"label": "compliment", "value": None}, 1)
        log = {h["correction_id"]: h for h in store.corrections.history(con, sid)}
        assert log[first]["blocked_by"] is not None and log[middle]["blocked_by"] is None
        with pytest.raises(UserError) as caught:
            store.corrections.undo(con, sid, "Bram", retag_for, first)
        assert caught.value.key == "error.correction.later_change"
        assert "\n" not in str(caught.value) and "later change" in caught.value.message("en")
        assert store.corrections.undo(con, sid, "Bram", retag_for, middle) == middle
        utterances = _state(con, sid)[0]
        assert utterances[4] == original[0][4]  # the older change is gone ...
        assert utterances[1][6] == "Het gaat nu wat beter."  # ... the others stand
        labels = con.execute(
            "SELECT label FROM tags WHERE session_id = ? AND rule = 'manual'", [sid]
        ).fetchall()
        assert labels == [("compliment",)]
        with pytest.raises(UserError, match="telt niet"):
            store.corrections.undo(con, sid, "Bram", retag_for, middle)


def test_a_cut_with_word_times_makes_two_utterances_retagged_and_is_undone_alone_later(tmp_path):
    path, sid = _db(tmp_path, words=True)
    with store.connect(path) as con:
        original = _state(con, sid)
        before = con.execute(
            "SELECT start_s, end_s FROM utterances WHERE session_id = ? AND idx = 2", [sid]
        ).fetchone()
        cut = _split(con, sid)
        rows = con.execute(
            "SELECT idx, speaker, role, text, start_s, end_s, is_question FROM utterances WHERE session_id = ? "
            "ORDER BY idx",
            [sid],
        ).fetchall()
        assert len(rows) == 6
        assert rows[2][1:4] == ("S1", "practitioner", QUESTION) and rows[2][6]
        assert rows[3][1:4] == ("S2", "client", "Ik slaap sinds gisteren weer wat beter.") and not rows[3][6]
        words = con.execute(
            "SELECT utterance_idx, start_s, end_s, text FROM words WHERE session_id = ? AND utterance_idx IN (2, 3) "
            "ORDER BY utterance_idx, word_idx",
            [sid],
        ).fetchall()
        first = [w for w in words if w[0] == 2]
        second = [w for w in words if w[0] == 3]
        assert len(first) == len(QUESTION.split()) and second[0][3].strip() == "Ik"
        assert rows[2][4] == before[0] and rows[2][5] == first[-1][2]  # times from the word timestamps
        assert rows[3][4] == second[0][1] and rows[3][5] == before[1]
        assert rows[4][3] == "Ik denk een vier."  # the later utterances move one number up
        assert (
            con.execute(
                "SELECT utterance_count FROM session_metrics WHERE session_id = ? AND role = 'all'", [sid]
            ).fetchone()[0]
            == 6
        )
        entry = store.corrections.history(con, sid)[-1]
        assert entry["value"]["timing"] == "words" and entry["utterance_idx"] == 2
        # a later change on another utterance, by its number after the cut, then the cut taken back alone
        later = _add(con, sid, "text", {"text": "Ik denk een zes."}, 4)
        _add(con, sid, "orientation", {"orientation": "solution"}, 3)  # on the cut's second part
        with pytest.raises(UserError, match="latere wijziging"):  # ... so the cut cannot be taken back alone
            store.corrections.undo(con, sid, "Bram", retag_for, cut)
        store.corrections.undo(con, sid, "Bram", retag_for)  # that change on the second part
        assert store.corrections.undo(con, sid, "Bram", retag_for, cut) == cut
        texts = [
            r[0]
            for r in con.execute(
                "SELECT text FROM utterances WHERE session_id = ? ORDER BY idx", [sid]
            ).fetchall()
        ]
        assert texts == [t for _s, _r, t in TEXTS[:3]] + ["Ik denk een zes.", TEXTS[4][2]]
        numbers = {h["correction_id"]: h["utterance_idx"] for h in store.corrections.history(con, sid)}
        assert numbers[later] == 3  # the text change, renumbered; the undone change on the gone part: none
        assert list(numbers.values())[-1] is None
        assert store.corrections.undo(con, sid, "Bram", retag_for) == later
        assert _state(con, sid) == original  # words, times, tags and figures as the machine made them


def test_a_cut_without_word_times_divides_the_time_by_characters_and_a_bad_point_is_one_sentence(tmp_path):
    path, sid = _db(tmp_path, words=False)
    with store.connect(path) as con:
        start, end = con.execute(
            "SELECT start_s, end_s FROM utterances WHERE session_id = ? AND idx = 2", [sid]
        ).fetchone()
        before = _state(con, sid)
        for bad in (0, len(TEXTS[2][2])):
            with pytest.raises(UserError) as caught:
                _add(con, sid, "speaker", {"speaker": "S2", "at": bad}, 2)
            assert caught.value.key == "error.correction.split_point"
        assert _state(con, sid) == before
        _split(con, sid, speaker="S3")
        cut_s = start + (end - start) * len(QUESTION) / len(TEXTS[2][2])
        times = con.execute(
            "SELECT start_s, end_s FROM utterances WHERE session_id = ? AND idx IN (2, 3) ORDER BY idx", [sid]
        ).fetchall()
        assert times == [(start, pytest.approx(cut_s)), (pytest.approx(cut_s), end)]
        assert store.corrections.history(con, sid)[-1]["value"]["timing"] == "chars"
        speakers = dict(
            con.execute("SELECT speaker, role FROM speakers WHERE session_id = ?", [sid]).fetchall()
        )
        assert speakers["S3"] == "client"
        store.corrections.undo(con, sid, "Bram", retag_for)
        assert _state(con, sid) == before


def test_supervision_notes_stay_on_their_utterance_through_a_cut_and_its_undo(tmp_path):
    """A note on a moment after the cut moves one number up with its utterance and back when the cut is
    undone; a note on the cut's second part goes back to the utterance it was cut from; nothing is lost."""
    path, sid = _db(tmp_path, words=True)
    with store.connect(path) as con:
        store.supervision.save_note(
            con, sid, "scale_followed:3", "scale_followed", 3, 12.0, "Mooi doorgevraagd."
        )
        store.supervision.save_note(
            con, sid, "problem_stretch:1", "problem_stretch", 1, 4.0, "Lang bij het probleem."
        )
        cut = _split(con, sid)
        notes = store.supervision.notes_for(con, sid)
        assert set(notes) == {"scale_followed:4", "problem_stretch:1"}
        assert (
            notes["scale_followed:4"].utterance_idx == 4
            and notes["scale_followed:4"].note == "Mooi doorgevraagd."
        )
        store.supervision.save_note(
            con, sid, "exception_report:3", "exception_report", 3, 9.0, "Uitzondering!"
        )
        assert store.corrections.undo(con, sid, "Bram", retag_for, cut) == cut
        notes = store.supervision.notes_for(con, sid)
        assert set(notes) == {"scale_followed:3", "problem_stretch:1", "exception_report:2"}
        assert notes["scale_followed:3"].utterance_idx == 3
        assert notes["exception_report:2"].note == "Uitzondering!"  # the part is gone; its note is not
