"""Speech regions, embedding windows and the voice embeddings of resemblyzer's GE2E encoder.

The encoder's weights come from `models.voice` (shipped as arrays); the network is built here with torch,
so resemblyzer itself is never imported. Heavy libraries are imported inside the functions.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from pipeline.diarize.frontend import HOP, mel_spectrogram
from pipeline.diarize.options import DEFAULT_OPTIONS, SAMPLE_RATE, DiarizeOptions, _Window

#: Threads for the voice encoder and the eigen-decompositions (see `_few_threads`).
EMBED_THREADS = 1


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


def speech_regions(
    audio: np.ndarray, sample_rate: int = SAMPLE_RATE, options: DiarizeOptions = DEFAULT_OPTIONS
) -> list[tuple[float, float]]:
    """Speech regions (seconds) from faster-whisper's Silero VAD, with the VAD settings of `options`."""
    from faster_whisper.vad import VadOptions

    from pipeline.diarize.vad import speech_timestamps

    if audio.size == 0:
        return []
    vad = VadOptions(
        min_silence_duration_ms=options.vad_min_silence_ms,
        speech_pad_ms=options.vad_speech_pad_ms,
        min_speech_duration_ms=options.vad_min_speech_ms,
    )
    stamps = speech_timestamps(audio, vad, sampling_rate=sample_rate)
    return [(s["start"] / sample_rate, s["end"] / sample_rate) for s in stamps]


def _windows(
    regions: Sequence[tuple[float, float]], options: DiarizeOptions = DEFAULT_OPTIONS
) -> list[_Window]:
    windows: list[_Window] = []
    for start, end in regions:
        length = end - start
        if length < options.min_embed_s:
            continue
        if length <= options.window_s:
            windows.append(_Window(start, end))
            continue
        n = int(np.ceil((length - options.window_s) / options.hop_s)) + 1
        # Spread the windows evenly so the last one ends at the region's end.
        step = (length - options.window_s) / (n - 1) if n > 1 else 0.0
        windows.extend(_Window(start + i * step, start + i * step + options.window_s) for i in range(n))
    return windows


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
