"""The bundled sample sessions: gold transcripts are valid and cover their techniques; audio is reproducible.

No `__init__.py` in this folder on purpose: with pytest's default import mode a package named `samples` here
would shadow the real `samples` package.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from core.records import TRANSCRIPT_FORMAT, Orientation, Role
from core.taxonomy import CLIENT_LABELS, LABEL_SUBTYPES, PRACTITIONER_LABELS
from samples import make_audio as ma
from samples import sample_audio_dir, sample_sessions

SESSIONS = {p.stem: p for p in sample_sessions()}
EXPECTED = {
    "nl_eerste_gesprek",
    "nl_vervolggesprek",
    "nl_probleemgesprek",
    "nl_gezinsgesprek",
    "en_first_session",
}

#: Techniques each session must show at least once: (label, subtype or None for any).
REQUIRED = {
    "nl_eerste_gesprek": [
        ("miracle_question", "main"),
        ("miracle_question", "follow_up"),
        ("scale_question", None),
        ("scale_answer", None),
        ("exception_question", None),
        ("exception_report", None),
        ("compliment", "direct"),
        ("compliment", "indirect"),
        ("coping_question", None),
        ("goal_question", None),
        ("relationship_question", None),
        ("more_question", None),
    ],
    "nl_vervolggesprek": [
        ("progress_question", None),
        ("more_question", None),
        ("scale_question", "progress"),
        ("scale_question", "confidence"),
        ("scale_question", "motivation"),
        ("scale_answer", None),
        ("compliment", None),
        ("goal_question", None),
    ],
    "nl_probleemgesprek": [
        ("problem_question", None),
        ("coping_question", None),
        ("exception_question", None),
    ],
    "nl_gezinsgesprek": [
        ("relationship_question", None),
        ("scale_question", None),
        ("scale_answer", None),
        ("exception_question", None),
        ("compliment", None),
    ],
    "en_first_session": [
        ("miracle_question", "main"),
        ("scale_question", None),
        ("scale_answer", None),
        ("exception_question", None),
        ("exception_report", None),
        ("compliment", "direct"),
        ("compliment", "indirect"),
        ("coping_question", None),
        ("goal_question", None),
        ("relationship_question", None),
        ("more_question", None),
    ],
}


def load(name: str) -> dict:
    return json.loads(SESSIONS[name].read_text(encoding="utf-8"))


def tags_of(doc: dict) -> list[tuple[dict, dict]]:
    return [(u, t) for u in doc["utterances"] for t in u["gold"]["tags"]]


def progress_scores(doc: dict, speaker: str | None = None) -> list[float]:
    return [
        t["value"]
        for u, t in tags_of(doc)
        if t["label"] == "scale_answer" and t["subtype"] == "progress" and speaker in (None, u["speaker"])
    ]


# ---------------------------------------------------------------------------------------------- transcripts


def test_all_expected_sessions_are_bundled():
    assert set(SESSIONS) == EXPECTED
    assert sample_audio_dir().name == "audio"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_session_format_and_gold(name):
    doc = load(name)
    assert doc["format"] == TRANSCRIPT_FORMAT
    assert doc["version"] == 1  # text and gold only; version 2 (TRANSCRIPT_VERSION) is a whole session record
    meta = doc["meta"]
    assert meta["language"] == ("en" if name.startswith("en_") else "nl")
    assert meta["source_kind"] == "sample"
    for key in ("practitioner", "client_code", "title"):
        assert isinstance(meta[key], str)
        assert meta[key]
    dt.date.fromisoformat(meta["recorded_at"])
    assert re.fullmatch(r"[A-Z]-\d{3}", meta["client_code"])

    utts = doc["utterances"]
    assert 20 <= len(utts) <= 40
    roles = {}
    for i, u in enumerate(utts):
        assert u["idx"] == i
        assert u["text"].strip() == u["text"]
        assert u["text"]
        assert u["start_s"] is None
        assert u["end_s"] is None
        Role(u["role"])
        assert roles.setdefault(u["speaker"], u["role"]) == u["role"], "a speaker keeps one role"
        gold = u["gold"]
        Orientation(gold["orientation"])
        answers = []
        for tag in gold["tags"]:
            assert set(tag) == {"label", "subtype", "value"}
            assert tag["label"] in LABEL_SUBTYPES, tag
            allowed = LABEL_SUBTYPES[tag["label"]]
            assert tag["subtype"] is None or tag["subtype"] in allowed, tag
            if tag["label"] in ("compliment", "miracle_question", "scale_question"):
                assert tag["subtype"] in allowed, f"{name}#{i}: {tag['label']} needs a subtype"
            if tag["label"] in PRACTITIONER_LABELS:
                assert u["role"] == "practitioner", f"{name}#{i}"
            if tag["label"] in CLIENT_LABELS:
                assert u["role"] == "client", f"{name}#{i}"
            if tag["label"] == "scale_answer":
                assert isinstance(tag["value"], int | float)
                assert 0 <= tag["value"] <= 10
                answers.append(tag["value"])
            else:
                assert tag["value"] is None
            if tag["label"] == "problem_question":
                assert gold["orientation"] == "problem"
        assert gold["scale_value"] == (answers[0] if answers else None)
        assert len(answers) <= 1
    assert meta["practitioner"] in roles
    assert roles[meta["practitioner"]] == "practitioner"
    assert list(roles.values()).count("practitioner") == 1
    assert "client" in roles.values()
    # every orientation value is used, backchannels are neutral
    assert {u["gold"]["orientation"] for u in utts} == {"solution", "problem", "neutral"}
    for u in utts:
        if u["text"].lower().strip(".!?") in {"ja", "hm-hm", "oké", "hm"}:
            assert u["gold"]["orientation"] == "neutral"
            assert not u["gold"]["tags"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_session_has_its_techniques(name):
    present = {(t["label"], t["subtype"]) for _, t in tags_of(load(name))}
    labels = {label for label, _ in present}
    for label, subtype in REQUIRED[name]:
        assert (label, subtype) in present if subtype else label in labels, f"{name} lacks {label} {subtype}"


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("nl_")))
def test_dutch_text_is_speakable(name):
    """espeak-ng reads the text aloud: numbers in words, no symbols or abbreviations it would spell out."""
    for u in load(name)["utterances"]:
        assert not re.search(r"[0-9%&/@#()\[\]]", u["text"]), u["text"]
        assert not re.search(r"\b(bijv|enz|ca|o\.a|d\.w\.z)\b", u["text"]), u["text"]


def test_follow_up_continues_the_first_session():
    first, follow = load("nl_eerste_gesprek"), load("nl_vervolggesprek")
    assert first["meta"]["client_code"] == follow["meta"]["client_code"]
    assert first["meta"]["practitioner"] == follow["meta"]["practitioner"]
    assert follow["meta"]["recorded_at"] > first["meta"]["recorded_at"]
    assert max(progress_scores(follow)) > max(progress_scores(first))
    values = [t["value"] for _, t in tags_of(follow) if t["label"] == "scale_answer"]
    assert any(v != int(v) for v in values), "one decimal scale score"


def test_problem_session_drifts_then_partly_recovers():
    doc = load("nl_probleemgesprek")
    assert doc["meta"]["client_code"] != load("nl_eerste_gesprek")["meta"]["client_code"]
    orient = [u["gold"]["orientation"] for u in doc["utterances"]]
    half = len(orient) * 2 // 3
    assert orient[:half].count("problem") > 3 * orient[:half].count("solution")
    assert orient[half:].count("solution") >= 3
    questions = [t["label"] for _, t in tags_of(doc)]
    assert questions.count("problem_question") >= 4


def test_family_session_has_three_speakers_and_a_scale_each():
    doc = load("nl_gezinsgesprek")
    roles = {u["speaker"]: u["role"] for u in doc["utterances"]}
    assert sorted(roles.values()) == ["client", "client", "practitioner"]
    for speaker, role in roles.items():
        if role == "client":
            assert progress_scores(doc, speaker), f"{speaker} gives no scale score"


# ---------------------------------------------------------------------------------------------- audio

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory) -> Path:
    """Every clip generated once into a temporary folder (about ten seconds of espeak-ng)."""
    out = tmp_path_factory.mktemp("audio")
    assert ma.main(["--out", str(out), "--force"]) == 0
    return out


def read_turns(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.turns.json").read_text(encoding="utf-8"))


def wav_info(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path)) as w:
        return w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes() / w.getframerate()


@needs_espeak
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_session_audio_format_and_turns(audio_dir, name):
    info = read_turns(audio_dir, name)
    channels, width, rate, duration = wav_info(audio_dir / info["audio"])
    assert (channels, width, rate) == (1, 2, 16000)
    assert info["duration_s"] == pytest.approx(duration, abs=0.002)
    low = 60 if name.startswith("en_") else 120
    assert low <= duration <= 240, "keep sample audio between two and four minutes"

    doc = load(name)
    assert info["speakers"] == {u["speaker"]: u["role"] for u in doc["utterances"]}
    turns = info["turns"]
    assert [t["text"] for t in turns] == [u["text"] for u in doc["utterances"]]
    assert [t["idx"] for t in turns] == list(range(len(turns)))
    assert turns[0]["start"] < 0.5
    assert duration - turns[-1]["end"] < 0.6
    for t in turns:
        assert 0 <= t["start"] < t["end"] <= duration
        assert info["speakers"][t["speaker"]] == t["role"]
        assert "overlap_s" not in t
    for prev, nxt in itertools.pairwise(turns):
        gap = nxt["start"] - prev["end"]
        assert 0.4 - 0.002 <= gap <= 0.9 + 0.002, "no overlaps; natural pauses"


@needs_espeak
@pytest.mark.parametrize("name", ["nl_eerste_gesprek", "nl_gezinsgesprek", "en_first_session"])
def test_voices_differ_in_pitch(audio_dir, name):
    info = read_turns(audio_dir, name)
    pcm, _ = ma.read_wav((audio_dir / info["audio"]).read_bytes())
    f0 = {}
    for speaker in info["speakers"]:
        segs = [
            pcm[int(t["start"] * 16000) : int(t["end"] * 16000)]
            for t in info["turns"]
            if t["speaker"] == speaker
        ]
        f0[speaker] = ma.estimate_f0(np.concatenate(segs))
    values = sorted(f0.values())
    assert all(v for v in values), f0
    for lo, hi in itertools.pairwise(values):
        assert hi / lo > 1.25, f"voices too close in pitch: {f0}"


@needs_espeak
def test_overlap_demo_and_one_speaker(audio_dir):
    demo = read_turns(audio_dir, "overlap_demo")
    assert wav_info(audio_dir / "overlap_demo.wav")[:3] == (1, 2, 16000)
    assert len(demo["speakers"]) == 2
    overlaps = [
        prev["end"] - nxt["start"]
        for prev, nxt in zip(demo["turns"], demo["turns"][1:], strict=False)
        if nxt["start"] < prev["end"]
    ]
    assert len(overlaps) >= 2
    assert all(o == pytest.approx(0.5, abs=0.002) for o in overlaps)
    assert sum("overlap_s" in t for t in demo["turns"]) == len(overlaps)

    one = read_turns(audio_dir, "one_speaker")
    assert set(one["speakers"].values()) == {"practitioner"}
    assert len(one["speakers"]) == 1
    channels, width, rate, duration = wav_info(audio_dir / "one_speaker.wav")
    assert (channels, width, rate) == (1, 2, 16000)
    assert 20 <= duration <= 40


@needs_espeak
def test_generation_is_deterministic_and_skips_fresh_outputs(audio_dir, tmp_path):
    name = "nl_vervolggesprek"
    again = ma.make_session(SESSIONS[name], tmp_path, force=True)
    assert again.read_bytes() == (audio_dir / f"{name}.wav").read_bytes()
    assert (tmp_path / f"{name}.turns.json").read_bytes() == (audio_dir / f"{name}.turns.json").read_bytes()
    ma.make_overlap_demo(tmp_path, force=True)
    assert (tmp_path / "overlap_demo.wav").read_bytes() == (audio_dir / "overlap_demo.wav").read_bytes()

    before = again.stat().st_mtime_ns
    assert ma.main(["--out", str(tmp_path), "--only", name]) == 0  # up to date: nothing rewritten
    assert again.stat().st_mtime_ns == before
    assert ma.main(["--out", str(tmp_path), "--only", name, "--force"]) == 0
    assert again.stat().st_mtime_ns >= before
    assert again.read_bytes() == (audio_dir / f"{name}.wav").read_bytes()
