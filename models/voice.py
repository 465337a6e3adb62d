"""The voice encoder's weights: resemblyzer's GE2E encoder, shipped inside this package as plain arrays.

The diarizer embeds speech with the GE2E speaker encoder of resemblyzer 0.1.4 (Apache-2.0, Resemble AI; its
licence is `models/voice/LICENSE`). Its PyPI package declares `webrtcvad` (a C extension built from source,
which fails without a compiler and no longer imports with current setuptools) and `librosa`, neither of
which the diarizer uses. So the weights are not taken from that package: the 3-layer LSTM and the linear
layer of its `pretrained.pt` (`model_state`, without the optimiser state) are stored here as
`voice/ge2e_encoder.npz`, float32 exactly as trained, 5.7 MB, verified by SHA-256 on load. `pip install .`
needs no resemblyzer at all, and loading is `numpy.load` of arrays: no pickle, no code from a checkpoint.
`convert_checkpoint` made the file; `tests/speakers/test_encoder.py` checks it equals resemblyzer's.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

import numpy as np

from core.errors import UserError

WEIGHTS_FILE = "voice/ge2e_encoder.npz"
WEIGHTS_SHA256 = "d56a0949d1b849d8bb8b8372416e5bc9c75a215e9a2c0af81d487e506c10f9be"
#: The parameter names of the encoder, as in resemblyzer's `VoiceEncoder` (LSTM 40→256 ×3, linear 256→256).
PARAMETERS = (
    *(
        f"lstm.{kind}_l{layer}"
        for layer in range(3)
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ),
    "linear.weight",
    "linear.bias",
)


def encoder_weights_path() -> Path:
    """The shipped weights file (inside the installed `models` package)."""
    path = Path(str(resources.files("models").joinpath(WEIGHTS_FILE)))
    if not path.is_file():
        raise UserError("error.voice.missing")
    return path


@functools.lru_cache(maxsize=1)
def encoder_weights() -> dict[str, np.ndarray]:
    """Parameter name → float32 array, checked against the pinned SHA-256 (read once per process)."""
    path = encoder_weights_path()
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != WEIGHTS_SHA256:
        raise UserError("error.voice.damaged", name=path.name)
    with np.load(path, allow_pickle=False) as arrays:
        weights = {name: arrays[name].astype(np.float32, copy=False) for name in PARAMETERS}
    return weights


def convert_checkpoint(checkpoint: Path, out: Path) -> str:
    """Write the encoder parameters of a resemblyzer `pretrained.pt` to `out` (.npz); returns its SHA-256."""
    import torch

    state = torch.load(checkpoint, map_location="cpu", weights_only=True)["model_state"]
    np.savez(out, **{name: state[name].numpy() for name in PARAMETERS})
    return hashlib.sha256(out.read_bytes()).hexdigest()
