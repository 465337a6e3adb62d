"""faster-whisper's Silero VAD, fed a block of windows at a time: the same speech regions in bounded memory.

`faster_whisper.vad.get_speech_timestamps` hands the whole padded recording to its Silero model, whose
`__call__` builds one array of every 512-sample window with its 64 samples of context: for a 3-hour
recording that is 0.8 GB on top of the recording and its padded copy. The post-processing of the
probabilities (thresholds, padding, minimum lengths) is the library's and stays the library's: only the
model call is swapped, for the duration of one call, by one that runs the same ONNX session on 10,000
windows at a time (the block size the library itself uses), carrying the LSTM state `h`, `c` and each
window's context exactly as the library does, so the probabilities, and the regions, are identical.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

#: Windows per ONNX call: faster-whisper's own `encoder_batch_size`, so the state is carried at the same points.
BLOCK_WINDOWS = 10_000
_SWAP = threading.Lock()


class BlockwiseSilero:
    """Drop-in for `SileroVADModel.__call__` that never materialises all windows with their context."""

    def __init__(self, model: Any) -> None:
        self._session = model.session

    def __call__(
        self, audio: np.ndarray, num_samples: int = 512, context_size_samples: int = 64
    ) -> np.ndarray:
        if audio.ndim != 1 or audio.shape[0] % num_samples:
            raise ValueError("VAD input must be 1-D and a multiple of the window size")
        windows = audio.reshape(-1, num_samples)
        h = np.zeros((1, 1, 128), dtype=np.float32)
        c = np.zeros((1, 1, 128), dtype=np.float32)
        outputs = []
        for first in range(0, windows.shape[0], BLOCK_WINDOWS):
            block = windows[first : first + BLOCK_WINDOWS]
            batch = np.empty((block.shape[0], context_size_samples + num_samples), dtype=np.float32)
            batch[:, context_size_samples:] = block
            batch[1:, :context_size_samples] = block[:-1, -context_size_samples:]
            batch[0, :context_size_samples] = windows[first - 1, -context_size_samples:] if first else 0.0
            if first + block.shape[0] == windows.shape[0]:
                # the library zeroes the last window's final context-sized tail (it writes through a view)
                batch[-1, -context_size_samples:] = 0.0
            output, h, c = self._session.run(None, {"input": batch, "h": h, "c": c})
            outputs.append(output)
        return np.concatenate(outputs, axis=0)


def speech_timestamps(audio: np.ndarray, options: Any, sampling_rate: int) -> list[dict[str, int]]:
    """`faster_whisper.vad.get_speech_timestamps`, with the model call done block by block."""
    import faster_whisper.vad as library

    model = library.get_vad_model()
    with _SWAP:
        original = library.get_vad_model
        library.get_vad_model = lambda: BlockwiseSilero(model)
        try:
            return library.get_speech_timestamps(audio, options, sampling_rate=sampling_rate)
        finally:
            library.get_vad_model = original
