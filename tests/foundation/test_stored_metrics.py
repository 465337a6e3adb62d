"""Session figures stored at write time: equal to the former view, refreshed per session, revisions per write."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import store
from bench.make_big_db import generate
from core.records import Orientation, Role, TaggedUtterance, TagResult, Utterance
from store.connection import render_schema
from tests.records import make_session

REFERENCE = Path(__file__).parent / "data" / "reference_session_metrics.sql"


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return [tuple(str(v) for v in row) for row in con.execute(sql).fetchall()]


def _reference(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    con.execute(render_schema(REFERENCE.read_text(encoding="utf-8")))
    return _rows(con, "SELECT * FROM reference_session_metrics ORDER BY session_id, role")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "g.duckdb"
    generate(path, sessions=40, per_session=60)
    return path


def test_stored_figures_equal_the_former_view(generated, tmp_path):
    copy = tmp_path / "g.duckdb"
    copy.write_bytes(generated.read_bytes())
    with store.connect(copy) as con:
        stored = _rows(con, "SELECT * FROM session_metrics ORDER BY session_id, role")
        computed = _rows(con, "SELECT * FROM session_metrics_of(NULL) ORDER BY session_id, role")
        reference = _reference(con)
    assert len(stored) == 120
    assert stored == reference
    assert computed == reference


def test_one_session_computed_alone_equals_all_at_once(generated):
    with store.connect(generated, read_only=True) as con:
        sid = con.execute("SELECT max(session_id) FROM sessions").fetchone()[0]
        alone = _rows(con, f"SELECT * FROM session_metrics_of(['{sid}']) ORDER BY role")
        among = _rows(con, f"SELECT * FROM session_metrics WHERE session_id = '{sid}' ORDER BY role")
    assert alone == among


def _session(name: str, orientation: Orientation) -> object:
    tagged = [
        TaggedUtterance(
            Utterance(0, "A", Role.PRACTITIONER, "Wat gaat goed?", 0.0, 5.0), TagResult(orientation)
        ),
        TaggedUtterance(Utterance(1, "B", Role.CLIENT, "Alles.", 5.0, 9.0), TagResult(Orientation.SOLUTION)),
    ]
    return make_session(tagged, source_name=name, duration_s=60.0, asr_model="t")


def _revisions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return store.queries.revisions(con) or {}


def test_a_write_gives_only_its_own_session_a_new_revision(tmp_path):
    db = tmp_path / "r.duckdb"
    with store.connect(db) as con:
        a, _ = store.save_session(con, _session("a.wav", Orientation.SOLUTION))
        b, _ = store.save_session(con, _session("b.wav", Orientation.PROBLEM))
        before = _revisions(con)
        ratio = "SELECT solution_talk_ratio FROM session_metrics WHERE session_id = ? AND role = 'all'"
        assert con.execute(ratio, [a]).fetchone()[0] == pytest.approx(1.0)
        record = store.load_session(con, a)
        flipped = [TaggedUtterance(t.utterance, TagResult(Orientation.PROBLEM)) for t in record.tagged]
        store.replace_content(con, a, flipped)
        after = _revisions(con)
        assert con.execute(ratio, [a]).fetchone()[0] == pytest.approx(0.0)
        assert after[b] == before[b]
        assert after[a] > max(before.values())
        store.delete_session(con, a)
        assert set(_revisions(con)) == {b}
        assert (
            con.execute("SELECT count(*) FROM session_metrics WHERE session_id = ?", [a]).fetchone()[0] == 0
        )


def test_a_database_from_before_stored_figures_is_filled_on_first_write(generated, tmp_path):
    """Simulate the former layout: no stored table, session_metrics a view. One write connection fixes it."""
    copy = tmp_path / "old.duckdb"
    copy.write_bytes(generated.read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("DROP VIEW session_metrics")
    con.execute("DROP TABLE session_metrics_stored")
    con.execute("DELETE FROM schema_info WHERE key = 'metrics_version'")
    con.execute("DELETE FROM session_revisions")
    reference = _reference(con)
    con.close()
    with store.connect(copy) as con:
        assert _rows(con, "SELECT * FROM session_metrics ORDER BY session_id, role") == reference
        assert len(_revisions(con)) == 40
