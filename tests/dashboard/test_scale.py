"""The dashboard on a generated database larger than one page: pages of rows, pages of utterances, summaries."""

from __future__ import annotations

import pytest
from test_views import all_text, open_app

from bench.make_big_db import generate
from dashboard.ui import PAGE_ROWS, PAGE_UTTERANCES, PICK_LIMIT


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "big.duckdb"
    generate(path, sessions=450, per_session=130)
    return path


def test_overview_shows_one_page_of_sessions(monkeypatch, big_db):
    at = open_app(monkeypatch, big_db)
    assert len(at.dataframe[0].value) == PAGE_ROWS
    at.number_input(key="overview_table_page").set_value(9).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == 450 - 8 * PAGE_ROWS
    assert "rijen 401–450 van 450" in all_text(at)


def test_session_transcript_comes_a_page_at_a_time(monkeypatch, big_db):
    at = open_app(monkeypatch, big_db, "session", id=f"{100:012x}")
    html = "".join(m.value for m in at.markdown if 'class="gs-tr"' in m.value)
    assert html.count('class="gs-u ') == PAGE_UTTERANCES
    assert "130 van 130 uitingen" in all_text(at)


def test_cohort_summarises_many_sessions(monkeypatch, big_db):
    at = open_app(monkeypatch, big_db, "cohort")
    assert len(at.get("vega_lite_chart")) == 2
    assert list(at.dataframe[0].value["Gesprekken"])[:2] == [12, 12]


def test_the_session_chooser_lists_the_newest_and_searches_all(monkeypatch, big_db):
    at = open_app(monkeypatch, big_db, "session")
    assert len(at.selectbox(key="session_pick").options) == PICK_LIMIT
    assert f"De {PICK_LIMIT} nieuwste van 450 gesprekken" in all_text(at)
    at.text_input(key="session_pick_search").input("begeleider 07").run()
    assert not at.exception
    found = at.selectbox(key="session_pick").options
    assert 5 < len(found) < PICK_LIMIT
    assert all("Begeleider 07" in option for option in found)
