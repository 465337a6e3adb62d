"""Guarded batched decoding (pipeline/batched.py): chunks cut in pauses, the checks that send a chunk back to
the sequential decoder, and — with the real bundled model on real Dutch speech — that it keeps every clip."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from core.records import Segment, Word
from pipeline import batched
from pipeline.batched import plan_chunks, suspicion, wordless
from pipeline.transcribe import AsrOptions
from tests.conftest import EVAL_PUBLIC

RATE = 16_000


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def test_chunks_are_packed_up_to_the_limit_and_cut_only_in_pauses() -> None:
    regions = [(float(i * 4), float(i * 4 + 3)) for i in range(20)]  # 3 s speech, 1 s pause, 80 s
    chunks = plan_chunks(regions, _silence(80), AsrOptions(batched_max_chunk_s=30.0))
    assert len(chunks) == 3
    for start, end, _ in chunks:
        assert end - start <= 30.0
        # never inside a region: every cut lies in a pause (padding reaches at most halfway into it)
        assert not any(a < start < b - 0.2 or a + 0.2 < end < b for a, b in regions)
    assert all(prev[1] <= cur[0] for prev, cur in itertools.pairwise(chunks))
    assert sum(speech for _, _, speech in chunks) == pytest.approx(60.0, abs=0.01)


def test_an_overlong_region_is_cut_at_its_quietest_moment() -> None:
    audio = np.random.default_rng(0).normal(0, 0.1, 70 * RATE).astype(np.float32)
    audio[int(22.0 * RATE) : int(22.3 * RATE)] = 0.0  # the only quiet moment between 15 and 29.5 s
    chunks = plan_chunks([(0.0, 70.0)], audio, AsrOptions(batched_max_chunk_s=30.0))
    assert 21.9 <= chunks[0][1] <= 22.4
    assert all(end - start <= 30.0 for start, end, _ in chunks)
    assert chunks[-1][1] == pytest.approx(70.0)


@pytest.mark.parametrize(
    ("text", "logprob", "speech_s", "reason"),
    [
        ("hoe gaat het nu met je sinds de vorige keer", -0.3, 4.0, None),
        ("ja", -0.3, 12.0, "few_words"),  # a sentence dropped
        ("", 0.0, 8.0, "few_words"),
        ("", 0.0, 1.0, None),  # a breath
        (" ".join(["een", "twee", "drie"] * 10), -0.2, 4.0, "many_words"),
        ("ik weet het niet " * 6, -0.2, 9.0, "compressible"),
        ("dat was een moeilijke week voor mij", -1.6, 3.0, "unlikely"),
        ("m'n m'n m'n m'n", -0.2, 2.0, "repeated_word"),
    ],
)
def test_suspicion(text: str, logprob: float, speech_s: float, reason: str | None) -> None:
    assert suspicion([text], logprob, speech_s, AsrOptions()) == reason


def _segment(start: float, end: float) -> Segment:
    return Segment(start, end, "woord", (Word(start, end, " woord", 0.9),))


def test_a_stretch_of_speech_without_any_word_is_found() -> None:
    spans = [(0.0, 3.0), (4.0, 6.0), (7.0, 7.5)]
    regions = [(0.1, 2.9), (4.1, 5.9), (7.1, 7.4)]
    found = wordless(spans, regions, [_segment(0.5, 1.0), _segment(2.0, 2.5)])
    assert found == [(4.0, 6.0)]  # the 0.3 s at 7.1 is too short to be a sentence


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_speech_batched_keeps_every_clip_and_is_as_accurate() -> None:
    """Real Dutch clips with pauses: the default (batched, guarded) decoder against the sequential one on
    the same regions. Every clip must have words, and WER may not be worse by more than the aim's 0.01
    plus what one clip's substitutions move it (the bench measures the exact figures)."""
    import jiwer

    from core.records import Session
    from models import resolve_model
    from pipeline import stages
    from pipeline.audio import DecodedAudio, decode
    from pipeline.coverage import transcribe_covered
    from pipeline.transcribe import load_whisper

    folder = EVAL_PUBLIC / "real-nl"
    refs = json.loads((folder / "references.json").read_text(encoding="utf-8"))[:12]
    parts, spans, cursor = [], [], 0.0
    for ref in refs:
        clip = decode(folder / ref["file"]).samples
        parts += [clip, _silence(1.5)]
        spans.append((cursor, cursor + len(clip) / RATE))
        cursor += len(clip) / RATE + 1.5
    audio = np.concatenate(parts)
    session = stages.speech(
        Session(source_name="t", source_sha256="0" * 64),
        DecodedAudio(samples=audio, channels=None, duration_s=len(audio) / RATE),
    )
    resolved = resolve_model(None)
    model = load_whisper(resolved.path_or_name, True, "cpu")

    def run(is_batched: bool) -> tuple[list[Segment], dict]:
        segments, _, coverage = transcribe_covered(
            model, audio, AsrOptions(batched=is_batched), regions=session.speech
        )
        return segments, coverage.as_record()

    def norm(text: str) -> str:
        return " ".join("".join(c if c.isalnum() or c.isspace() else " " for c in text.lower()).split())

    reference = norm(" ".join(r["text"] for r in refs))
    fast, record = run(True)
    slow, _ = run(False)
    assert record["batched"]["chunks"] >= 2
    for start, end in spans:  # no clip lost
        assert any(start - 0.3 <= (w.start + w.end) / 2 <= end + 0.3 for s in fast for w in s.words)
    wer_fast = jiwer.wer(reference, norm(" ".join(s.text for s in fast)))
    wer_slow = jiwer.wer(reference, norm(" ".join(s.text for s in slow)))
    assert wer_fast <= wer_slow + 0.05, (wer_fast, wer_slow)


@pytest.mark.slow
@pytest.mark.shared_data
def test_a_suspicious_chunk_is_decoded_again_sequentially(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the word-rate check set impossibly high every chunk is suspicious: each is decoded again by the
    sequential decoder, and the result still has the clip's words (the fallback path really runs)."""
    from models import resolve_model
    from pipeline.audio import decode
    from pipeline.transcribe import load_whisper

    ref = json.loads((EVAL_PUBLIC / "real-nl" / "references.json").read_text(encoding="utf-8"))[1]
    clip = decode(EVAL_PUBLIC / "real-nl" / ref["file"]).samples
    audio = np.concatenate([_silence(1.0), clip, _silence(1.0)])
    regions = [(1.0, 1.0 + len(clip) / RATE)]
    resolved = resolve_model(None)
    model = load_whisper(resolved.path_or_name, True, "cpu")
    monkeypatch.setattr(batched, "MIN_WORDS_PER_S", 100.0)
    monkeypatch.setattr(batched, "MIN_CHECKED_SPEECH_S", 0.5)
    segments, _, record = batched.transcribe_batched(model, audio, AsrOptions(), regions)
    assert [r[2] for r in record["redecoded"]] == ["few_words"] * record["chunks"]
    text = " ".join(s.text for s in segments).lower()
    assert "straat" in text and "uiteinde" in text
    assert all(1.0 - 0.5 <= w.start <= 1.0 + len(clip) / RATE + 0.5 for s in segments for w in s.words)


def test_batched_is_the_default_and_sequential_an_option() -> None:
    from cli.main import build_parser

    assert AsrOptions().batched
    parser = build_parser()
    assert parser.parse_args(["process", "a.wav", "--sequential"]).sequential
    assert not parser.parse_args(["process", "a.wav"]).sequential
    assert parser.parse_args(["process", "a.wav", "--fast"]).fast  # old scripts keep working
