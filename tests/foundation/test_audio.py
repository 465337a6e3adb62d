"""Decoding: identical to faster-whisper's decoder, and bounded when a container does not tell its length."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from core.errors import UserError
from pipeline import audio


@pytest.fixture
def stereo_wav(tmp_path):
    path = tmp_path / "twee.wav"
    rng = np.random.default_rng(3)
    frames = (rng.normal(size=(44100 * 3, 2)) * 3000).astype(np.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(frames.tobytes())
    return path


def test_same_samples_as_faster_whisper(stereo_wav):
    decoded = audio.decode(stereo_wav, keep_channels=True)
    left, right = decode_audio(str(stereo_wav), split_stereo=True)
    assert np.array_equal(decoded.channels[0], left)
    assert np.array_equal(decoded.channels[1], right)
    assert np.abs(decoded.samples - decode_audio(str(stereo_wav))).max() < 1e-4
    assert decoded.duration_s == pytest.approx(3.0, abs=0.01)


def test_length_limit_holds_without_a_header_duration(stereo_wav, monkeypatch):
    monkeypatch.setattr(audio, "_probe", lambda path: (None, 2))
    with pytest.raises(UserError, match="langer dan de grens van 1 minuut"):
        audio.decode(stereo_wav, max_duration_s=1.0)
    assert audio.decode(stereo_wav, max_duration_s=10.0).duration_s == pytest.approx(3.0, abs=0.01)


@pytest.mark.parametrize("told", [None, 0.5, 3.0, 30.0])
def test_same_samples_whatever_length_the_container_tells(stereo_wav, monkeypatch, told):
    """The float32 buffer is sized from the container's length and grown when the file is longer (or the
    length is unknown): the samples are faster-whisper's either way, mono and per channel."""
    monkeypatch.setattr(audio, "_probe", lambda path: (told, 2))
    decoded = audio.decode(stereo_wav, keep_channels=True)
    left, right = decode_audio(str(stereo_wav), split_stereo=True)
    assert np.array_equal(decoded.channels[0], left)
    assert np.array_equal(decoded.channels[1], right)
    mono = audio.decode(stereo_wav)
    assert mono.samples.dtype == np.float32
    assert np.abs(mono.samples - decode_audio(str(stereo_wav))).max() < 1e-4
    assert mono.samples.size == 3 * 16000
