"""Batched decoding of the speech stage's chunks, guarded so that it is as accurate as sequential decoding.

Why: on a CPU, faster-whisper's `BatchedInferencePipeline` decodes several 30-s windows in one call, which
is much cheaper than the sequential decoder's window-by-window seeking. Used bare (its own VAD, no
fallback) it lost whole sentences here (WER 0.236–0.32 vs 0.145 sequential, bench/RESULTS.md). What makes
it equal, measured in bench/bench_asr.py:

1. chunk boundaries at pauses: the speech stage's VAD regions, joined over pauses shorter than
   `shared_vad_join_ms`, are packed into chunks of at most `batched_max_chunk_s`, cut only between regions
   (a region longer than that is cut at its quietest 0.1 s); every chunk fills one Whisper window;
2. word timestamps and the repetition penalty, as sequential decoding has them;
3. a check of every chunk's result (`suspicion`): too compressible (a repetition loop), too unlikely
   (log-probability), a word repeated over and over, or too few or too many words for the seconds of
   speech in it (a dropped sentence, an invented one). Such a chunk is decoded again on its own by the
   sequential decoder, with temperature fallback and the hallucination-silence skip.

What is still without words afterwards is decoded once more by `pipeline/coverage.py`, as for sequential.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from core.records import Segment, Word
from pipeline.transcribe import AsrOptions, transcribe, whisper_chunks

log = logging.getLogger(__name__)

RATE = 16_000
#: Dutch and English conversation runs at 2–3.5 words a second of speech; far outside means a chunk lost
#: or invented text. Checked only on chunks with at least `MIN_CHECKED_SPEECH_S` of speech.
MIN_WORDS_PER_S = 0.9
MAX_WORDS_PER_S = 6.0
MIN_CHECKED_SPEECH_S = 3.0
#: A stretch of speech (VAD regions joined over short pauses) this long without a single word is a dropped
#: sentence: measured, batched decoding lost "deze kerk is verbluffend" (1.6 s) where sequential kept it.
#: Such a stretch is decoded again on its own. (pipeline/coverage.py only looks at stretches over 3 s.)
MIN_WORDLESS_S = 0.8
#: The same word this many times in a row ("m'n m'n m'n m'n") is a decoding loop, not speech.
MAX_SAME_WORD_RUN = 4


def plan_chunks(
    regions: Sequence[tuple[float, float]], audio: np.ndarray, options: AsrOptions
) -> list[tuple[float, float, float]]:
    """(start, end, seconds of speech) of each chunk: VAD regions packed up to `batched_max_chunk_s`,
    cut only in pauses. Pure apart from reading `audio` to find the quietest cut in an over-long region."""
    total_s = len(audio) / RATE
    spans = whisper_chunks(
        regions, total_s, options.shared_vad_join_ms / 1000, options.shared_vad_pad_ms / 1000
    )
    limit = options.batched_max_chunk_s
    pieces: list[tuple[float, float]] = []
    for start, end in spans:
        while end - start > limit:
            cut = _quietest(audio, start + limit / 2, start + limit - 0.5)
            pieces.append((start, cut))
            start = cut
        pieces.append((start, end))
    chunks: list[list[float]] = []
    for start, end in pieces:
        if chunks and end - chunks[-1][0] <= limit:
            chunks[-1][1] = end
        else:
            chunks.append([start, end])
    return [(a, b, _speech_within(regions, a, b)) for a, b in chunks]


def _quietest(audio: np.ndarray, lo_s: float, hi_s: float) -> float:
    """The middle of the quietest 0.1 s between `lo_s` and `hi_s`: where a too-long region is cut."""
    frame = RATE // 10
    lo, hi = int(lo_s * RATE), int(hi_s * RATE)
    part = audio[lo:hi]
    n = len(part) // frame
    if n < 2:
        return (lo_s + hi_s) / 2
    energy = np.square(part[: n * frame].reshape(n, frame)).mean(axis=1)
    return (lo + int(np.argmin(energy)) * frame + frame // 2) / RATE


def _speech_within(regions: Sequence[tuple[float, float]], start: float, end: float) -> float:
    return float(sum(max(0.0, min(end, e) - max(start, s)) for s, e in regions))


def suspicion(texts: Sequence[str], avg_logprob: float, speech_s: float, options: AsrOptions) -> str | None:
    """Why a chunk's batched result should not be trusted (None: it is fine). Pure."""
    text = " ".join(t.strip() for t in texts).strip()
    words = text.split()
    if speech_s >= MIN_CHECKED_SPEECH_S:
        rate = len(words) / speech_s
        if rate < MIN_WORDS_PER_S:
            return "few_words"
        if rate > MAX_WORDS_PER_S:
            return "many_words"
    if not words:
        return None if speech_s < MIN_CHECKED_SPEECH_S else "few_words"
    if options.compression_ratio_threshold is not None:
        raw = text.encode("utf-8")
        if len(raw) / len(zlib.compress(raw)) > options.compression_ratio_threshold:
            return "compressible"
    if options.log_prob_threshold is not None and avg_logprob < options.log_prob_threshold:
        return "unlikely"
    run = 1
    for before, word in itertools.pairwise(words):
        run = run + 1 if word.strip(".,!?").lower() == before.strip(".,!?").lower() else 1
        if run >= MAX_SAME_WORD_RUN:
            return "repeated_word"
    return None


def wordless(
    spans: Sequence[tuple[float, float]],
    regions: Sequence[tuple[float, float]],
    segments: Sequence[Segment],
    min_s: float = MIN_WORDLESS_S,
) -> list[tuple[float, float]]:
    """The spans with at least `min_s` of speech and not one word whose middle lies in them. Pure."""
    middles = sorted((w.start + w.end) / 2 for s in segments for w in (s.words or ()))
    if not middles and segments:
        middles = sorted((s.start + s.end) / 2 for s in segments)
    found = []
    for start, end in spans:
        index = int(np.searchsorted(middles, start))
        if index < len(middles) and middles[index] <= end:
            continue
        if _speech_within(regions, start, end) >= min_s:
            found.append((start, end))
    return found


def _segment(raw: Any, offset: float = 0.0) -> Segment | None:
    text = raw.text.strip()
    if not text:
        return None
    words = tuple(
        Word(
            start=float(w.start) + offset,
            end=float(w.end) + offset,
            text=w.word,
            probability=float(w.probability),
        )
        for w in (raw.words or ())
    )
    return Segment(start=float(raw.start) + offset, end=float(raw.end) + offset, text=text, words=words)


def decode_alone(
    model: Any, audio: np.ndarray, start: float, end: float, options: AsrOptions
) -> list[Segment]:
    """One stretch decoded on its own by the sequential decoder (temperature fallback), times in the file's."""
    first, last = max(0, int(start * RATE)), min(audio.size, int(end * RATE))
    alone = dataclasses.replace(options, batched=False, vad_filter=False)
    segments, _ = transcribe(model, audio[first:last], alone)
    offset = first / RATE
    return [
        dataclasses.replace(
            s,
            start=s.start + offset,
            end=s.end + offset,
            words=tuple(dataclasses.replace(w, start=w.start + offset, end=w.end + offset) for w in s.words),
        )
        for s in segments
    ]


class ChunkStore(Protocol):
    """Where finished chunks are kept so a killed run resumes (store.Checkpoint)."""

    def load(self) -> dict[tuple[float, float], list[Segment]]: ...

    def add(self, start: float, end: float, segments: list[Segment]) -> None: ...


def transcribe_batched(
    model: Any,
    audio: np.ndarray,
    options: AsrOptions,
    regions: Sequence[tuple[float, float]],
    on_progress: Callable[[float], None] | None = None,
    checkpoint: ChunkStore | None = None,
) -> tuple[list[Segment], str, dict[str, Any]]:
    """Batched decoding of the planned chunks, `batch_size` at a time; suspicious chunks and wordless
    stretches decoded again sequentially. Each finished chunk goes to `checkpoint`; chunks already in it (an
    earlier, killed run) are not decoded again. Only one batch's features are held at a time.

    Returns (segments, language, a record of the chunks: how many, how many came from the checkpoint,
    which were decoded again and why).
    """
    from faster_whisper import BatchedInferencePipeline

    chunks = plan_chunks(regions, audio, options)
    spans = whisper_chunks(
        regions, len(audio) / RATE, options.shared_vad_join_ms / 1000, options.shared_vad_pad_ms / 1000
    )
    done = checkpoint.load() if checkpoint is not None else {}
    record: dict[str, Any] = {"chunks": len(chunks), "resumed": 0, "redecoded": []}
    segments: list[Segment] = []
    todo = []
    for chunk in chunks:
        kept = done.get((round(chunk[0], 2), round(chunk[1], 2)))
        if kept is None:
            todo.append(chunk)
            continue
        segments += kept
        record["resumed"] += 1
        if on_progress is not None:
            on_progress(chunk[1])
    if record["resumed"]:
        log.info("resumed %d of %d chunk(s) from the checkpoint", record["resumed"], len(chunks))
    language = options.language
    pipeline = BatchedInferencePipeline(model=model)
    for first in range(0, len(todo), options.batch_size):
        group = todo[first : first + options.batch_size]
        by_chunk, detected = _decode_group(
            pipeline, audio, group, dataclasses.replace(options, language=language)
        )
        language = language or detected  # detected once, then kept for every later batch and retry
        retry = dataclasses.replace(options, language=language)
        for (start, end, speech_s), raws in zip(group, by_chunk, strict=True):
            found = _checked(model, audio, (start, end, speech_s), raws, spans, regions, retry, record)
            segments += found
            if checkpoint is not None:
                checkpoint.add(start, end, found)
            if on_progress is not None:
                on_progress(end)
        log.info("batched: %d of %d chunk(s) done", first + len(group) + record["resumed"], len(chunks))
    log.info("batched: %d chunk(s), %d decoded again sequentially", len(chunks), len(record["redecoded"]))
    segments.sort(key=lambda s: s.start)
    return segments, str(language or "nl"), record


def _decode_group(
    pipeline: Any, audio: np.ndarray, group: Sequence[tuple[float, float, float]], options: AsrOptions
) -> tuple[list[list[Any]], str]:
    """One batch through faster-whisper's batched decoder; its raw segments per chunk, and the language."""
    raw_segments, info = pipeline.transcribe(
        audio,
        language=options.language,
        beam_size=options.beam_size,
        batch_size=options.batch_size,
        clip_timestamps=[{"start": a, "end": b} for a, b, _ in group],
        vad_filter=False,
        word_timestamps=options.word_timestamps,
        without_timestamps=True,
        repetition_penalty=options.repetition_penalty,
        no_repeat_ngram_size=options.no_repeat_ngram_size,
        temperature=options.temperature[0],
        **options.extra,
    )
    frames = pipeline.model.frames_per_second
    seek_to_chunk = {int(int(a * RATE) / RATE * frames): i for i, (a, _, _) in enumerate(group)}
    by_chunk: list[list[Any]] = [[] for _ in group]
    for raw in raw_segments:
        index = seek_to_chunk.get(raw.seek)
        if index is None:  # not expected; fall back to the chunk that holds the segment's start
            index = max([0] + [i for i, (a, _, _) in enumerate(group) if a <= raw.start + 0.01])
        by_chunk[index].append(raw)
    return by_chunk, str(info.language)


def _checked(
    model: Any,
    audio: np.ndarray,
    chunk: tuple[float, float, float],
    raws: list[Any],
    spans: Sequence[tuple[float, float]],
    regions: Sequence[tuple[float, float]],
    retry: AsrOptions,
    record: dict[str, Any],
) -> list[Segment]:
    """A chunk's batched result if it passes `suspicion`, else the sequential decoder's; plus the
    sequential decoding of any stretch of speech in it without a word. Notes what was decoded again."""
    start, end, speech_s = chunk
    logprob = min((r.avg_logprob for r in raws), default=0.0)
    reason = suspicion([r.text for r in raws], logprob, speech_s, retry)
    if reason is not None:
        record["redecoded"].append([round(start, 1), round(end, 1), reason])
        return decode_alone(model, audio, start, end, retry)
    kept = [s for s in (_segment(r) for r in raws) if s is not None]
    inside = [(a, b) for a, b in spans if a >= start - 0.01 and b <= end + 0.01]
    for a, b in wordless(inside, regions, kept):
        record["redecoded"].append([round(a, 1), round(b, 1), "wordless"])
        kept += decode_alone(model, audio, a, b, retry)
    return kept
