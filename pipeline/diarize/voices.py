"""Diarization of a mono recording by voice: regions → windows → embeddings → clusters → turns."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

import numpy as np

from pipeline.diarize.clustering import _centroids, cluster_embeddings
from pipeline.diarize.embedding import _few_threads, _windows, embed_windows, speech_regions
from pipeline.diarize.frontend import _normalise, _resample
from pipeline.diarize.options import (
    DEFAULT_OPTIONS,
    SAMPLE_RATE,
    WARN_NO_SPEECH,
    WARN_ONE_SPEAKER,
    WARN_OVERLAP,
    Diarization,
    DiarizeOptions,
    _Window,
)
from pipeline.diarize.turns import _changes_without_pause, _frame_labels, _relabel_by_first_appearance

log = logging.getLogger(__name__)


def diarize(
    audio: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    num_speakers: int | None = None,
    max_speakers: int | None = None,
    options: DiarizeOptions = DEFAULT_OPTIONS,
    regions: Sequence[tuple[float, float]] | None = None,
) -> Diarization:
    """Speaker turns of a mono recording (float32, normally faster_whisper.decode_audio's 16 kHz output).

    `num_speakers` forces the count; otherwise it is chosen automatically between 1 and `max_speakers`
    (default `options.max_speakers`). The options that made the result come back with it.
    Never raises on silence, one voice or overlapping voices: those come back as warnings.
    """
    if num_speakers is not None and num_speakers < 1:
        raise ValueError("num_speakers must be at least 1")
    if max_speakers is not None:
        options = dataclasses.replace(options, max_speakers=max_speakers)
    record = options.as_record()
    audio = _normalise(_resample(np.asarray(audio, dtype=np.float32).reshape(-1), sample_rate))
    if regions is None:  # else the speech regions of the one VAD pass (`speech_regions` on this audio)
        regions = speech_regions(audio, options=options)
    regions = list(regions)
    if not regions:
        log.info("diarize: no speech regions")
        return Diarization(turns=(), num_speakers=0, warnings=(WARN_NO_SPEECH,), options=record)
    windows = _windows(regions, options)
    if not windows:
        # Only very short bursts of speech: one window over everything that was said.
        windows = [_Window(regions[0][0], regions[-1][1])]
    embeddings = embed_windows(audio, windows)
    with _few_threads():
        labels = cluster_embeddings(embeddings, num_speakers, options.max_speakers, options)
    k = int(labels.max()) + 1 if len(labels) else 1
    raw_turns = _frame_labels(regions, windows, labels, k, options)
    turns, names = _relabel_by_first_appearance(raw_turns, bridge_s=options.bridge_s)
    centroids = _centroids(embeddings, labels)
    speaker_embeddings = {names[c]: centroids[c] for c in centroids if c in names}
    warnings: list[str] = []
    if len(names) == 1:
        warnings.append(WARN_ONE_SPEAKER)
    immediate, changes = _changes_without_pause(turns)
    if immediate >= options.overlap_min_changes and immediate >= options.overlap_warn_share * changes:
        warnings.append(WARN_OVERLAP)
    log.info(
        "diarize: %d regions, %d windows, %d speakers, %d turns, %d of %d changes without pause",
        len(regions),
        len(windows),
        len(names),
        len(turns),
        immediate,
        changes,
    )
    return Diarization(
        turns=turns,
        num_speakers=len(names),
        embeddings=speaker_embeddings,
        warnings=tuple(warnings),
        regions=tuple(regions),
        options=record,
    )
