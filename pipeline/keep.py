"""`spiegel process --keep-audio`: the recording kept beside the database, for listening in the dashboard.

Off by default: a recording is the most sensitive thing a session has (a voice identifies a person; the
transcript can be pseudonymised, the voice cannot), so it is kept only when the user asks. What is kept is
not the original file but the same 16 kHz mono signal Whisper heard, as Ogg/Opus at 24 kbit/s (about 10 MB
an hour; Chromium and Firefox play it, and seek in it), encrypted with `SPIEGEL_DB_KEY` like the database
(store/audio.py). A recording that cannot be kept leaves its session stored and says so in one sentence.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np

import store
from core.errors import UserError
from core.texts import user_text
from pipeline.audio import SAMPLE_RATE, decode

log = logging.getLogger(__name__)

MIME = "audio/ogg"
BIT_RATE = 24_000


def encode_opus(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Mono float32 samples → Ogg/Opus bytes (PyAV's libopus, the FFmpeg that faster-whisper brings)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=sample_rate)
        stream.bit_rate = BIT_RATE
        stream.layout = "mono"
        pcm = np.clip(samples, -1.0, 1.0).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="flt", layout="mono")
        frame.sample_rate = sample_rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def keep_recording(path: Path, db: Path | None, session_id: str | None, max_duration_s: float) -> bool:
    """Keep the recording of a stored session (once: a kept one is not encoded again). Returns whether it is
    kept now; a failure is logged as one sentence and the session stays as stored."""
    if session_id is None:
        return False
    try:
        if store.audio.has(db, session_id):
            return True
        audio = decode(path, max_duration_s=max_duration_s)
        store.audio.keep(db, session_id, encode_opus(audio.samples), MIME, audio.duration_s)
    except (UserError, OSError, ValueError) as error:
        # the reason's sentence can hold the file's name: the log gets the session id and the kind of failure
        log.warning(user_text("log.keep.failed", session=session_id, kind=type(error).__name__))
        return False
    return True
