"""Speech to timed words with faster-whisper, streaming segments to a progress bar.

All decoding knobs live in `AsrOptions` (like faster-whisper's `TranscriptionOptions`) and are recorded with
each session, so a stored transcript says how it was made. Defaults are the safeguards against the failure
users report most on long recordings — Whisper repeating itself or inventing text in silences:
VAD removes non-speech before decoding, each window is decoded without the previous text as prompt, and the
compression-ratio / log-probability / no-speech thresholds trigger temperature fallback or drop a segment.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from core.errors import UserError
from core.offline import disable_onnxruntime_telemetry
from core.records import Segment, Word
from pipeline.reproducible import ASR_SEED, before_transcription, make_reproducible, seed_sampling

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AsrOptions:
    """How faster-whisper decodes; stored in `sessions.asr_options`."""

    language: str | None = "nl"
    beam_size: int = 5
    word_timestamps: bool = True
    vad_filter: bool = True
    #: Silero VAD: a pause of this length splits speech; short padding keeps word onsets. Used when no speech
    #: regions are given (transcription on its own); `spiegel process` (`--fast` too) runs the VAD once, in the
    #: speech stage, and Whisper gets those regions joined at pauses under `shared_vad_join_ms` and padded
    #: `shared_vad_pad_ms` more (about the same chunks as these settings give; bench/bench_vad_once.py).
    vad_min_silence_ms: int = 500
    vad_speech_pad_ms: int = 200
    shared_vad_join_ms: int = 300
    shared_vad_pad_ms: int = 100
    #: False stops one hallucinated sentence from seeding a repetition loop in every later window.
    condition_on_previous_text: bool = False
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    #: With word times, skip silent stretches longer than this (seconds) where a hallucination is likely.
    hallucination_silence_threshold: float | None = 2.0
    repetition_penalty: float = 1.05
    no_repeat_ngram_size: int = 0
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    #: Batched decoding: the guarded decoder of pipeline/batched.py (chunks cut in pauses, every chunk checked,
    #: suspicious ones and dropped sentences decoded again sequentially), on the speech stage's regions or,
    #: without them, on its own VAD pass. Measured as accurate as sequential and faster (bench/bench_asr.py),
    #: so it is the default; `spiegel process --sequential` turns it off. faster-whisper's bare batched
    #: pipeline is not used: it lost whole sentences here (WER 0.236–0.32 vs 0.145) and looped ("m'n m'n…").
    batched: bool = True
    batch_size: int = 8
    #: Guarded batched decoding (pipeline/batched.py, used when the speech stage's regions are given): chunks
    #: of at most this many seconds, cut in pauses; one Whisper window each.
    batched_max_chunk_s: float = 30.0
    #: Speech the VAD hears but with no words (over 3 s) is decoded again without the skip above
    #: (pipeline/coverage.py); what stays empty becomes a `speech_without_words` warning.
    recover_gaps: bool = True
    #: The seed of the temperature fallback's sampling: the same file gives the same words in every run.
    sampling_seed: int = ASR_SEED
    extra: dict[str, Any] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["temperature"] = list(self.temperature)
        return record


#: Set by `spiegel process --jobs N` in each worker: the cores divided among the workers.
THREADS_ENV = "SPIEGEL_THREADS"
DEVICES = ("auto", "cpu", "cuda")


def cpu_threads() -> int:
    """The worker's share of the cores (`SPIEGEL_THREADS`), else all cores: one file at a time."""
    given = os.environ.get(THREADS_ENV, "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def cuda_devices() -> int:
    """How many CUDA devices CTranslate2 can use (0 without a GPU or without a CUDA build)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # no CUDA runtime at all: the same as no GPU
        return 0


def resolve_device(device: str) -> tuple[str, str]:
    """(device, compute type): `auto` takes a GPU when one is present; float16 on a GPU, int8 on the CPU."""
    if device not in DEVICES:
        raise UserError("error.asr.device", devices=", ".join(DEVICES), device=device)
    if device == "auto":
        device = "cuda" if cuda_devices() > 0 else "cpu"
    elif device == "cuda" and cuda_devices() == 0:
        raise UserError("error.asr.no_gpu")
    return device, "float16" if device == "cuda" else "int8"


@functools.lru_cache(maxsize=2)
def load_whisper(path_or_name: str, local_only: bool, device: str = "cpu") -> Any:
    """Load a model once per process (a trainer's 300 files reuse it); `device` as `resolve_device` gives."""
    disable_onnxruntime_telemetry()  # before faster-whisper loads the Silero VAD (core/offline.py)
    from faster_whisper import WhisperModel

    device, compute_type = resolve_device(device)

    def build() -> Any:
        return WhisperModel(
            path_or_name,
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads(),
            local_files_only=local_only,
        )

    try:
        seed_sampling()  # before the model's worker thread first samples (pipeline/reproducible.py)
        return make_reproducible(build(), lambda: build().model)
    except Exception as error:  # faster-whisper raises many kinds; the user needs one sentence
        raise UserError("error.asr.load", model=path_or_name, kind=type(error).__name__) from error


def whisper_chunks(
    regions: Sequence[tuple[float, float]], total_s: float, join_s: float, pad_s: float
) -> list[tuple[float, float]]:
    """Speech regions → the chunks Whisper decodes: joined at pauses under `join_s`, padded `pad_s` (never
    past the audio or halfway into the pause before the next chunk). Pure."""
    joined: list[list[float]] = []
    for start, end in regions:
        if joined and start - joined[-1][1] < join_s:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    chunks = []
    for i, (start, end) in enumerate(joined):
        before = 0.0 if i == 0 else (joined[i - 1][1] + start) / 2
        after = total_s if i == len(joined) - 1 else (end + joined[i + 1][0]) / 2
        chunks.append((max(before, start - pad_s), min(after, end + pad_s)))
    return chunks


def transcribe(
    model: Any,
    audio: np.ndarray,
    options: AsrOptions,
    on_progress: Callable[[float], None] | None = None,
    regions: Sequence[tuple[float, float]] | None = None,
) -> tuple[list[Segment], str]:
    """Decode `audio` (16 kHz mono float32) into segments with word times; returns (segments, language).

    `on_progress` gets the end time (s) of each finished segment, to drive a progress bar. Batched (the
    default), the guarded decoder of pipeline/batched.py decodes chunks of `regions` (the speech stage's VAD
    pass; without them, a VAD pass here). Sequential with `regions`, Whisper decodes only those stretches,
    concatenated as faster-whisper's own VAD filter does, and its times are mapped back.
    """
    from faster_whisper.vad import VadOptions

    before_transcription(
        model, options.sampling_seed
    )  # sampling starts from the seed: the same audio gives the same words

    vad = VadOptions(
        min_silence_duration_ms=options.vad_min_silence_ms, speech_pad_ms=options.vad_speech_pad_ms
    )
    common: dict[str, Any] = {
        "language": options.language,
        "beam_size": options.beam_size,
        "word_timestamps": options.word_timestamps,
        "vad_filter": options.vad_filter,
        "vad_parameters": vad,
        "condition_on_previous_text": options.condition_on_previous_text,
        "compression_ratio_threshold": options.compression_ratio_threshold,
        "log_prob_threshold": options.log_prob_threshold,
        "no_speech_threshold": options.no_speech_threshold,
        "repetition_penalty": options.repetition_penalty,
        "no_repeat_ngram_size": options.no_repeat_ngram_size,
        "temperature": list(options.temperature),
        **options.extra,
    }
    if options.batched and options.vad_filter:
        from pipeline.batched import transcribe_batched

        if regions is None:
            from faster_whisper.vad import get_speech_timestamps

            regions = [(r["start"] / 16000, r["end"] / 16000) for r in get_speech_timestamps(audio, vad)]
        segments, language, _ = transcribe_batched(model, audio, options, regions, on_progress)
        return segments, language
    if regions is not None and options.vad_filter:
        from faster_whisper.transcribe import restore_speech_timestamps
        from faster_whisper.vad import collect_chunks

        spans = whisper_chunks(
            regions, len(audio) / 16000, options.shared_vad_join_ms / 1000, options.shared_vad_pad_ms / 1000
        )
        if not spans:
            return [], str(options.language or "nl")
        chunks = [{"start": int(a * 16000), "end": int(b * 16000)} for a, b in spans]
        pieces, _ = collect_chunks(audio, chunks)
        common["vad_filter"] = False
        segments_iter, info = model.transcribe(
            np.concatenate(pieces),
            hallucination_silence_threshold=options.hallucination_silence_threshold,
            **common,
        )
        segments_iter = restore_speech_timestamps(segments_iter, chunks, 16000)
    else:
        segments_iter, info = model.transcribe(
            audio, hallucination_silence_threshold=options.hallucination_silence_threshold, **common
        )
    segments: list[Segment] = []
    for raw in segments_iter:
        text = raw.text.strip()
        if text:
            words = tuple(
                Word(start=float(w.start), end=float(w.end), text=w.word, probability=float(w.probability))
                for w in (raw.words or ())
            )
            segments.append(Segment(start=float(raw.start), end=float(raw.end), text=text, words=words))
        if on_progress is not None:
            on_progress(float(raw.end))
    return segments, str(info.language)
