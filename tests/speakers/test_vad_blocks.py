"""The VAD pass in bounded memory: faster-whisper's Silero model fed a block of windows at a time gives the
library's own speech regions, on real recordings, whatever the block size; loudness normalisation's RMS,
summed a block at a time, is the whole-array one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from faster_whisper.vad import VadOptions, get_speech_timestamps

from pipeline.audio import decode
from pipeline.diarize import frontend, vad

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "audio"


@pytest.fixture(scope="module")
def recording() -> np.ndarray:
    path = SAMPLES / "nl_eerste_gesprek.wav"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `bash setup.sh --no-demo` (it generates the sample recordings)")
    samples = decode(path).samples
    return np.concatenate([samples, samples[: 16000 * 7 + 123]])  # not a multiple of the window size


@pytest.mark.parametrize("block", [vad.BLOCK_WINDOWS, 1000, 333])
def test_blockwise_vad_gives_the_librarys_regions(recording, monkeypatch, block):
    monkeypatch.setattr(vad, "BLOCK_WINDOWS", block)
    options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=100)
    ours = vad.speech_timestamps(recording, options, sampling_rate=16000)
    assert ours, "no speech found in a recording full of speech"
    assert ours == get_speech_timestamps(recording, options, sampling_rate=16000)


def test_blockwise_probabilities_equal_the_models(recording):
    import faster_whisper.vad as library

    model = library.get_vad_model()
    padded = np.pad(recording, (0, 512 - recording.size % 512))
    theirs = model(padded.copy())  # the library's call writes into its input
    assert np.array_equal(vad.BlockwiseSilero(model)(padded), theirs)


def test_rms_by_blocks(monkeypatch):
    rng = np.random.default_rng(7)
    audio = (rng.normal(size=3_000_001) * 0.01).astype(np.float32)
    monkeypatch.setattr(frontend, "_RMS_BLOCK", 4096)
    whole = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    assert frontend._rms(audio) == pytest.approx(whole, rel=1e-12)
    quiet = audio * 0.1
    louder = frontend._normalise(quiet)
    assert louder.dtype == np.float32
    assert frontend._rms(louder) == pytest.approx(10 ** (-30 / 20), rel=0.02)
