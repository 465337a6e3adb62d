"""The diarizer's settings (`DiarizeOptions`, stored with every session like `AsrOptions`) and its result.

Every threshold was measured (FINDINGS.md, "Speaker diarization"); each field says what it does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from core.records import SpeakerTurn

SAMPLE_RATE = 16_000
#: Frames of the final speaker grid, in seconds.
FRAME_S = 0.01

#: Warning codes (the dashboard shows `warning.<code>` from its locale files).
WARN_NO_SPEECH = "no_speech"
WARN_ONE_SPEAKER = "one_speaker"
WARN_OVERLAP = "overlapping_speech"
WARN_SAME_CHANNELS = "channels_identical"


@dataclass(frozen=True)
class DiarizeOptions:
    """How the diarizer finds speakers; `as_record()` is stored in the session record."""

    #: Silero VAD (from faster-whisper): a pause this long splits speech; padding keeps word edges; shorter
    #: bursts are not speech.
    vad_min_silence_ms: int = 250
    vad_speech_pad_ms: int = 100
    vad_min_speech_ms: int = 150
    #: Window and hop of the embedding windows: 1.5 s holds enough voice for a stable embedding, a 0.75 s hop
    #: puts a window centre every 0.75 s, which bounds how far off a turn change inside one region can be.
    window_s: float = 1.5
    hop_s: float = 0.75
    #: Speech regions shorter than this get no embedding of their own (too little voice to tell speakers
    #: apart); they take the speaker of the nearest embedded window in time.
    min_embed_s: float = 0.5
    #: The automatic speaker count is chosen between 1 and this.
    max_speakers: int = 4
    #: Spectral clustering is cubic in the number of windows; past this many, an evenly spaced subset is
    #: clustered and the remaining windows join the nearest cluster centroid.
    max_cluster_windows: int = 600
    #: Two clusters whose centroids are at least this cosine-similar are the same voice and are merged. The
    #: GE2E encoder puts windows of one voice at about 0.85-0.95 from their centroid and different voices of
    #: the same sex at 0.5-0.7 for real voices, but up to 0.86 for two espeak-ng voices (measured on
    #: samples/audio and real_duo.wav). The eigengap already finds one speaker on every one-voice file tried;
    #: this is the net.
    same_voice_similarity: float = 0.90
    #: A cluster of fewer windows than this (one window: under 1.5 s of voice) is not trusted as a speaker of
    #: its own; its windows join the most similar other cluster.
    min_cluster_windows: int = 2
    #: A window this far below its cluster's 5th-percentile similarity to the centroid is an outlier, and
    #: outliers at least this similar to their own centroid are one voice (see `_rescue_minor_speaker`).
    outlier_drop: float = 0.12
    outlier_cohesion: float = 0.75
    #: A pause shorter than this between two turns of the same speaker is part of the turn (a breath, a
    #: comma): a turn is who holds the floor, and the gold turns of every test set count such pauses as speech.
    bridge_s: float = 0.5
    #: A run of frames shorter than this inside a speech region is relabelled to its neighbours: nobody speaks
    #: a turn of a quarter second in the middle of someone else's sentence.
    min_run_s: float = 0.3
    #: Warn about overlapping speech when at least this many speaker changes, and this share of all changes,
    #: come without any pause (see `_changes_without_pause`); for channels, this share of speech time with
    #: both microphones loud at once.
    overlap_min_changes: int = 2
    overlap_warn_share: float = 0.10

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_OPTIONS = DiarizeOptions()


@dataclass(frozen=True)
class Diarization:
    """Speaker turns with labels "S1", "S2", ... in order of first appearance."""

    turns: tuple[SpeakerTurn, ...]
    num_speakers: int
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)  # centroid voice embedding per speaker
    warnings: tuple[str, ...] = ()
    #: The speech regions (seconds) the turns were found in.
    regions: tuple[tuple[float, float], ...] = ()
    #: The `DiarizeOptions` that made this result, as a record (stored with the session).
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Window:
    start: float
    end: float
