"""One AppTest per dashboard page on the fixture database: no exception, and the real content is there."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FixtureDb
from streamlit.testing.v1 import AppTest

from store import connect

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def open_app(monkeypatch: pytest.MonkeyPatch, db: Path, page: str | None = None, **params: str) -> AppTest:
    monkeypatch.setenv("SPIEGEL_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=90)
    if params.get("lang"):
        at.query_params["lang"] = params["lang"]
    at.run()
    if page:
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.subheader, *at.markdown, *at.caption, *at.info, *at.warning)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_overview_lists_sessions_newest_first(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path)
    assert at.title[0].value == "Overzicht van gesprekken"
    table = at.dataframe[0].value
    assert list(table["link"]) == [f"/session?id={s}" for s in (fixture_db.c, fixture_db.b, fixture_db.a)]
    assert list(table["practitioner"]) == ["Bram Jansen", "Anna de Vries", "Anna de Vries"]
    assert table["ratio"].iloc[0].endswith("(telling)")  # session C has no times
    assert "(telling)" not in table["ratio"].iloc[1]
    assert table["scales"].iloc[1] == "1 · laatste 6,5"
    assert "compliment" in table["techniques"].iloc[1]
    assert table["warnings"].iloc[2] == "⚠ 2"
    assert {m.label: m.value for m in at.metric}["Gesprekken"] == "3"


@pytest.mark.parametrize("which", ["empty", "missing"])
def test_overview_explains_how_to_add_a_recording(monkeypatch, tmp_path, empty_db, which):
    db = empty_db if which == "empty" else tmp_path / "nog-niet.duckdb"
    at = open_app(monkeypatch, db)
    text = all_text(at)
    assert "Nog geen gesprekken" in text
    assert "spiegel process opname.m4a" in text
    assert not at.error
    if which == "missing":
        assert not db.exists()  # reading never creates the database


def test_session_page_shows_tagged_transcript(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.a)
    text = all_text(at)
    assert at.title[0].value == "Gesprek van 02-03-2026"
    assert "Kerncijfers" in text
    # Dutch label display names on chips and in the technique counts
    for name in ("uitzonderingsvraag", "wat-nog-meer-vraag", "wondervraag", "schaalscore · vooruitgang = 4"):
        assert name in text, name
    # tags explained by their rule id, with the span highlighted
    assert "<code>compliment.direct.03</code>" in text
    assert '<mark class="gs-mark" title="compliment">Knap dat je dat deed</mark>' in text
    # orientation shown by word too, not by colour alone
    assert "oplossingsgericht" in text
    assert "probleemgericht" in text
    # warnings: known code translated, unknown code shown as is
    warning = at.warning[0].value
    assert "onzeker" in warning
    assert "mystery\\_code" in warning
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Uitzonderingen opgepakt"] == "100%"
    assert metrics["Eerste oplossingsgerichte vraag"] == "00:10"
    assert "(telling)" not in metrics["Oplossingsgericht (samen)"]
    assert len(at.get("vega_lite_chart")) == 2  # timeline and scale answers


def test_session_filter_on_one_label(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.a)
    assert "10 van 10 uitingen" in all_text(at)
    at.selectbox(key=f"filter_{fixture_db.a}").set_value("label:compliment").run()
    assert not at.exception
    text = all_text(at)
    assert "1 van 10 uitingen" in text
    assert "Knap dat je dat deed" in text
    assert "Goedemiddag" not in text
    at.selectbox(key=f"filter_{fixture_db.a}").set_value("tagged").run()
    assert "7 van 10 uitingen" in all_text(at)


def test_session_text_is_html_escaped(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.c)
    transcript = next(m.value for m in at.markdown if 'class="gs-tr"' in m.value)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in transcript
    assert "&lt;b&gt;vet&lt;/b&gt;" in transcript
    assert "&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;" in transcript
    for element in at.markdown:
        for raw in ("<script", "<b>", "<img"):
            assert raw not in element.value, (raw, element.value[:200])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Oplossingsgericht (samen)"] == "75% (telling)"
    assert any("geen tijden" in i.value for i in at.info)


@pytest.mark.parametrize("session_id", ["bestaat-niet", "<b>x</b>"])
def test_session_unknown_id_is_friendly(monkeypatch, fixture_db: FixtureDb, session_id):
    at = open_app(monkeypatch, fixture_db.path, "session", id=session_id)
    assert "staat niet (meer) in deze database" in at.info[0].value
    assert not at.error


def test_session_without_id_offers_a_choice(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "session")
    box = at.selectbox(key="session_pick")
    assert box.label == "Kies een gesprek"
    box.set_value(fixture_db.b).run()
    assert not at.exception
    assert at.query_params["id"] == fixture_db.b
    assert at.title[0].value == "Gesprek van 16-03-2026"


def test_practitioner_page(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "practitioner", name="Anna de Vries")
    assert at.title[0].value == "Hulpverlener: Anna de Vries"
    assert {m.label: m.value for m in at.metric}["Gesprekken"] == "2"
    table = at.dataframe[0].value
    assert set(table["link"]) == {f"/session?id={fixture_db.a}", f"/session?id={fixture_db.b}"}
    assert len(at.get("vega_lite_chart")) == 2
    unknown = open_app(monkeypatch, fixture_db.path, "practitioner", name="Niemand")
    assert "geen gesprekken" in unknown.info[0].value


def test_client_page_shows_scale_scores(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "client", code="K-001")
    assert at.title[0].value == "Cliënt: K\\-001"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Laatste schaalscore"] == "6,5"
    assert metrics["Gesprekken"] == "2"
    assert len(at.get("vega_lite_chart")) == 1
    no_scales = open_app(monkeypatch, fixture_db.path, "client", code="K-002")
    assert "geen schaalscores" in all_text(no_scales)


def test_cohort_page(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "cohort")
    table = at.dataframe[0].value
    assert list(table["Hulpverlener"]) == ["Anna de Vries", "Bram Jansen"]
    assert list(table["Gesprekken"]) == [2, 1]
    assert len(at.get("vega_lite_chart")) == 2
    at.date_input(key="cohort_training").set_value("2026-03-10").run()
    assert not at.exception
    assert "Gemiddeld oplossingsgericht voor en na 10-03-2026" in all_text(at)


def test_english_interface(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, lang="en")
    assert at.title[0].value == "Sessions overview"
    assert at.query_params.get("lang") == "en"
    assert at.dataframe[0].value["link"].iloc[0] == f"/session?id={fixture_db.c}&lang=en"
    at.query_params["id"] = fixture_db.a
    at.switch_page("views/session.py").run()
    assert not at.exception
    text = all_text(at)
    assert "exception question" in text
    assert "solution-focused" in text
    at.switch_page("views/cohort.py").run()
    assert at.title[0].value == "Group: all practitioners"
    at.selectbox(key="lang").set_value("nl").run()
    assert not at.exception
    assert at.title[0].value == "Groep: alle hulpverleners"
    assert "lang" not in at.query_params


def test_reading_leaves_the_database_free_for_writers(monkeypatch, fixture_db: FixtureDb):
    open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.a)
    with connect(fixture_db.path) as con:  # would fail if the dashboard still held a connection
        assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 3
