"""A small hand-made Gespreksspiegel database for the dashboard tests.

Three sessions, built as `Session` records and stored with `store.save_session`:

- A (Anna de Vries, client K-001, 2026-03-02): times, many techniques, one scale answer (4), two warnings
  (one known code, one unknown code);
- B (Anna de Vries, K-001, 2026-03-16): times, scale answer 6.5, a compliment;
- C (Bram Jansen, K-002, no date): an imported transcript without times whose client utterance carries an
  HTML injection (`<script>`, `<b>`, an `<img onerror>`).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.records import (  # noqa: E402
    Orientation,
    Role,
    Session,
    Tag,
    TaggedUtterance,
    TagResult,
    Utterance,
)
from store import connect, save_session  # noqa: E402
from tests.records import make_session  # noqa: E402

INJECTION = (
    'Ik zei <script>window.__xss=1</script> en <b>vet</b> <img src=x onerror="window.__xss=2"> tegen hem.'
)


def _utt(
    idx, speaker, role, text, start=None, end=None, orientation="neutral", tags=(), question=False, scale=None
):
    built = []
    for label, subtype, value, phrase, rule in tags:
        at = text.find(phrase)
        assert at >= 0, (phrase, text)
        built.append(Tag(label, subtype, value, at, at + len(phrase), rule))
    return TaggedUtterance(
        Utterance(idx, speaker, Role(role), text, start, end),
        TagResult(Orientation(orientation), tuple(built), question, scale),
    )


def _meta(name: str, **kw) -> dict:
    sha = hashlib.sha256(name.encode()).hexdigest()
    return dict(source_sha256=sha, source_name=name, asr_model=kw.pop("asr_model", "base"), **kw)


def session_a() -> Session:
    P, C = "SPEAKER_00", "SPEAKER_01"
    rows = [
        _utt(0, P, "practitioner", "Goedemiddag, fijn dat je er bent.", 0.0, 3.0),
        _utt(
            1,
            C,
            "client",
            "Het gaat echt slecht, ik slaap nauwelijks en ik maak steeds ruzie.",
            3.5,
            10.0,
            "problem",
        ),
        _utt(
            2,
            P,
            "practitioner",
            "Wanneer was het de afgelopen week even iets beter?",
            10.5,
            14.0,
            "solution",
            [("exception_question", None, None, "Wanneer was het", "exception_question.when.01")],
            True,
        ),
        _utt(
            3,
            C,
            "client",
            "Dinsdag ben ik rustig gebleven toen mijn broer begon.",
            14.5,
            20.0,
            "solution",
            [("exception_report", None, None, "ben ik rustig gebleven", "exception_report.calm.02")],
        ),
        _utt(
            4,
            P,
            "practitioner",
            "Knap dat je dat deed! Wat nog meer?",
            20.5,
            24.0,
            "solution",
            [
                ("compliment", "direct", None, "Knap dat je dat deed", "compliment.direct.03"),
                ("more_question", None, None, "Wat nog meer?", "more_question.basic.01"),
            ],
            True,
        ),
        _utt(
            5,
            P,
            "practitioner",
            "Op een schaal van 0 tot 10, waar sta je nu?",
            24.5,
            28.0,
            "solution",
            [
                (
                    "scale_question",
                    "progress",
                    None,
                    "Op een schaal van 0 tot 10",
                    "scale_question.progress.01",
                )
            ],
            True,
        ),
        _utt(
            6,
            C,
            "client",
            "Ik denk een vier.",
            28.5,
            30.0,
            "solution",
            [("scale_answer", "progress", 4.0, "een vier", "scale_answer.number.01")],
            False,
            4.0,
        ),
        _utt(
            7,
            P,
            "practitioner",
            "Stel dat er vannacht een wonder gebeurt, wat zou je morgen als eerste merken?",
            30.5,
            37.0,
            "solution",
            [
                (
                    "miracle_question",
                    "main",
                    None,
                    "Stel dat er vannacht een wonder gebeurt",
                    "miracle_question.main.01",
                )
            ],
            True,
        ),
        _utt(8, C, "client", "Dat ik uitgerust wakker word.", 37.5, 40.0, "solution"),
        _utt(
            9,
            P,
            "practitioner",
            "Waarom denk je dat die ruzies steeds ontstaan?",
            40.5,
            44.0,
            "problem",
            [("problem_question", None, None, "Waarom denk je", "problem_question.why.01")],
            True,
        ),
    ]
    meta = _meta(
        "sessie-a.m4a",
        duration_s=45.0,
        recorded_at="2026-03-02",
        practitioner="Anna de Vries",
        client_code="K-001",
        num_speakers=2,
        role_confidence=0.41,
        warnings=["role_confidence_low", "mystery_code"],
    )
    return make_session(rows, role_source="transcript", **meta)


def session_b() -> Session:
    P, C = "SPEAKER_00", "SPEAKER_01"
    rows = [
        _utt(
            0,
            P,
            "practitioner",
            "Wat gaat er beter sinds de vorige keer?",
            0.0,
            3.0,
            "solution",
            [("progress_question", None, None, "Wat gaat er beter", "progress_question.basic.01")],
            True,
        ),
        _utt(1, C, "client", "Ik ben twee keer gaan wandelen.", 3.5, 7.0, "solution"),
        _utt(
            2,
            P,
            "practitioner",
            "Hoe heb je dat voor elkaar gekregen?",
            7.5,
            10.0,
            "solution",
            [
                (
                    "compliment",
                    "indirect",
                    None,
                    "Hoe heb je dat voor elkaar gekregen",
                    "compliment.indirect.01",
                )
            ],
            True,
        ),
        _utt(
            3,
            P,
            "practitioner",
            "En waar sta je nu op de schaal?",
            10.5,
            13.0,
            "solution",
            [
                (
                    "scale_question",
                    "progress",
                    None,
                    "waar sta je nu op de schaal",
                    "scale_question.progress.02",
                )
            ],
            True,
        ),
        _utt(
            4,
            C,
            "client",
            "Zes en een half.",
            13.5,
            15.0,
            "solution",
            [("scale_answer", "progress", 6.5, "Zes en een half", "scale_answer.words.02")],
            False,
            6.5,
        ),
        _utt(5, C, "client", "Maar het blijft lastig met mijn baas.", 15.5, 19.0, "problem"),
    ]
    meta = _meta(
        "sessie-b.m4a",
        duration_s=20.0,
        recorded_at="2026-03-16",
        practitioner="Anna de Vries",
        client_code="K-001",
        num_speakers=2,
        role_confidence=0.93,
    )
    return make_session(rows, role_source="transcript", **meta)


def session_c() -> Session:
    rows = [
        _utt(
            0,
            "Bram",
            "practitioner",
            "Wat wil je dat er anders is na dit gesprek?",
            orientation="solution",
            tags=[("goal_question", None, None, "Wat wil je dat er anders is", "goal_question.basic.01")],
            question=True,
        ),
        _utt(1, "Sam", "client", INJECTION, orientation="problem"),
        _utt(
            2,
            "Bram",
            "practitioner",
            "Wat zou je moeder merken als het beter gaat?",
            orientation="solution",
            tags=[
                ("relationship_question", None, None, "Wat zou je moeder merken", "relationship_question.01")
            ],
            question=True,
        ),
        _utt(3, "Sam", "client", "Dat ik weer lach.", orientation="solution"),
    ]
    meta = _meta(
        "sessie-c.txt",
        duration_s=None,
        practitioner="Bram Jansen",
        client_code="K-002",
        source_kind="transcript",
        asr_model="none",
        num_speakers=2,
    )
    return make_session(rows, role_source="transcript", **meta)


@dataclass(frozen=True)
class FixtureDb:
    path: Path
    a: str
    b: str
    c: str


def build_db(path: Path) -> FixtureDb:
    ids = []
    with connect(path) as con:
        for transcript in (session_a(), session_b(), session_c()):
            sid, created = save_session(con, transcript)
            assert created
            ids.append(sid)
    return FixtureDb(path, *ids)


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> FixtureDb:
    return build_db(tmp_path_factory.mktemp("db") / "spiegel.duckdb")


@pytest.fixture
def empty_db(tmp_path) -> Path:
    path = tmp_path / "leeg.duckdb"
    with connect(path):
        pass
    return path
