"""Who spoke when: offline speaker diarization with weights that install from PyPI.

Method (measured in FINDINGS.md, "Speaker diarization"):

1. Speech regions come from the Silero VAD that ships inside faster-whisper, so silence never gets a speaker.
2. Each region is cut into 1.5 s windows with a 0.75 s hop; each window gets a 256-d voice embedding from
   resemblyzer's GE2E encoder, whose weights ship inside this project (`models/voice.py`): nothing is fetched
   from a model hub, ever, and resemblyzer itself is not needed; the mel front end is reimplemented in numpy
   (`mel_spectrogram`), so neither librosa nor webrtcvad is imported.
3. Windows are clustered with spectral clustering whose speaker count is the largest eigengap of a pruned
   affinity matrix (NME-SC, Park et al. 2019). Fixed distance thresholds and silhouette scores merged a third
   voice or split a real one; the eigengap found the right count on every file tried.
4. Clusters whose centroids are nearly the same voice are merged (that is how one speaker is recognised:
   the eigengap alone always proposes at least two groups of phonetically different windows).
5. Every 10 ms frame of speech gets the label voted by the windows covering it (centre-weighted), so a
   turn change inside a region lands between two window centres.

Heavy libraries (torch, scipy) are imported only inside functions, so `spiegel --help`
stays fast, and the encoder is loaded once per process (`load_encoder`).
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.records import SpeakerTurn

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
#: Window and hop of the embedding windows: 1.5 s holds enough voice for a stable embedding, a 0.75 s hop
#: puts a window centre every 0.75 s, which bounds how far off a turn change inside one speech region can be.
WINDOW_S = 1.5
HOP_S = 0.75
#: Speech regions shorter than this get no embedding of their own (too little voice to tell speakers apart);
#: they take the speaker of the nearest embedded window in time.
MIN_EMBED_S = 0.5
#: Spectral clustering is cubic in the number of windows; past this many, an evenly spaced subset is
#: clustered and the remaining windows join the nearest cluster centroid.
MAX_CLUSTER_WINDOWS = 600
#: Two clusters whose centroids are at least this cosine-similar are the same voice and are merged. The
#: GE2E encoder puts windows of one voice at about 0.85-0.95 from their centroid and different voices of the
#: same sex at 0.5-0.7 for real voices, but up to 0.86 for two espeak-ng voices (measured on samples/audio
#: and real_duo.wav). The eigengap already finds one speaker on every one-voice file tried; this is the net.
SAME_VOICE_SIMILARITY = 0.90
#: A cluster of fewer windows than this (one window: under 1.5 s of voice) is not trusted as a speaker of its
#: own; its windows join the most similar other cluster.
MIN_CLUSTER_WINDOWS = 2
#: Threads for the voice encoder and the eigen-decompositions (see `_few_threads`).
EMBED_THREADS = 1
#: A window this far below its cluster's 5th-percentile similarity to the centroid is an outlier, and
#: outliers at least this similar to their own centroid are one voice (see `_rescue_minor_speaker`).
OUTLIER_DROP = 0.12
OUTLIER_COHESION = 0.75
#: A pause shorter than this between two turns of the same speaker is part of the turn (a breath, a comma):
#: a turn is who holds the floor, and the gold turns of every test set count such pauses as speech.
BRIDGE_S = 0.5
#: Frames of the final speaker grid, in seconds.
FRAME_S = 0.01
#: A run of frames shorter than this inside a speech region is relabelled to its neighbours: nobody speaks
#: a turn of a quarter second in the middle of someone else's sentence.
MIN_RUN_S = 0.3
#: Warn about overlapping speech when at least this many speaker changes, and this share of all changes,
#: come without any pause (see `_changes_without_pause`); for channels, this share of speech time with
#: both microphones loud at once.
OVERLAP_MIN_CHANGES = 2
OVERLAP_WARN_SHARE = 0.10

#: Warning codes (the dashboard shows `warning.<code>` from its locale files).
WARN_NO_SPEECH = "no_speech"
WARN_ONE_SPEAKER = "one_speaker"
WARN_OVERLAP = "overlapping_speech"
WARN_SAME_CHANNELS = "channels_identical"


@dataclass(frozen=True)
class Diarization:
    """Speaker turns with labels "S1", "S2", ... in order of first appearance."""

    turns: tuple[SpeakerTurn, ...]
    num_speakers: int
    embeddings: dict[str, np.ndarray] = field(default_factory=dict)  # centroid voice embedding per speaker
    warnings: tuple[str, ...] = ()
    #: The speech regions (seconds) the turns were found in.
    regions: tuple[tuple[float, float], ...] = ()
    #: The settings that made this result (stored with the session).
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Window:
    start: float
    end: float


@contextlib.contextmanager
def _few_threads() -> Iterator[None]:
    """Run BLAS (eigen-decompositions) and torch on `EMBED_THREADS` threads for the duration.

    The matrices here are small; on a shared or busy machine more threads only spin and wait (measured 10x
    slower with two OpenBLAS threads on a loaded 2-core machine), and Whisper is not running meanwhile.
    """
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(EMBED_THREADS)
    try:
        with threadpool_limits(limits=EMBED_THREADS):
            yield
    finally:
        torch.set_num_threads(previous)


@functools.lru_cache(maxsize=1)
def load_encoder() -> Any:
    """resemblyzer's GE2E voice encoder (3-layer LSTM over 40 mel bands, 256-d output) on CPU, loaded once.

    Same network and weights as `resemblyzer.VoiceEncoder`; the weights come from `models.voice` (shipped as
    arrays), so only torch is imported and resemblyzer need not be installed.
    """
    import torch
    from torch import nn

    from models.voice import encoder_weights

    class VoiceEncoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(40, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, 256)
            self.relu = nn.ReLU()

    encoder = VoiceEncoder()
    state = {name: torch.from_numpy(array.copy()) for name, array in encoder_weights().items()}
    encoder.load_state_dict(state, strict=True)
    encoder.eval()
    return encoder


def _resample(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    if sample_rate == SAMPLE_RATE:
        return audio
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(sample_rate, SAMPLE_RATE)
    return resample_poly(audio, SAMPLE_RATE // g, sample_rate // g).astype(np.float32)


def _normalise(audio: np.ndarray) -> np.ndarray:
    """Raise quiet recordings to -30 dBFS as resemblyzer's preprocessing does (its mels are not logged)."""
    audio = np.asarray(audio, dtype=np.float32)
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))) if audio.size else 0.0
    if rms <= 1e-9:
        return audio
    gain_db = -30.0 - 20.0 * np.log10(rms)
    if gain_db <= 0:
        return audio
    return np.clip(audio * (10.0 ** (gain_db / 20.0)), -1.0, 1.0).astype(np.float32)


def speech_regions(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> list[tuple[float, float]]:
    """Speech regions (seconds) from faster-whisper's Silero VAD: 250 ms of silence splits, 100 ms padding."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if audio.size == 0:
        return []
    options = VadOptions(min_silence_duration_ms=250, speech_pad_ms=100, min_speech_duration_ms=150)
    stamps = get_speech_timestamps(audio, options, sampling_rate=sample_rate)
    return [(s["start"] / sample_rate, s["end"] / sample_rate) for s in stamps]


def _windows(regions: Sequence[tuple[float, float]]) -> list[_Window]:
    windows: list[_Window] = []
    for start, end in regions:
        length = end - start
        if length < MIN_EMBED_S:
            continue
        if length <= WINDOW_S:
            windows.append(_Window(start, end))
            continue
        n = int(np.ceil((length - WINDOW_S) / HOP_S)) + 1
        # Spread the windows evenly so the last one ends at the region's end.
        step = (length - WINDOW_S) / (n - 1) if n > 1 else 0.0
        windows.extend(_Window(start + i * step, start + i * step + WINDOW_S) for i in range(n))
    return windows


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (linear below 1 kHz, logarithmic above), as librosa's default."""
    hz = np.asarray(hz, dtype=np.float64)
    mel = hz / (200.0 / 3)
    log_region = hz >= 1000.0
    return np.where(log_region, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), mel)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    hz = mel * (200.0 / 3)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), hz)


@functools.lru_cache(maxsize=1)
def _mel_filters() -> np.ndarray:
    """The encoder's 40-band Slaney-normalised mel filterbank for a 400-point FFT at 16 kHz.

    Identical to `librosa.filters.mel(sr=16000, n_fft=400, n_mels=40)` (a test checks it); computing it here
    saves librosa's two seconds of first-call compilation per process.
    """
    n_fft, n_mels = N_FFT, 40
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, 1 + n_fft // 2)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    weights = np.zeros((n_mels, len(fft_freqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


N_FFT = 400  # 25 ms at 16 kHz, the encoder's analysis window
HOP = 160  # 10 ms


def mel_spectrogram(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrogram as resemblyzer's `wav_to_mel_spectrogram` (centred, zero-padded)."""
    wav = np.asarray(wav, dtype=np.float32)
    padded = np.pad(wav, (N_FFT // 2, N_FFT // 2))
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    if n_frames <= 0:
        return np.zeros((0, 40), dtype=np.float32)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:n_frames] * window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return (power.astype(np.float32) @ _mel_filters().T).astype(np.float32)


def embed_windows(
    audio: np.ndarray, windows: Sequence[_Window] | Sequence[tuple[float, float]]
) -> np.ndarray:
    """L2-normalised voice embeddings (n, 256) of the given (start, end) windows of 16 kHz audio.

    Windows of different lengths go through the encoder's LSTM together as one packed batch, and torch runs
    on `EMBED_THREADS` threads: on a busy 2-core machine two OpenMP threads were 7x slower than one.
    """
    import torch
    from torch.nn.utils.rnn import pack_sequence

    spans = [(w.start, w.end) if isinstance(w, _Window) else (float(w[0]), float(w[1])) for w in windows]
    if not spans:
        return np.zeros((0, 256), dtype=np.float32)
    encoder = load_encoder()
    mels = _window_mels(audio, spans)
    out = np.zeros((len(spans), 256), dtype=np.float32)
    with _few_threads(), torch.inference_mode():
        for chunk in range(0, len(mels), 256):
            part = [torch.from_numpy(m) for m in mels[chunk : chunk + 256]]
            _, (hidden, _) = encoder.lstm(pack_sequence(part, enforce_sorted=False))
            out[chunk : chunk + len(part)] = encoder.relu(encoder.linear(hidden[-1])).numpy()
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-9)


def _window_mels(audio: np.ndarray, spans: Sequence[tuple[float, float]]) -> list[np.ndarray]:
    """Mel frames of each span; spans inside one contiguous stretch share one spectrogram computation."""
    mels: list[np.ndarray] = []
    cache: tuple[float, float, np.ndarray] | None = None
    hop_s = HOP / SAMPLE_RATE
    for start, end in spans:
        if cache is None or not (cache[0] <= start and end <= cache[1]):
            # A new stretch: all following spans that start before this one's end belong to it.
            stretch_end = end
            for s2, e2 in spans[len(mels) :]:
                if s2 < stretch_end:
                    stretch_end = max(stretch_end, e2)
                else:
                    break
            a = int(start * SAMPLE_RATE)
            cache = (start, stretch_end, mel_spectrogram(audio[a : int(stretch_end * SAMPLE_RATE)]))
        first = round((start - cache[0]) / hop_s)
        count = max(1, round((end - start) / hop_s))
        mel = cache[2][first : first + count]
        mels.append(mel if len(mel) else np.zeros((1, 40), dtype=np.float32))
    return mels


# --- clustering -------------------------------------------------------------------------------------


def _laplacian_eigh(binary: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The `count` smallest eigenpairs of the graph Laplacian, and its largest eigenvalue."""
    from scipy.linalg import eigh

    affinity = 0.5 * (binary + binary.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(affinity.sum(axis=1)) - affinity
    n = len(laplacian)
    values, vectors = eigh(laplacian, subset_by_index=[0, min(count, n) - 1], driver="evx")
    top = eigh(laplacian, eigvals_only=True, subset_by_index=[n - 1, n - 1], driver="evx")
    return values, vectors, float(top[0])


def _prune(similarity: np.ndarray, p: int) -> np.ndarray:
    """Keep the p strongest neighbours of every row (binary), the NME-SC affinity."""
    n = similarity.shape[0]
    order = np.argsort(-similarity, axis=1)[:, :p]
    binary = np.zeros_like(similarity)
    binary[np.arange(n)[:, None], order] = 1.0
    return binary


def nme_spectral(similarity: np.ndarray, max_speakers: int, num_speakers: int | None = None) -> np.ndarray:
    """Cluster labels 0..k-1 of an (n, n) cosine-similarity matrix; k from the normalised max eigengap.

    For each pruning level p the Laplacian's eigengap g_p (normalised by the largest eigenvalue) measures how
    clearly the graph falls into groups; the p with the smallest p/g_p wins (NME-SC), and k is where its gap
    is largest among the first `max_speakers` eigenvalues.
    """
    n = similarity.shape[0]
    if n <= 2:
        return np.zeros(n, dtype=int)
    sim = similarity.copy()
    np.fill_diagonal(sim, 1.0)
    max_k = max(1, min(max(max_speakers, num_speakers or 0), n - 1))
    p_max = max(2, int(n * 0.25))
    candidates = sorted(set(np.linspace(2, p_max, num=min(16, p_max - 1)).astype(int).tolist())) or [2]
    best: tuple[float, int, np.ndarray] | None = None
    for p in candidates:
        values, vectors, top = _laplacian_eigh(_prune(sim, p), max_k + 1)
        gaps = np.diff(values[: max_k + 1])
        gap_norm = gaps / max(top, 1e-9)
        if num_speakers is not None:
            k = min(num_speakers, n)
            score_gap = gap_norm[k - 1] if k - 1 < len(gap_norm) else gap_norm.max(initial=1e-9)
        else:
            k = int(np.argmax(gap_norm)) + 1
            score_gap = gap_norm[k - 1]
        ratio = p / max(score_gap, 1e-9)
        if best is None or ratio < best[0]:
            best = (ratio, k, vectors)
    assert best is not None
    _, k, vectors = best
    if k == 1:
        return np.zeros(n, dtype=int)
    return _kmeans(vectors[:, :k], k)


def _kmeans(points: np.ndarray, k: int, iterations: int = 100, restarts: int = 8) -> np.ndarray:
    """Plain deterministic k-means (k-means++ seeding from a fixed seed) on row-normalised spectral points."""
    points = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
    rng = np.random.default_rng(0)
    best_labels, best_inertia = np.zeros(len(points), dtype=int), np.inf
    for _ in range(restarts):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
            total = d2.sum()
            centres.append(
                points[rng.choice(len(points), p=d2 / total)]
                if total > 0
                else points[rng.integers(len(points))]
            )
        centres_arr = np.array(centres)
        labels = np.zeros(len(points), dtype=int)
        for _ in range(iterations):
            dist = ((points[:, None, :] - centres_arr[None, :, :]) ** 2).sum(axis=2)
            new = dist.argmin(axis=1)
            if np.array_equal(new, labels) and _ > 0:
                break
            labels = new
            for j in range(k):
                if np.any(labels == j):
                    centres_arr[j] = points[labels == j].mean(axis=0)
        inertia = float(((points - centres_arr[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_inertia, best_labels = inertia, labels.copy()
    return best_labels


def _centroids(embeddings: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    out = {}
    for label in np.unique(labels):
        c = embeddings[labels == label].mean(axis=0)
        out[int(label)] = c / max(float(np.linalg.norm(c)), 1e-9)
    return out


def _merge_same_voice(embeddings: np.ndarray, labels: np.ndarray, keep: int | None) -> np.ndarray:
    """Merge clusters that are one voice (centroids too similar) or too small to be a speaker.

    With `keep` (a forced speaker count) nothing is merged below that count.
    """
    labels = labels.copy()
    while True:
        present = np.unique(labels)
        if len(present) <= max(1, keep or 1):
            return labels
        cents = _centroids(embeddings, labels)
        sizes = {int(c): int((labels == c).sum()) for c in present}
        smallest = min(sizes, key=lambda c: sizes[c])
        if sizes[smallest] < MIN_CLUSTER_WINDOWS and keep is None:
            others = [c for c in present if c != smallest]
            target = max(others, key=lambda c: float(cents[c] @ cents[smallest]))
            labels[labels == smallest] = target
            continue
        best_pair, best_sim = None, -1.0
        for i, a in enumerate(present):
            for b in present[i + 1 :]:
                sim = float(cents[int(a)] @ cents[int(b)])
                if sim > best_sim:
                    best_pair, best_sim = (int(a), int(b)), sim
        if keep is not None or best_pair is None or best_sim < SAME_VOICE_SIMILARITY:
            return labels
        a, b = best_pair
        labels[labels == b] = a


def _rescue_minor_speaker(embeddings: np.ndarray, labels: np.ndarray, max_speakers: int) -> np.ndarray:
    """Give a voice heard in only a few windows its own cluster.

    The pruned affinity of NME-SC keeps each window's p nearest neighbours; a voice with fewer windows than
    p (a practitioner who asks two short questions in a monologue) is joined to the big cluster. Its windows
    then stand out: far less similar to their cluster's centroid than that cluster's own windows are (below
    its 5th percentile minus `OUTLIER_DROP`). When at least `MIN_CLUSTER_WINDOWS` such outliers are alike
    (each within `OUTLIER_COHESION` of their own centroid) and that centroid is not the voice of an existing
    cluster, they become a new speaker.
    """
    k = int(labels.max()) + 1 if len(labels) else 0
    if k == 0 or k >= max_speakers:
        return labels
    cents = _centroids(embeddings, labels)
    own = np.array([float(embeddings[i] @ cents[int(labels[i])]) for i in range(len(labels))])
    outlier = np.zeros(len(labels), dtype=bool)
    for c in cents:
        members = labels == c
        if members.sum() < 10:
            continue
        floor = float(np.percentile(own[members], 5)) - OUTLIER_DROP
        outlier |= members & (own < floor)
    matrix = np.stack([cents[c] for c in sorted(cents)])
    outlier &= (embeddings @ matrix.T).max(axis=1) < SAME_VOICE_SIMILARITY - 0.15
    idx = np.flatnonzero(outlier)
    for _ in range(5):
        if len(idx) < MIN_CLUSTER_WINDOWS:
            return labels
        centre = embeddings[idx].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        keep = idx[embeddings[idx] @ centre >= OUTLIER_COHESION]
        if len(keep) == len(idx):
            break
        idx = keep
    if len(idx) < MIN_CLUSTER_WINDOWS or float((matrix @ centre).max()) >= SAME_VOICE_SIMILARITY:
        return labels
    labels = labels.copy()
    labels[idx] = k
    return labels


def cluster_embeddings(
    embeddings: np.ndarray, num_speakers: int | None = None, max_speakers: int = 4
) -> np.ndarray:
    """Speaker label per embedding (0..k-1, arbitrary order); count automatic unless `num_speakers`."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if num_speakers == 1 or n < 3:
        return np.zeros(n, dtype=int)
    if n > MAX_CLUSTER_WINDOWS:
        subset = np.linspace(0, n - 1, MAX_CLUSTER_WINDOWS).round().astype(int)
    else:
        subset = np.arange(n)
    sub = embeddings[subset]
    labels_sub = nme_spectral(sub @ sub.T, max_speakers=max_speakers, num_speakers=num_speakers)
    labels_sub = _merge_same_voice(sub, labels_sub, keep=num_speakers)
    if num_speakers is None:
        labels_sub = _rescue_minor_speaker(sub, labels_sub, max_speakers)
    if len(subset) == n:
        labels = labels_sub
    else:
        cents = _centroids(sub, labels_sub)
        keys = sorted(cents)
        matrix = np.stack([cents[k] for k in keys])
        labels = np.array(keys)[np.argmax(embeddings @ matrix.T, axis=1)]
    # Compact labels to 0..k-1.
    _, compact = np.unique(labels, return_inverse=True)
    return compact.astype(int)


# --- from window labels to turns ----------------------------------------------------------------------


def _frame_labels(
    regions: Sequence[tuple[float, float]], windows: Sequence[_Window], labels: np.ndarray, k: int
) -> list[tuple[float, float, int]]:
    """Turns (start, end, label) by centre-weighted voting of windows over a 10 ms grid inside each region."""
    turns: list[tuple[float, float, int]] = []
    centres = np.array([(w.start + w.end) / 2 for w in windows]) if windows else np.zeros(0)
    min_run = round(MIN_RUN_S / FRAME_S)
    starts = [w.start for w in windows]  # windows are made region by region, so sorted by start
    for start, end in regions:
        n = max(1, round((end - start) / FRAME_S))
        times = start + (np.arange(n) + 0.5) * FRAME_S
        votes = np.zeros((n, k))
        first = bisect.bisect_left(starts, start - WINDOW_S)
        last = bisect.bisect_right(starts, end)
        for w, label in zip(windows[first:last], labels[first:last], strict=True):
            if w.end <= start or w.start >= end:
                continue
            half = (w.end - w.start) / 2
            centre = (w.start + w.end) / 2
            weight = np.clip(1.0 - np.abs(times - centre) / max(half, 1e-6), 0.0, None)
            # Windows never cross region borders (they are cut per region), so the mask is the window.
            votes[:, label] += weight
        frame = votes.argmax(axis=1)
        uncovered = votes.max(axis=1) <= 0
        if uncovered.any():
            if len(centres):
                nearest = labels[np.abs(centres[None, :] - times[uncovered][:, None]).argmin(axis=1)]
                frame[uncovered] = nearest
            else:
                frame[uncovered] = 0
        frame = _smooth_runs(frame, min_run)
        change = np.flatnonzero(np.diff(frame)) + 1
        bounds = [0, *change.tolist(), n]
        for a, b in itertools.pairwise(bounds):
            turns.append((start + a * FRAME_S, min(end, start + b * FRAME_S), int(frame[a])))
    return turns


def _smooth_runs(frame: np.ndarray, min_run: int) -> np.ndarray:
    """Relabel runs shorter than min_run to the longer neighbouring run (repeat until stable)."""
    frame = frame.copy()
    for _ in range(10):
        change = np.flatnonzero(np.diff(frame)) + 1
        bounds = [0, *change.tolist(), len(frame)]
        runs = list(itertools.pairwise(bounds))
        if len(runs) <= 1:
            return frame
        short = [i for i, (a, b) in enumerate(runs) if b - a < min_run]
        if not short:
            return frame
        i = min(short, key=lambda j: runs[j][1] - runs[j][0])
        a, b = runs[i]
        left = runs[i - 1] if i > 0 else None
        right = runs[i + 1] if i + 1 < len(runs) else None
        if left and (not right or left[1] - left[0] >= right[1] - right[0]):
            frame[a:b] = frame[left[0]]
        elif right:
            frame[a:b] = frame[right[0]]
    return frame


def _relabel_by_first_appearance(
    turns: Sequence[tuple[float, float, int]], bridge_s: float = 0.0
) -> tuple[tuple[SpeakerTurn, ...], dict[int, str]]:
    """Speaker names S1, S2... by first appearance; turns of one speaker less than `bridge_s` apart are joined."""
    names: dict[int, str] = {}
    for _, _, label in sorted(turns):
        if label not in names:
            names[label] = f"S{len(names) + 1}"
    merged: list[SpeakerTurn] = []
    for start, end, label in sorted(turns):
        speaker = names[label]
        if merged and merged[-1].speaker == speaker and start - merged[-1].end < bridge_s + 1e-6:
            merged[-1] = SpeakerTurn(merged[-1].start, round(max(end, merged[-1].end), 3), speaker)
        else:
            merged.append(SpeakerTurn(round(start, 3), round(end, 3), speaker))
    return tuple(merged), names


def _changes_without_pause(turns: Sequence[SpeakerTurn]) -> tuple[int, int]:
    """(speaker changes with no pause in between, all speaker changes).

    A new voice starting with no audible pause after the previous one (within one VAD speech region) is how
    interruptions and overlapping speech show up: the encoder cannot hear two voices in one window, but it
    hears the voice change where the VAD heard no silence.
    """
    immediate = total = 0
    for prev, cur in itertools.pairwise(turns):
        if prev.speaker != cur.speaker:
            total += 1
            if cur.start - prev.end < 0.05:
                immediate += 1
    return immediate, total


def diarize(
    audio: np.ndarray,
    sample_rate: int = SAMPLE_RATE,
    num_speakers: int | None = None,
    max_speakers: int = 4,
) -> Diarization:
    """Speaker turns of a mono recording (float32, normally faster_whisper.decode_audio's 16 kHz output).

    `num_speakers` forces the count; otherwise it is chosen automatically between 1 and `max_speakers`.
    Never raises on silence, one voice or overlapping voices: those come back as warnings.
    """
    if num_speakers is not None and num_speakers < 1:
        raise ValueError("num_speakers must be at least 1")
    audio = _normalise(_resample(np.asarray(audio, dtype=np.float32).reshape(-1), sample_rate))
    regions = speech_regions(audio)
    if not regions:
        log.info("diarize: no speech regions")
        return Diarization(turns=(), num_speakers=0, embeddings={}, warnings=(WARN_NO_SPEECH,))
    windows = _windows(regions)
    if not windows:
        # Only very short bursts of speech: one window over everything that was said.
        windows = [_Window(regions[0][0], regions[-1][1])]
    embeddings = embed_windows(audio, windows)
    with _few_threads():
        labels = cluster_embeddings(embeddings, num_speakers=num_speakers, max_speakers=max_speakers)
    k = int(labels.max()) + 1 if len(labels) else 1
    raw_turns = _frame_labels(regions, windows, labels, k)
    turns, names = _relabel_by_first_appearance(raw_turns, bridge_s=BRIDGE_S)
    centroids = _centroids(embeddings, labels)
    speaker_embeddings = {names[c]: centroids[c] for c in centroids if c in names}
    warnings: list[str] = []
    if len(names) == 1:
        warnings.append(WARN_ONE_SPEAKER)
    immediate, changes = _changes_without_pause(turns)
    if immediate >= OVERLAP_MIN_CHANGES and immediate >= OVERLAP_WARN_SHARE * changes:
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
    )


def _same_signal(data: np.ndarray) -> bool:
    """True when every channel is (nearly) the same signal: correlation above 0.98 with the first."""
    first = data[0].astype(np.float64)
    for other in data[1:]:
        other = other.astype(np.float64)
        denom = float(np.linalg.norm(first) * np.linalg.norm(other))
        if denom == 0.0 or float(first @ other) / denom < 0.98:
            return False
    return True


def diarize_channels(channels: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Diarization:
    """One speaker per channel of a dual/multi-channel recording (each person on their own microphone).

    Speech regions come from the VAD on each channel; where several channels hold speech at once (a voice
    leaking into the other microphone), the channel with the most energy (over 100 ms) speaks. Both channels
    loud within 6 dB of each other is counted as overlapping speech. Channels that carry the same signal
    (mono saved as stereo) fall back to `diarize` on the mix, with the warning `channels_identical`.
    """
    data = np.asarray(channels, dtype=np.float32)
    if data.ndim == 1:
        data = data[None, :]
    data = np.stack([_resample(ch, sample_rate) for ch in data])
    if data.shape[0] >= 2 and _same_signal(data):
        # A mono recording stored as stereo: the channels cannot tell the speakers apart, the voices can.
        log.info("diarize_channels: channels carry the same signal; diarizing the mix by voice")
        mixed = diarize(data.mean(axis=0))
        return dataclasses.replace(mixed, warnings=(*mixed.warnings, WARN_SAME_CHANNELS))
    n_ch, n_samples = data.shape
    hop = int(FRAME_S * SAMPLE_RATE)
    n_frames = n_samples // hop
    if n_frames == 0:
        return Diarization(turns=(), num_speakers=0, embeddings={}, warnings=(WARN_NO_SPEECH,))
    framed = data[:, : n_frames * hop].reshape(n_ch, n_frames, hop)
    energy_db = 10 * np.log10(np.mean(framed.astype(np.float64) ** 2, axis=2) + 1e-12)
    # Smooth energy over 100 ms so single frames between syllables do not flip the speaker.
    kernel = np.ones(10) / 10
    energy_db = np.stack([np.convolve(e, kernel, mode="same") for e in energy_db])
    active = np.zeros((n_ch, n_frames), dtype=bool)
    for c in range(n_ch):
        for start, end in speech_regions(_normalise(data[c])):
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
    # Within each stretch of speech, a flip to the other microphone shorter than MIN_RUN_S is leakage.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], any_active.astype(int), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        frame[a:b] = _smooth_runs(frame[a:b], round(MIN_RUN_S / FRAME_S))
    raw: list[tuple[float, float, int]] = []
    change = np.flatnonzero(np.diff(frame)) + 1
    bounds = [0, *change.tolist(), n_frames]
    for a, b in itertools.pairwise(bounds):
        if frame[a] >= 0 and (b - a) * FRAME_S >= 0.05:
            raw.append((a * FRAME_S, b * FRAME_S, int(frame[a])))
    turns, names = _relabel_by_first_appearance(raw, bridge_s=BRIDGE_S)
    embeddings: dict[str, np.ndarray] = {}
    try:
        for ch, name in names.items():
            spans = [(t.start, t.end) for t in turns if t.speaker == name and t.end - t.start >= MIN_EMBED_S]
            if spans:
                emb = embed_windows(_normalise(data[ch]), spans).mean(axis=0)
                embeddings[name] = emb / max(float(np.linalg.norm(emb)), 1e-9)
    except ImportError:  # pragma: no cover - the encoder is a dependency; channels work without it
        log.warning("diarize_channels: voice encoder unavailable, no embeddings")
    warnings: list[str] = []
    if not turns:
        warnings.append(WARN_NO_SPEECH)
    elif len(names) == 1:
        warnings.append(WARN_ONE_SPEAKER)
    speech_frames = int(any_active.sum())
    overlap = float(both.sum()) / speech_frames if speech_frames else 0.0
    if overlap >= OVERLAP_WARN_SHARE:
        warnings.append(WARN_OVERLAP)
    log.info("diarize_channels: %d channels, %d speakers, %d turns", n_ch, len(names), len(turns))
    return Diarization(turns=turns, num_speakers=len(names), embeddings=embeddings, warnings=tuple(warnings))
