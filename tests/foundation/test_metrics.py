"""session_metrics computed on hand-made sessions whose figures are known."""

from __future__ import annotations

from pathlib import Path

import pytest

import store
from core.records import (
    Orientation,
    Role,
    Tag,
    TaggedUtterance,
    TagResult,
    Utterance,
)
from tests.records import make_session

P, C = Role.PRACTITIONER, Role.CLIENT
S, PR, N = Orientation.SOLUTION, Orientation.PROBLEM, Orientation.NEUTRAL


def tag(label: str, subtype: str | None = None, value: float | None = None) -> Tag:
    return Tag(label, subtype, value, 0, 3, f"{label}.test.01")


# (role, start, end, orientation, is_question, tags, scale_value)
ROWS = [
    (P, 0, 10, N, False, (), None),  # greeting
    (C, 10, 30, PR, False, (), None),  # complaint
    (P, 30, 35, S, True, (tag("scale_question", "progress"),), None),  # first solution question at 30 s
    (C, 35, 40, S, False, (tag("scale_answer", "progress", 4.0),), 4.0),
    (P, 40, 45, PR, True, (tag("problem_question"),), None),
    (C, 45, 55, S, False, (tag("exception_report"),), None),
    (P, 55, 60, S, False, (tag("compliment", "direct"),), None),  # follows the exception up
    (C, 60, 70, S, False, (tag("exception_report"),), None),  # not followed up: session ends
]


@pytest.fixture
def metrics(tmp_path):
    utterances = [
        TaggedUtterance(
            Utterance(i, "S1" if role == P else "S2", role, f"u{i}", float(a), float(b)),
            TagResult(o, tags, q, sv),
        )
        for i, (role, a, b, o, q, tags, sv) in enumerate(ROWS)
    ]
    with store.connect(tmp_path / "m.duckdb") as con:
        session = make_session(
            utterances, source_sha256="c" * 64, source_name="x.wav", duration_s=600.0, asr_model="t"
        )
        sid, _ = store.save_session(con, session)
        cur = con.execute("SELECT * FROM session_metrics WHERE session_id = ?", [sid])
        cols = [d[0] for d in cur.description]
        return {row[1]: dict(zip(cols, row, strict=True)) for row in cur.fetchall()}


def test_one_row_per_role(metrics):
    assert set(metrics) == {"practitioner", "client", "all"}


def test_solution_talk_ratio_by_time(metrics):
    # all: solution 5+5+10+5+10 = 35 s, problem 20+5 = 25 s
    assert metrics["all"]["solution_talk_ratio"] == pytest.approx(35 / 60)
    assert metrics["client"]["solution_talk_ratio"] == pytest.approx(25 / 45)
    assert metrics["practitioner"]["solution_talk_ratio"] == pytest.approx(10 / 15)


def test_count_ratio_and_talk_share(metrics):
    assert metrics["all"]["solution_talk_ratio_count"] == pytest.approx(5 / 7)
    assert metrics["practitioner"]["talk_share"] == pytest.approx(25 / 70)
    assert metrics["client"]["talk_share"] == pytest.approx(45 / 70)


def test_questions(metrics):
    assert metrics["practitioner"]["question_share"] == pytest.approx(2 / 4)
    assert metrics["practitioner"]["problem_question_share"] == pytest.approx(1 / 2)


def test_label_counts_and_rates(metrics):
    assert metrics["all"]["label_count_exception_report"] == 2
    assert metrics["practitioner"]["label_count_exception_report"] == 0
    assert metrics["all"]["label_rate_exception_report"] == pytest.approx(2.0)  # 2 per 10 minutes of 600 s


def test_exception_followup_and_first_turn(metrics):
    assert metrics["all"]["exception_followup_rate"] == pytest.approx(0.5)
    assert metrics["all"]["first_solution_turn_s"] == pytest.approx(30.0)


def test_scale_answers(metrics):
    assert [(a["value"], a["subtype"]) for a in metrics["client"]["scale_answers"]] == [(4.0, "progress")]
    assert metrics["practitioner"]["scale_answers"] is None


def test_label_columns_are_generated_from_the_taxonomy():
    """One label_count_/label_rate_ column per taxonomy label, none written into schema.sql by hand."""
    import duckdb

    from core.taxonomy import LABELS
    from store.connection import render_schema

    template = (Path(store.__file__).parent / "sql" / "schema.sql").read_text(encoding="utf-8")
    assert "label_count_compliment" not in template
    con = duckdb.connect(":memory:")
    con.execute(render_schema(template, (*LABELS, "new_question")))
    columns = [d[0] for d in con.execute("SELECT * FROM session_metrics_of(NULL)").description]
    for label in (*LABELS, "new_question"):
        assert f"label_count_{label}" in columns and f"label_rate_{label}" in columns
