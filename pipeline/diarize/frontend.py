"""The encoder's audio front end: resampling, loudness normalisation and the 40-band mel spectrogram.

The mel spectrogram is resemblyzer's `wav_to_mel_spectrogram` reimplemented in numpy (a test checks it
against librosa), so neither librosa nor webrtcvad is imported.
"""

from __future__ import annotations

import functools

import numpy as np

from pipeline.diarize.options import SAMPLE_RATE

N_FFT = 400  # 25 ms at 16 kHz, the encoder's analysis window
HOP = 160  # 10 ms


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
    rms = _rms(audio)
    if rms <= 1e-9:
        return audio
    gain_db = -30.0 - 20.0 * np.log10(rms)
    if gain_db <= 0:
        return audio
    louder = np.multiply(audio, np.float32(10.0 ** (gain_db / 20.0)))
    return np.clip(louder, -1.0, 1.0, out=louder)


#: Samples per block when summing squares in float64: bounded memory on hour-long recordings.
_RMS_BLOCK = 1 << 20


def _rms(audio: np.ndarray) -> float:
    """Root mean square in float64, a block at a time (a whole float64 copy of 3 hours is 1.4 GB, twice)."""
    if not audio.size:
        return 0.0
    total = 0.0
    for first in range(0, audio.size, _RMS_BLOCK):
        block = audio[first : first + _RMS_BLOCK].astype(np.float64)
        total += float(np.dot(block, block))
    return float(np.sqrt(total / audio.size))


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
