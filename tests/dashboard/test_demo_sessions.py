"""The demo shows the product: the sample sessions are stored from their transcripts too, and sessions spoken by
synthetic voices say so on the pages (the warning `synthetic_voices`, added by `store.marks.add_warning`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from conftest import FixtureDb
from test_views import all_text, open_app

from cli.demo import SYNTHETIC, process_samples, sample_transcripts
from core.texts import text
from store import connect, queries
from store.marks import add_warning


def test_demo_stores_every_sample_transcript_with_its_tags(tmp_path):
    db = tmp_path / "demo.duckdb"
    outcomes = process_samples(db, progress=False, recordings=False)
    assert [o.error for o in outcomes] == [None] * len(sample_transcripts())
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute(
            "SELECT s.source_name, s.practitioner, s.client_code, count(t.label) FROM sessions s "
            "LEFT JOIN tags t USING (session_id) GROUP BY ALL ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    expected = []
    for sample in sample_transcripts():
        meta = json.loads(sample.transcript.read_text(encoding="utf-8"))["meta"]
        expected.append((sample.transcript.name, meta["practitioner"], meta["client_code"]))
    assert [row[:3] for row in stored] == sorted(expected)
    # what a newcomer sees first: the transcripts' sessions carry the techniques (measured 7–20 tags each,
    # against 1–4 from the synthetic recordings of the same sessions)
    assert all(row[3] >= 5 for row in stored), stored


def test_marking_a_session_is_once_and_gives_it_a_new_revision(fixture_db: FixtureDb, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(fixture_db.path, db)
    with connect(db) as con:
        before = queries.revisions(con)[fixture_db.b]
        assert add_warning(con, fixture_db.b, SYNTHETIC)
        assert add_warning(con, fixture_db.b, SYNTHETIC)
        assert not add_warning(con, "bestaat-niet", SYNTHETIC)
        warnings = con.execute(
            "SELECT warnings FROM sessions WHERE session_id = ?", [fixture_db.b]
        ).fetchone()[0]
        after = queries.revisions(con)[fixture_db.b]
    assert warnings.count(SYNTHETIC) == 1
    assert after > before


def test_pages_say_which_sessions_have_synthetic_voices(monkeypatch, fixture_db: FixtureDb, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(fixture_db.path, db)
    with connect(db) as con:
        add_warning(con, fixture_db.b, SYNTHETIC)
    at = open_app(monkeypatch, db)
    table = at.dataframe[0].value
    marked = dict(zip(table["link"], table["warnings"], strict=True))
    assert text("app.synthetic_short", "nl") in marked[f"/session?id={fixture_db.b}"]
    assert text("app.synthetic_short", "nl") not in marked[f"/session?id={fixture_db.a}"]
    assert "espeak-ng" in all_text(at)  # the note under the table says what the mark means
    at = open_app(monkeypatch, db, "session", id=fixture_db.b)
    assert text("warning.synthetic_voices", "nl") in all_text(at).replace("\\", "")  # Markdown-escaped


def test_the_sample_audio_path_is_beside_its_transcript():
    for sample in sample_transcripts():
        assert sample.audio.name == Path(sample.transcript).with_suffix(".wav").name
