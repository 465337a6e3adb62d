"""The "why" of an orientation in the store (`utterances.orientation_cues`), on a real DuckDB file with the real
tagger: stored and loaded, following a text correction (and its undo), rewritten by `replace_content`,
exported in every format (CSV as JSON text), and an older database without the column still read and then
brought up to date."""

from __future__ import annotations

import csv
import hashlib
import json

import duckdb
import pytest

import store
from core.corrections import Correction
from core.records import Role
from store.export import export_all, session_csv
from tagger import load_tagger
from tests.records import make_session, retag_for, tag_texts

TEXTS = [
    ("S1", Role.PRACTITIONER, "Goedemiddag, fijn dat je er bent."),
    ("S2", Role.CLIENT, "Het gaat slecht, ik slaap nauwelijks en ik maak steeds ruzie."),
    ("S1", Role.PRACTITIONER, "Op een schaal van 0 tot 10, waar sta je nu?"),
    ("S2", Role.CLIENT, "Ik denk een vier."),
    ("S1", Role.PRACTITIONER, "Knap dat je dat toch volhoudt!"),
    ("S2", Role.CLIENT, "Wandelen helpt me echt, dan voel ik me rustiger."),
]
BETTER = "Het gaat eigenlijk beter, ik slaap weer goed en het lukt me om rustig te blijven."


def _session(name: str = "cues.wav"):
    return make_session(
        tag_texts(TEXTS),
        source_name=name,
        source_sha256=hashlib.sha256(name.encode()).hexdigest(),
        duration_s=30.0,
        asr_model="base",
    )


def _stored(con, sid: str) -> list[list[str] | None]:
    rows = con.execute(
        "SELECT orientation_cues FROM utterances WHERE session_id = ? ORDER BY idx", [sid]
    ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cues.duckdb"
    session = _session()
    with store.connect(path) as con:
        sid, _ = store.save_session(con, session)
    return path, sid, session


def test_cues_are_stored_and_loaded_back(db):
    path, sid, session = db
    expected = [list(r.orientation_cues) for r in session.results]
    assert any(expected), "the real tagger named no cue at all: nothing would be tested"
    with store.connect(path, read_only=True) as con:  # a new connection: what a restart sees
        assert _stored(con, sid) == expected
        loaded = store.load_session(con, sid)
        shown = store.queries.session_utterances(con, sid).df()
    assert [list(r.orientation_cues) for r in loaded.results] == expected
    assert [list(c) for c in shown["orientation_cues"]] == expected


def test_cues_follow_a_text_correction_and_its_undo(db):
    path, sid, session = db
    before = list(session.results[1].orientation_cues)
    corrected = [*TEXTS[:1], ("S2", Role.CLIENT, BETTER), *TEXTS[2:]]
    fresh = list(
        load_tagger("nl").tag_conversation([(t, str(r)) for _s, r, t in corrected])[1].orientation_cues
    )
    assert fresh != before  # else the test could not tell a refresh from a stale row
    with store.connect(path) as con:
        store.corrections.add(
            con, sid, Correction("text", {"text": BETTER}, utterance_idx=1, author="Anna"), retag_for
        )
    with store.connect(path, read_only=True) as con:
        assert _stored(con, sid)[1] == fresh
        assert [list(r.orientation_cues) for r in store.load_session(con, sid).results][1] == fresh
    with store.connect(path) as con:
        store.corrections.undo(con, sid, "Anna", retag_for)
        assert _stored(con, sid)[1] == before  # the machine's own why is back


def test_an_orientation_set_by_hand_drops_the_machines_cues(db):
    path, sid, session = db
    other = "neutral" if str(session.results[1].orientation) != "neutral" else "solution"
    with store.connect(path) as con:
        store.corrections.add(
            con,
            sid,
            Correction("orientation", {"orientation": other}, utterance_idx=1, author="A"),
            retag_for,
        )
        assert _stored(con, sid)[1] == []
        assert _stored(con, sid)[5] == list(session.results[5].orientation_cues)  # the others stay


def test_replace_content_writes_the_new_cues(db):
    path, sid, _ = db
    changed = [*TEXTS[:5], ("S2", Role.CLIENT, "Niks helpt, het wordt alleen maar erger.")]
    retagged = tag_texts(changed)
    with store.connect(path) as con:
        store.replace_content(con, sid, retagged)
        assert _stored(con, sid) == [list(t.result.orientation_cues) for t in retagged]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_cues_are_exported(db, tmp_path, fmt):
    path, _, session = db
    expected = [list(r.orientation_cues) for r in session.results]
    written = {p.name: p for p in export_all(path, fmt, tmp_path / "out")}
    target = written[f"utterances.{fmt}"]
    if fmt == "csv":  # JSON text, not DuckDB's repr of a list
        with target.open(encoding="utf-8", newline="") as stream:
            got = [json.loads(row["orientation_cues"]) for row in csv.DictReader(stream)]
    elif fmt == "json":
        got = [row["orientation_cues"] for row in json.loads(target.read_text(encoding="utf-8"))]
    else:
        got = [
            row[0] for row in duckdb.sql(f"SELECT orientation_cues FROM '{target}' ORDER BY idx").fetchall()
        ]
    assert got == expected
    rows = list(csv.DictReader(session_csv(session).decode("utf-8-sig").splitlines()))
    assert [json.loads(row["orientation_cues"]) for row in rows] == expected


def test_an_older_database_without_the_column_is_read_and_then_gets_it(db, tmp_path):
    path, sid, _ = db
    with store.connect(path) as con:
        for table in ("utterances", "original_utterances"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN orientation_cues")
    old = tmp_path / "old.duckdb"
    path.rename(old)
    with store.connect(old, read_only=True) as con:  # read-only: the schema is not brought up to date
        loaded = store.load_session(con, sid)
        shown = store.queries.session_utterances(con, sid).df()
    assert all(r.orientation_cues == () for r in loaded.results)
    assert shown["orientation_cues"].isna().all()
    assert "utterances.csv" in {p.name for p in export_all(old, "csv", tmp_path / "out")}
    new = _session("nieuw.wav")
    with store.connect(old) as con:  # a write connection adds the column; old rows stay unknown (NULL)
        assert _stored(con, sid) == [None] * len(TEXTS)
        new_id, _ = store.save_session(con, new)
        assert _stored(con, new_id) == [list(r.orientation_cues) for r in new.results]
        store.corrections.add(  # the kept original copies the column too
            con, sid, Correction("text", {"text": BETTER}, utterance_idx=1, author="A"), retag_for
        )
        cues = _stored(con, sid)
        assert not cues[0] and cues[1]  # an unchanged old row still has no why; the re-tagged one has one


def test_the_report_transcript_lists_each_orientations_cues(db):
    from report.build import build_markdown
    from tagger.cue_names import cue_phrases

    path, _, session = db
    assert any(r.orientation_cues for r in session.results)  # else nothing below would be checked
    for lang in ("nl", "en"):
        report = build_markdown(path, session_id_of(session), lang)
        for utterance, result in zip(session.utterances, session.results, strict=True):
            words = cue_phrases(result.orientation_cues, lang)
            if words:
                assert f": {', '.join(words)}): {utterance.text}" in report.replace("&#x27;", "'")


def session_id_of(session) -> str:
    return store.session_id_for(session.source_sha256)
