"""The supervision page (`/supervision?id=`) in Streamlit's AppTest on a real DuckDB file of sample sessions."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from test_views import open_app

import store
from store import supervision
from tests.supervision.sample_sessions import sample_session


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("supervision") / "samples.duckdb"
    ids = {}
    with store.connect(path) as con:
        for name in ("nl_eerste_gesprek", "nl_probleemgesprek"):
            ids[name], _ = store.save_session(con, sample_session(name))
    return path, ids


def moment_texts(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and " · **" in m.value]


def test_page_lists_what_went_well_then_what_to_look_at_again(monkeypatch, samples_db) -> None:
    path, ids = samples_db
    at = open_app(monkeypatch, path, "supervision", id=ids["nl_probleemgesprek"])
    assert [h.value for h in at.header] == ["Wat goed ging", "Om nog eens naar te kijken", "De cijfers"]
    assert moment_texts(at) == [
        "**02:41** · **Een uitzondering die werd uitvergroot**",
        "**00:03** · **Een reeks probleemvragen**",
        "**00:03** · **Een lang stuk probleemtaal**",
    ]
    assert "5 probleemvragen achter elkaar, zonder oplossingsgerichte vraag ertussen." in [
        c.value for c in at.caption
    ]
    assert not at.get("audio")  # no kept recording: no play button, and no error either


def test_a_note_is_saved_and_shown_again(monkeypatch, samples_db) -> None:
    path, ids = samples_db
    sid = ids["nl_eerste_gesprek"]
    at = open_app(monkeypatch, path, "supervision", id=sid)
    at.text_area(key=f"note_text_{sid}_compliment_landed:22").input("Sterk compliment, vraag naar de timing.")
    at.button(key=f"FormSubmitter:note_{sid}_compliment_landed:22-Notitie opslaan").click().run()
    assert not at.exception
    assert "Notitie opgeslagen." in [s.value for s in at.success]
    with store.connect(path, read_only=True) as con:
        assert (
            supervision.notes_for(con, sid)["compliment_landed:22"].note
            == "Sterk compliment, vraag naar de timing."
        )
    again = open_app(monkeypatch, path, "supervision", id=sid)
    assert again.text_area(key=f"note_text_{sid}_compliment_landed:22").value == (
        "Sterk compliment, vraag naar de timing."
    )


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * 5)
    return buffer.getvalue()


def test_with_kept_audio_each_moment_plays_from_its_own_time(monkeypatch, tmp_path) -> None:
    """A kept recording (store/audio.py, the 'listen' work of issue #10) gives every moment a player that
    starts at the moment's own time; without it the page has no player (the test above)."""
    audio = pytest.importorskip(
        "store.audio", reason="kept recordings (store/audio.py) are not in this checkout"
    )
    path = tmp_path / "met-opname.duckdb"
    with store.connect(path) as con:
        sid, _ = store.save_session(con, sample_session("nl_probleemgesprek"))
    audio.keep(path, sid, _wav(), "audio/wav", 5.0)
    at = open_app(monkeypatch, path, "supervision", id=sid)
    assert [a.proto.start_time for a in at.get("audio")] == [161, 3, 3]


def test_unknown_session_says_so(monkeypatch, samples_db) -> None:
    path, _ = samples_db
    at = open_app(monkeypatch, path, "supervision", id="bestaat-niet")
    assert any("staat niet (meer) in deze database" in i.value for i in at.info)


def test_page_in_english(monkeypatch, samples_db) -> None:
    path, ids = samples_db
    at = open_app(monkeypatch, path, "supervision", id=ids["nl_eerste_gesprek"], lang="en")
    assert at.title[0].value == "Positive supervision · 14 September 2026"
    assert [h.value for h in at.header] == ["What went well", "Worth another look", "The figures"]
    assert "**02:42** · **A compliment that landed**" in moment_texts(at)


def test_without_an_id_the_page_offers_the_sessions(monkeypatch, samples_db) -> None:
    path, ids = samples_db
    at = open_app(monkeypatch, path, "supervision")
    assert at.title[0].value == "Supervisie"
    (picker,) = [s for s in at.selectbox if s.label == "Kies een gesprek"]
    assert len(picker.options) == len(ids)
    assert any(o.endswith("· K-017") for o in picker.options)
