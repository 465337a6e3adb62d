"""Diarization of a multi-channel recording: one speaker per microphone, leakage and overlap handled."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Sequence

import numpy as np

from core.texts import user_text
from pipeline.diarize.embedding import embed_windows, speech_regions
from pipeline.diarize.frontend import _normalise, _resample
from pipeline.diarize.options import (
    DEFAULT_OPTIONS,
    FRAME_S,
    SAMPLE_RATE,
    WARN_NO_SPEECH,
    WARN_ONE_SPEAKER,
    WARN_OVERLAP,
    WARN_SAME_CHANNELS,
    Diarization,
    DiarizeOptions,
)
from pipeline.diarize.turns import _relabel_by_first_appearance, _smooth_runs
from pipeline.diarize.voices import diarize

log = logging.getLogger(__name__)


def _same_signal(data: np.ndarray) -> bool:
    """True when every channel is (nearly) the same signal: correlation above 0.98 with the first."""
    first = data[0].astype(np.float64)
    for other in data[1:]:
        other = other.astype(np.float64)
        denom = float(np.linalg.norm(first) * np.linalg.norm(other))
        if denom == 0.0 or float(first @ other) / denom < 0.98:
            return False
    return True


Regions = list[tuple[float, float]]


def channel_regions(channels: np.ndarray, options: DiarizeOptions = DEFAULT_OPTIONS) -> list[Regions]:
    """The VAD on each channel (16 kHz, loudness-normalised): the one VAD pass of a `--channels` recording."""
    return [speech_regions(_normalise(np.asarray(ch, dtype=np.float32)), options=options) for ch in channels]


def merged_regions(per_channel: Sequence[Sequence[tuple[float, float]]]) -> Regions:
    """Speech in any channel: the union of the channels' regions, overlapping ones joined. Pure."""
    out: Regions = []
    for start, end in sorted(r for regions in per_channel for r in regions):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def diarize_channels(
    channels: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    options: DiarizeOptions = DEFAULT_OPTIONS,
    regions: Sequence[Sequence[tuple[float, float]]] | None = None,
) -> Diarization:
    """One speaker per channel of a dual/multi-channel recording (each person on their own microphone).

    Speech regions come from the VAD on each channel; where several channels hold speech at once (a voice
    leaking into the other microphone), the channel with the most energy (over 100 ms) speaks. Both channels
    loud within 6 dB of each other is counted as overlapping speech. Channels that carry the same signal
    (mono saved as stereo) fall back to `diarize` on the mix, with the warning `channels_identical`.
    `regions`: each channel's speech regions from the speech stage (`channel_regions`, at 16 kHz), so the VAD
    does not run again here.
    """
    if regions is not None and (sample_rate != SAMPLE_RATE or len(regions) != np.asarray(channels).shape[0]):
        regions = None  # computed for other audio: this function's own pass
    record = options.as_record()
    data = np.asarray(channels, dtype=np.float32)
    if data.ndim == 1:
        data = data[None, :]
    data = np.stack([_resample(ch, sample_rate) for ch in data])
    if data.shape[0] >= 2 and _same_signal(data):
        # A mono recording stored as stereo: the channels cannot tell the speakers apart, the voices can.
        log.info("diarize_channels: channels carry the same signal; diarizing the mix by voice")
        union = merged_regions(regions) if regions is not None else None
        mixed = diarize(data.mean(axis=0), options=options, regions=union)
        return dataclasses.replace(mixed, warnings=(*mixed.warnings, WARN_SAME_CHANNELS))
    n_ch, n_samples = data.shape
    hop = int(FRAME_S * SAMPLE_RATE)
    n_frames = n_samples // hop
    if n_frames == 0:
        return Diarization(turns=(), num_speakers=0, warnings=(WARN_NO_SPEECH,), options=record)
    framed = data[:, : n_frames * hop].reshape(n_ch, n_frames, hop)
    energy_db = 10 * np.log10(np.mean(framed.astype(np.float64) ** 2, axis=2) + 1e-12)
    # Smooth energy over 100 ms so single frames between syllables do not flip the speaker.
    kernel = np.ones(10) / 10
    energy_db = np.stack([np.convolve(e, kernel, mode="same") for e in energy_db])
    active = np.zeros((n_ch, n_frames), dtype=bool)
    per_channel = regions if regions is not None else channel_regions(data, options)
    for c in range(n_ch):
        for start, end in per_channel[c]:
            active[c, int(start / FRAME_S) : int(np.ceil(end / FRAME_S))] = True
    masked = np.where(active, energy_db, -np.inf)
    speaker = masked.argmax(axis=0)
    any_active = active.any(axis=0)
    if n_ch >= 2:
        top_two = np.sort(np.where(active, energy_db, -200.0), axis=0)[-2:]
        both = (active.sum(axis=0) >= 2) & (top_two[1] - top_two[0] < 6.0)
    else:
        both = np.zeros(n_frames, dtype=bool)
    frame = np.where(any_active, speaker, -1)
    # Within each stretch of speech, a flip to the other microphone shorter than options.min_run_s is leakage.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], any_active.astype(int), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        frame[a:b] = _smooth_runs(frame[a:b], round(options.min_run_s / FRAME_S))
    raw: list[tuple[float, float, int]] = []
    change = np.flatnonzero(np.diff(frame)) + 1
    bounds = [0, *change.tolist(), n_frames]
    for a, b in itertools.pairwise(bounds):
        if frame[a] >= 0 and (b - a) * FRAME_S >= 0.05:
            raw.append((a * FRAME_S, b * FRAME_S, int(frame[a])))
    turns, names = _relabel_by_first_appearance(raw, bridge_s=options.bridge_s)
    embeddings: dict[str, np.ndarray] = {}
    try:
        for ch, name in names.items():
            spans = [
                (t.start, t.end)
                for t in turns
                if t.speaker == name and t.end - t.start >= options.min_embed_s
            ]
            if spans:
                emb = embed_windows(_normalise(data[ch]), spans).mean(axis=0)
                embeddings[name] = emb / max(float(np.linalg.norm(emb)), 1e-9)
    except ImportError:  # pragma: no cover - the encoder is a dependency; channels work without it
        log.warning(user_text("log.diarize.no_encoder"))
    warnings: list[str] = []
    if not turns:
        warnings.append(WARN_NO_SPEECH)
    elif len(names) == 1:
        warnings.append(WARN_ONE_SPEAKER)
    speech_frames = int(any_active.sum())
    overlap = float(both.sum()) / speech_frames if speech_frames else 0.0
    if overlap >= options.overlap_warn_share:
        warnings.append(WARN_OVERLAP)
    log.info("diarize_channels: %d channels, %d speakers, %d turns", n_ch, len(names), len(turns))
    return Diarization(
        turns=turns,
        num_speakers=len(names),
        embeddings=embeddings,
        warnings=tuple(warnings),
        regions=tuple((t.start, t.end) for t in turns),
        options=record,
    )
