"""The numpy mel front end and the torch-only encoder equal resemblyzer's own (which the weights were made for)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_mel_filters_and_spectrogram_match_librosa() -> None:
    import librosa  # the reference implementation, installed with the dev extras

    from pipeline.diarize.frontend import _mel_filters, mel_spectrogram

    assert np.allclose(_mel_filters(), librosa.filters.mel(sr=16000, n_fft=400, n_mels=40), atol=1e-7)
    wav = (np.random.default_rng(0).normal(size=16037) * 0.1).astype(np.float32)
    ours = mel_spectrogram(wav)
    theirs = librosa.feature.melspectrogram(y=wav, sr=16000, n_fft=400, hop_length=160, n_mels=40).T
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1e-4 * np.abs(theirs).max()


@pytest.mark.slow
def test_encoder_matches_resemblyzer() -> None:
    import torch
    from resemblyzer import VoiceEncoder  # imports webrtcvad: the dev extras install webrtcvad-wheels

    from pipeline.diarize import embed_windows, load_encoder, mel_spectrogram

    wav = (np.random.default_rng(1).normal(size=24000) * 0.1).astype(np.float32)
    reference = VoiceEncoder("cpu", verbose=False)
    with torch.no_grad():
        theirs = reference(torch.from_numpy(mel_spectrogram(wav)[:150])[None]).numpy()[
            0
        ]  # 1.5 s = 150 frames
    ours = embed_windows(wav, [(0.0, 1.5)])[0]
    assert load_encoder() is load_encoder()
    assert np.allclose(ours, theirs, atol=1e-5)


@pytest.mark.slow
def test_diarize_imports_neither_librosa_nor_webrtcvad() -> None:
    code = (
        "import sys, numpy as np; from pipeline.diarize import diarize; "
        "diarize((np.random.default_rng(0).normal(size=32000) * 0.1).astype(np.float32)); "
        "sys.exit(1 if {'librosa', 'webrtcvad', 'resemblyzer'} & set(sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_shipped_weights_are_resemblyzers_pretrained_encoder(tmp_path: Path) -> None:
    """models/voice/ge2e_encoder.npz holds exactly the encoder parameters of resemblyzer 0.1.4's pretrained.pt."""
    import importlib.util

    import torch

    from models.voice import PARAMETERS, encoder_weights

    spec = importlib.util.find_spec("resemblyzer")  # the test reference, installed by setup.sh
    assert spec is not None and spec.submodule_search_locations
    checkpoint = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)["model_state"]
    ours = encoder_weights()
    assert tuple(ours) == PARAMETERS
    for name in PARAMETERS:
        assert np.array_equal(ours[name], state[name].numpy()), name


def test_damaged_weights_are_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.errors import UserError
    from models import voice

    damaged = tmp_path / "ge2e_encoder.npz"
    damaged.write_bytes(voice.encoder_weights_path().read_bytes()[:-10])
    monkeypatch.setattr(voice, "encoder_weights_path", lambda: damaged)
    voice.encoder_weights.cache_clear()
    try:
        with pytest.raises(UserError, match="beschadigd"):
            voice.encoder_weights()
    finally:
        voice.encoder_weights.cache_clear()
