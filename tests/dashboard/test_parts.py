"""The text catalogue, formatting, escaping, the cache key and the launcher command, without a browser."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from conftest import FixtureDb, build_db, session_a

import dashboard.i18n as i18n
from dashboard import data, launch
from dashboard.ui import esc, highlighted, transcript_html
from store import connect, save_session

ROOT = Path(__file__).resolve().parents[2]
DASH = ROOT / "dashboard"


def test_locales_have_the_same_keys_and_every_label():
    nl = json.loads((ROOT / "core" / "texts" / "nl.json").read_text(encoding="utf-8"))
    en = json.loads((ROOT / "core" / "texts" / "en.json").read_text(encoding="utf-8"))
    assert set(nl) == set(en)
    for label in data.LABEL_ORDER:
        assert f"label.{label}" in nl
        assert f"labeldesc.{label}" in nl
    assert nl["label.scale_answer"] == "schaalscore"
    assert nl["orientation.solution"] == "oplossingsgericht"


def test_translations_and_fallbacks():
    assert i18n.label_name("miracle_question", "nl") == "wondervraag"
    assert i18n.label_name("miracle_question", "en") == "miracle question"
    assert i18n.label_name("brand_new_label", "nl") == "brand new label"
    assert i18n.warning_text("one_speaker", "nl").startswith("Er is maar één spreker")
    assert i18n.warning_text("weird_code", "nl") == "Melding: weird_code"
    assert i18n.t("no.such.key") == "no.such.key"


def test_number_formats():
    assert i18n.fmt_num(6.5, "nl") == "6,5"
    assert i18n.fmt_num(6.5, "en") == "6.5"
    assert i18n.fmt_num(4.0, "nl") == "4"
    assert i18n.fmt_pct(0.726) == "73%"
    assert i18n.fmt_pct(None) == "—"
    assert i18n.fmt_duration(3725) == "1:02:05"
    assert i18n.fmt_duration(45) == "00:45"  # one clock format for dashboard, report and timeline


def test_escaping_and_highlighting():
    assert esc('<script>a="$x"</script>\n') == "&lt;script&gt;a=&quot;&#36;x&quot;&lt;/script&gt; "
    text = "Knap <b>dat</b> je"
    out = highlighted(text, [(0, 4, "compliment"), (2, 100, '"><img>')])
    assert "<b>" not in out
    assert "<img>" not in out
    assert "&lt;b&gt;" in out
    assert out.startswith('<mark class="gs-mark" title="compliment">Kn</mark>')


def test_transcript_html_escapes_every_field():
    import pandas as pd

    utterances = pd.DataFrame(
        [
            {
                "idx": 0,
                "speaker": "<i>x</i>",
                "role": "client",
                "start_s": None,
                "end_s": None,
                "text": "<script>alert(1)</script>",
                "orientation": "problem",
                "is_question": False,
                "scale_value": None,
            }
        ]
    )
    tags = pd.DataFrame(
        [
            {
                "utterance_idx": 0,
                "label": "<u>",
                "subtype": "<s>",
                "value": None,
                "start_char": 0,
                "end_char": 8,
                "rule": "<img src=x onerror=alert(1)>",
            }
        ]
    )
    out = transcript_html(utterances, tags, "nl")
    for raw in ("<script", "<i>", "<u>", "<s>", "<img"):
        assert raw not in out
    assert "&lt;script&gt;</mark>alert(1)&lt;/script&gt;" in out


def test_transcript_html_gives_each_orientation_its_why_escaped():
    """The orientation's cues in words inside the utterance's "why"; an HTML cue word stays text; a row
    without cues (NULL from an older database) gets nothing extra."""
    import pandas as pd

    row = {"speaker": "S2", "role": "client", "start_s": None, "end_s": None, "is_question": False}
    utterances = pd.DataFrame(
        [
            {**row, "idx": 0, "text": "Wandelen helpt.", "orientation": "solution",
             "orientation_cues": ["lex.pos", "l:<img src=x onerror=alert(1)>", "no.such.feature"]},
            {**row, "idx": 1, "text": "Oud.", "orientation": "neutral", "orientation_cues": None},
        ]
    )  # fmt: skip
    tags = pd.DataFrame(
        columns=["utterance_idx", "label", "subtype", "value", "start_char", "end_char", "rule"]
    )
    out = transcript_html(utterances, tags, "nl")
    assert (
        '<li class="gs-ocues">Richting: oplossingsgericht — vooral door: positieve woorden, '
        "het woord ‘&lt;img src=x onerror=alert(1)&gt;’</li>"
    ) in out
    assert "<img" not in out and "no.such.feature" not in out
    assert out.count("<details") == 1 and "waarom deze richting?" in out
    english = transcript_html(utterances, tags, "en")
    assert "Direction: solution-focused — mainly because of: positive words" in english


def test_new_sessions_show_up(tmp_path, monkeypatch):
    db = tmp_path / "groeit.duckdb"
    with connect(db) as con:
        save_session(con, session_a())
    monkeypatch.setenv("SPIEGEL_DB", str(db))
    assert len(data.sessions()) == 1
    full: FixtureDb = build_db(tmp_path / "vol.duckdb")
    monkeypatch.setenv("SPIEGEL_DB", str(full.path))
    assert len(data.sessions()) == 3
    assert data.session("nope") is None
    view = data.session(full.a)
    assert view is not None
    assert len(view.utterances) == 10
    assert view.meta["practitioner"] == "Anna de Vries"


def test_launcher_keeps_it_local_and_private(tmp_path):
    cmd = launch.dashboard_command(8765)
    joined = " ".join(cmd)
    assert cmd[:4] == [launch.sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]).is_absolute()
    assert cmd[4].endswith("dashboard/server.py")  # the st.App around dashboard/app.py
    for flag in (
        "--server.port 8765",
        "--server.address 127.0.0.1",
        "--server.headless true",
        "--browser.gatherUsageStats false",
        "--global.developmentMode false",
    ):
        assert flag in joined
    env = launch.dashboard_env(tmp_path / "x.duckdb")
    assert env["SPIEGEL_DB"] == str((tmp_path / "x.duckdb").resolve())
    config = tomllib.loads((DASH / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
