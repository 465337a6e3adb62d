"""The finished interface, page by page (AppTest on the fixture database): what the charts are given to draw,
the cohort's before/after table, names instead of speaker labels, and what each figure leaves out."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa
from conftest import FixtureDb
from test_views import all_text, open_app

from dashboard.figures import OKABE_ITO
from dashboard.ui import ORIENTATION_COLOURS


def charts(at) -> list[tuple[dict, list[dict]]]:
    """(Vega-Lite spec, rows of its data) of every chart on the page, in page order."""
    out = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        rows: list[dict] = []
        for dataset in element.proto.datasets:
            rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
        out.append((spec, rows))
    return out


def encoding(spec: dict, channel: str) -> dict:
    layers = spec.get("layer") or [spec]
    return next(layer["encoding"][channel] for layer in layers if channel in layer.get("encoding", {}))


def test_practitioner_techniques_chart_names_sessions_by_date_and_client(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "practitioner", name="Anna de Vries")
    spec, rows = charts(at)[1]
    names = sorted({row["when"] for row in rows})
    assert names == ["02-03-2026 · K-001", "16-03-2026 · K-001"]
    assert encoding(spec, "x")["sort"] == names  # in date order
    assert encoding(spec, "color")["scale"]["range"] == list(OKABE_ITO)


def test_session_charts_have_whole_minute_ticks_and_names(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.a)
    (timeline, rows), (scales, _) = charts(at)[:2]
    assert {row["who"] for row in rows} == {"Anna de Vries (hulpverlener)", "K-001 (cliënt)"}
    for spec in (timeline, scales):
        x = encoding(spec, "x")
        assert x["axis"]["format"] == "d" and x["axis"]["tickMinStep"] == 1
        assert x["scale"]["domain"] == [0, 1.0]  # the whole 45 s session, in minutes
    legend = encoding(scales, "color")["legend"]
    assert legend["direction"] == "vertical" and legend["labelLimit"] == 0
    html = "\n".join(m.value for m in at.markdown)
    assert '<span class="gs-spk gs-r-practitioner">Anna de Vries</span>' in html
    assert "SPEAKER_00" not in html


def test_session_says_what_the_solution_figures_leave_out(monkeypatch, fixture_db: FixtureDb):
    at = open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.a)
    text = all_text(at)
    assert (
        "Neutraal telt niet mee in oplossingsgericht: hulpverlener 1 van 6 uitingen, cliënt 0 van 4" in text
    )
    at = open_app(monkeypatch, fixture_db.path, "session", id=fixture_db.a, lang="en")
    assert "practitioner 1 of 6 utterances, client 0 of 4, together 1 of 10" in all_text(at)


def test_cohort_before_after_table(monkeypatch, fixture_db: FixtureDb):
    for lang, header in (("nl", ["Hulpverlener", "Voor", "Na"]), ("en", ["Practitioner", "Before", "After"])):
        at = open_app(monkeypatch, fixture_db.path, "cohort", lang=lang)
        at.date_input(key="cohort_training").set_value(dt.date(2026, 3, 10)).run()
        assert not at.exception
        table = at.dataframe[-1].value
        assert list(table.columns) == header
        anna = table[table[header[0]] == "Anna de Vries"].iloc[0]
        assert (anna[header[1]], anna[header[2]]) == ("73%", "79%")  # session A before, B after


def test_orientation_colours_are_colour_blind_safe():
    assert ORIENTATION_COLOURS["solution"] in OKABE_ITO
    assert ORIENTATION_COLOURS["problem"] in OKABE_ITO
