"""Diarization and roles on real audio: the espeak-ng sample sessions and real_duo.wav (two real voices).

Quality bars: the right number of speakers, DER (0.25 s collar) at most 0.10, and at least 95% of the speech
time attributed to the right role. Roles here are decided from the gold texts laid on the diarized turns
(as if speech recognition were perfect), so the test measures diarization plus role evidence; the Whisper
end-to-end test below measures the whole chain on one file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bench.der import diarization_error, role_time_accuracy
from core.records import Segment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SAMPLES_AUDIO = ROOT / "samples" / "audio"
SESSIONS = ROOT / "samples" / "sessions"
REAL_DUO = ROOT.parent / "shared" / "eval-public" / "real-nl" / "real_duo.wav"

pytestmark = pytest.mark.slow


@dataclass
class Case:
    name: str
    audio: np.ndarray
    gold: list[dict]  # start, end, speaker, role, text

    @property
    def reference(self) -> list[tuple[float, float, str]]:
        return [(g["start"], g["end"], g["speaker"]) for g in self.gold]

    @property
    def gold_roles(self) -> list[tuple[float, float, str]]:
        return [(g["start"], g["end"], g["role"]) for g in self.gold]

    @property
    def speakers(self) -> int:
        return len({g["speaker"] for g in self.gold})


def _load_wav(path: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    return decode_audio(str(path))


def load_case(name: str) -> Case:
    """A sample from samples/audio (made by `python -m samples.make_audio`), else synthesised here."""
    if name == "real_duo":
        data = json.loads(REAL_DUO.with_name("real_duo.gold.json").read_text(encoding="utf-8"))
        gold = [dict(t, role=data["roles"][t["speaker"]]) for t in data["turns"]]
        return Case(name, _load_wav(REAL_DUO), gold)
    wav, turns = SAMPLES_AUDIO / f"{name}.wav", SAMPLES_AUDIO / f"{name}.turns.json"
    if wav.exists() and turns.exists():
        return Case(name, _load_wav(wav), json.loads(turns.read_text(encoding="utf-8"))["turns"])
    import synth

    if not synth.have_espeak() or not (SESSIONS / f"{name}.json").exists():
        pytest.fail(f"no samples/audio/{name}.wav and no espeak-ng to make it")
    audio, gold = synth.synthesize(synth.session_lines(SESSIONS / f"{name}.json"))
    return Case(name, audio, gold)


def decide_roles_from_gold_text(case: Case, turns):
    """assign_speakers on perfect 'ASR' segments (gold texts and times), the real tagger, assign_roles."""
    from pipeline.roles import assign_roles
    from pipeline.speakers import assign_speakers
    from tagger import load_tagger

    segments = [Segment(g["start"], g["end"], g["text"]) for g in case.gold]
    utterances = assign_speakers(segments, turns)
    language = "en" if case.name.startswith("en_") else "nl"
    results = load_tagger(language).tag_conversation([(u.text, None) for u in utterances])
    return utterances, assign_roles(utterances, results)


@pytest.mark.parametrize(
    "name",
    [
        "nl_eerste_gesprek",
        "nl_gezinsgesprek",
        "nl_probleemgesprek",
        "nl_vervolggesprek",
        "en_first_session",
        pytest.param("real_duo", marks=pytest.mark.shared_data),
    ],
)
def test_sessions_speaker_count_der_and_roles(name: str) -> None:
    from pipeline.diarize import diarize

    case = load_case(name)
    result = diarize(case.audio)
    assert result.num_speakers == case.speakers
    assert [t.speaker for t in result.turns][:1] == ["S1"]
    assert set(result.embeddings) == {t.speaker for t in result.turns}
    hyp = [(t.start, t.end, t.speaker) for t in result.turns]
    assert diarization_error(case.reference, hyp, collar=0.25).der <= 0.10
    _, decision = decide_roles_from_gold_text(case, result.turns)
    accuracy = role_time_accuracy(case.gold_roles, hyp, {k: str(v) for k, v in decision.roles.items()})
    assert accuracy >= 0.95, (accuracy, decision.evidence)


def test_forced_speaker_count() -> None:
    from pipeline.diarize import diarize

    case = load_case("nl_eerste_gesprek")
    assert diarize(case.audio, num_speakers=3).num_speakers == 3
    one = diarize(case.audio, num_speakers=1)
    assert one.num_speakers == 1
    assert "one_speaker" in one.warnings


def test_one_speaker_recording() -> None:
    from pipeline.diarize import diarize

    case = load_case("one_speaker") if (SAMPLES_AUDIO / "one_speaker.wav").exists() else None
    if case is None:
        import synth

        if not synth.have_espeak():
            pytest.fail("no espeak-ng")
        lines = synth.session_lines(SESSIONS / "nl_eerste_gesprek.json")
        audio, gold = synth.synthesize([ln for ln in lines if ln.role == "practitioner"][:6])
        case = Case("one_speaker", audio, gold)
    result = diarize(case.audio)
    assert result.num_speakers == 1
    assert "one_speaker" in result.warnings
    _, decision = decide_roles_from_gold_text(case, result.turns)
    assert decision.confidence <= 0.5
    assert "one_speaker" in decision.warnings


def test_practitioner_barely_speaks() -> None:
    import synth

    from pipeline.diarize import diarize

    if not synth.have_espeak():
        pytest.fail("no espeak-ng")
    client = [
        "Het gaat al een hele tijd niet goed met mij, ik slaap slecht en ik maak me zorgen over mijn werk.",
        "Mijn baas vraagt steeds meer en ik weet niet hoe ik dat allemaal moet doen, het wordt me te veel.",
        "Thuis merken ze het ook, ik ben snel geïrriteerd en dan krijgen we ruzie over kleine dingen.",
        "Vorige week was er een dag dat het beter ging, toen had ik goed geslapen en ben ik gaan wandelen.",
        "Ik denk dat ik meer rust nodig heb, maar ik weet niet hoe ik dat moet regelen.",
        "Mijn vriendin zegt dat ik vaker nee moet zeggen, en eigenlijk heeft ze daar wel gelijk in denk ik.",
    ]
    lines = [
        synth.Line("C", client[0]),
        synth.Line("C", client[1]),
        synth.Line("P", "Wat nog meer?", "practitioner"),
        synth.Line("C", client[2]),
        synth.Line("C", client[3]),
        synth.Line("P", "Hoe deed je dat?", "practitioner"),
        synth.Line("C", client[4]),
        synth.Line("C", client[5]),
    ]
    audio, gold = synth.synthesize(lines, voices={"P": ("nl+f3", 72, 168), "C": ("nl+m1", 40, 160)})
    case = Case("barely", audio, gold)
    result = diarize(audio)
    assert result.num_speakers == 2
    hyp = [(t.start, t.end, t.speaker) for t in result.turns]
    _, decision = decide_roles_from_gold_text(case, result.turns)
    assert role_time_accuracy(case.gold_roles, hyp, {k: str(v) for k, v in decision.roles.items()}) >= 0.95
    assert "practitioner_barely_speaks" in decision.warnings


def test_overlapping_speech_is_reported() -> None:
    from pipeline.diarize import diarize

    if (SAMPLES_AUDIO / "overlap_demo.wav").exists():
        case = load_case("overlap_demo")
    else:
        import synth

        if not synth.have_espeak():
            pytest.fail("no espeak-ng")
        lines = synth.session_lines(SESSIONS / "nl_eerste_gesprek.json", max_lines=16)
        audio, gold = synth.synthesize(lines, overlap_s=0.5)
        case = Case("overlap", audio, gold)
    result = diarize(case.audio)
    assert result.num_speakers == 2
    assert "overlapping_speech" in result.warnings
    hyp = [(t.start, t.end, t.speaker) for t in result.turns]
    assert diarization_error(case.reference, hyp, collar=0.25).der <= 0.15


def test_silence_and_noise_do_not_crash() -> None:
    from pipeline.diarize import diarize

    silent = diarize(np.zeros(16000 * 5, dtype=np.float32))
    assert silent.turns == ()
    assert silent.num_speakers == 0
    assert silent.warnings == ("no_speech",)
    noise = diarize((np.random.default_rng(0).normal(size=16000 * 5) * 0.01).astype(np.float32))
    assert noise.num_speakers <= 1
    assert diarize(np.zeros(0, dtype=np.float32)).num_speakers == 0


@pytest.mark.shared_data
def test_other_sample_rate_is_resampled() -> None:
    from scipy.signal import resample_poly

    from pipeline.diarize import diarize

    case = load_case("real_duo")
    audio = resample_poly(case.audio, 3, 1).astype(np.float32)  # 48 kHz
    assert diarize(audio, sample_rate=48000).num_speakers == 2


def microphone_per_speaker(case: Case) -> np.ndarray:
    """A two-speaker case as a stereo recording: each voice on its own channel, -20 dB on the other."""
    speakers = sorted({g["speaker"] for g in case.gold})
    channels = np.zeros((2, len(case.audio)), dtype=np.float32)
    for g in case.gold:
        a, b = int(g["start"] * 16000), int(g["end"] * 16000)
        own = speakers.index(g["speaker"])
        channels[own, a:b] += case.audio[a:b]
        channels[1 - own, a:b] += 0.1 * case.audio[a:b]  # the other microphone picks it up at -20 dB
    return channels


def test_stereo_channels() -> None:
    from pipeline.diarize import diarize_channels

    case = load_case("nl_eerste_gesprek")
    result = diarize_channels(microphone_per_speaker(case))
    assert result.num_speakers == 2
    hyp = [(t.start, t.end, t.speaker) for t in result.turns]
    assert diarization_error(case.reference, hyp, collar=0.25).der <= 0.05
    assert set(result.embeddings) == {"S1", "S2"}


def test_whisper_end_to_end_three_speakers() -> None:
    """Bundled Whisper base → diarize → assign_speakers → tagger → assign_roles on the three-voice sample."""
    from models import resolve_model
    from pipeline.diarize import diarize
    from pipeline.roles import assign_roles
    from pipeline.speakers import assign_speakers
    from pipeline.transcribe import AsrOptions, load_whisper, transcribe
    from tagger import load_tagger

    case = load_case("nl_gezinsgesprek")
    resolved = resolve_model(None)
    segments, _ = transcribe(
        load_whisper(resolved.path_or_name, resolved.offline), case.audio, AsrOptions(language="nl")
    )
    result = diarize(case.audio)
    utterances = assign_speakers(segments, result.turns)
    assert utterances
    assert all(u.words for u in utterances)
    decision = assign_roles(
        utterances, load_tagger("nl").tag_conversation([(u.text, None) for u in utterances])
    )
    hyp = [(t.start, t.end, t.speaker) for t in result.turns]
    assert result.num_speakers == 3
    assert role_time_accuracy(case.gold_roles, hyp, {k: str(v) for k, v in decision.roles.items()}) >= 0.95


@pytest.mark.shared_data
def test_identical_channels_fall_back_to_voices() -> None:
    from pipeline.diarize import diarize_channels

    case = load_case("real_duo")
    result = diarize_channels(np.stack([case.audio, case.audio]))
    assert result.num_speakers == 2
    assert "channels_identical" in result.warnings
