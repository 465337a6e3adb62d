"""Nothing silently lost: speech that the VAD hears but that has no words is decoded again, or reported.

faster-whisper's `hallucination_silence_threshold` treats a run of low-probability words as a hallucination
and skips it; on the bundled three-person sample it dropped 32 s of real speech (54.8–86.5 s, the exception
question and the client's exception) that the same model with the same VAD transcribes without it
(FINDINGS.md). So after transcription we compare the VAD's speech regions with the word times:

1. `find_gaps`: speech stretches of at least `min_gap_s` with no word in them (pauses shorter than
   `join_s` between VAD regions do not end a stretch);
2. `recover`: each such stretch is decoded again on its own, without the hallucination-silence skip and
   with temperature fallback, and the words found are added;
3. what is still empty is returned, and stored as the warning `speech_without_words:START-END`, which the
   dashboard and the report show with its time range.

`Coverage` (VAD speech seconds, seconds of it without words, before and after recovery) is stored in
`sessions.asr_options["coverage"]`, so each session says how much of its speech has words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.records import Segment, Word
from pipeline.transcribe import AsrOptions, transcribe

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
#: A stretch of speech without words shorter than this is a breath, a laugh, an "mm": not worth a warning.
MIN_GAP_S = 3.0


@dataclass(frozen=True)
class Coverage:
    """How much of the VAD's speech has words: before and after the second decoding."""

    speech_s: float
    without_words_s: float
    recovered_s: float
    gaps: tuple[tuple[float, float], ...]
    #: Guarded batched decoding: how many chunks, which were decoded again sequentially and why.
    chunking: dict[str, Any] | None = None

    def as_record(self) -> dict[str, Any]:
        chunking = {"batched": self.chunking} if self.chunking is not None else {}
        return {
            **chunking,
            "speech_s": round(self.speech_s, 1),
            "without_words_s": round(self.without_words_s, 1),
            "recovered_s": round(self.recovered_s, 1),
            "gaps": [[round(s, 1), round(e, 1)] for s, e in self.gaps],
        }

    @property
    def warnings(self) -> list[str]:
        return [f"speech_without_words:{start:.1f}-{end:.1f}" for start, end in self.gaps]


def speech_regions(audio: np.ndarray, options: AsrOptions) -> list[tuple[float, float]]:
    """The Silero VAD's speech regions (seconds), with the options transcription used."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        min_silence_duration_ms=options.vad_min_silence_ms, speech_pad_ms=options.vad_speech_pad_ms
    )
    return [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in get_speech_timestamps(audio, vad)]


def _word_spans(segments: list[Segment], tolerance_s: float) -> list[tuple[float, float]]:
    spans = []
    for segment in segments:
        items = segment.words or (Word(segment.start, segment.end, segment.text, 1.0),)
        spans += [(w.start - tolerance_s, w.end + tolerance_s) for w in items]
    return sorted(spans)


def find_gaps(
    regions: list[tuple[float, float]],
    segments: list[Segment],
    min_gap_s: float = MIN_GAP_S,
    join_s: float = 1.5,
    tolerance_s: float = 0.5,
) -> tuple[float, list[tuple[float, float]]]:
    """(seconds of speech without words, the stretches of at least `min_gap_s` of them)."""
    words = _word_spans(segments, tolerance_s)
    pieces: list[tuple[float, float]] = []
    for start, end in regions:
        cursor = start
        for w_start, w_end in words:
            if w_end <= cursor or w_start >= end:
                continue
            if w_start > cursor:
                pieces.append((cursor, w_start))
            cursor = max(cursor, w_end)
        if cursor < end:
            pieces.append((cursor, end))
    uncovered = sum(e - s for s, e in pieces)
    stretches: list[tuple[float, float]] = []
    for start, end in pieces:
        joinable = stretches and start - stretches[-1][1] < join_s
        if joinable and not any(stretches[-1][1] < w_end and w_start < start for w_start, w_end in words):
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    speech_in = [(s, e) for s, e in stretches if _speech_within(regions, s, e) >= min_gap_s]
    return uncovered, speech_in


def _speech_within(regions: list[tuple[float, float]], start: float, end: float) -> float:
    return sum(max(0.0, min(end, e) - max(start, s)) for s, e in regions)


def recover(
    model: Any, audio: np.ndarray, gaps: list[tuple[float, float]], options: AsrOptions
) -> list[Segment]:
    """Decode each stretch again on its own: no hallucination-silence skip, no VAD, temperature fallback."""
    import dataclasses

    retry = dataclasses.replace(
        options,
        batched=False,
        vad_filter=False,
        hallucination_silence_threshold=None,
        no_speech_threshold=None,
        log_prob_threshold=None,
        temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    )
    found: list[Segment] = []
    for start, end in gaps:
        first = max(0, int((start - 0.3) * SAMPLE_RATE))
        last = min(audio.size, int((end + 0.3) * SAMPLE_RATE))
        offset = first / SAMPLE_RATE
        segments, _ = transcribe(model, audio[first:last], retry)
        for segment in segments:
            words = tuple(
                dataclasses.replace(w, start=w.start + offset, end=w.end + offset) for w in segment.words
            )
            found.append(
                dataclasses.replace(
                    segment, start=segment.start + offset, end=segment.end + offset, words=words
                )
            )
    log.info("second decoding of %d stretch(es) gave %d segment(s)", len(gaps), len(found))
    return found


def transcribe_covered(
    model: Any,
    audio: np.ndarray,
    options: AsrOptions,
    on_progress: Any = None,
    regions: Sequence[tuple[float, float]] | None = None,
    checkpoint: Any = None,
) -> tuple[list[Segment], str, Coverage]:
    """`transcribe`, then a second decoding of speech without words; returns segments, language, coverage.
    `regions`: the speech stage's VAD regions (the one VAD pass); without them the VAD runs here.
    `checkpoint` (batched decoding only): where finished chunks are kept for a resume (store.Checkpoint)."""
    chunking = None
    if options.batched and options.vad_filter:
        from pipeline.batched import transcribe_batched

        regions = list(regions) if regions else speech_regions(audio, options)
        segments, language, chunking = transcribe_batched(
            model, audio, options, regions, on_progress, checkpoint
        )
    else:
        segments, language = transcribe(model, audio, options, on_progress=on_progress, regions=regions)
    if not options.vad_filter:
        return segments, language, Coverage(0.0, 0.0, 0.0, ())
    regions = list(regions) if regions else speech_regions(audio, options)
    speech_s = sum(e - s for s, e in regions)
    without, gaps = find_gaps(regions, segments)
    recovered_s = 0.0
    if gaps and options.recover_gaps:
        retry_options = options if options.language else _with_language(options, language)
        extra = recover(model, audio, gaps, retry_options)
        if extra:
            segments = sorted([*segments, *extra], key=lambda s: s.start)
            after, gaps = find_gaps(regions, segments)
            recovered_s = without - after
    log.info("speech %.1f s, without words %.1f s, recovered %.1f s", speech_s, without, recovered_s)
    return segments, language, Coverage(speech_s, without, recovered_s, tuple(gaps), chunking)


def _with_language(options: AsrOptions, language: str) -> AsrOptions:
    import dataclasses

    return dataclasses.replace(options, language=language)
