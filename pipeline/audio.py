"""Decode any common audio or video file to 16 kHz mono float32, with one-sentence errors for bad input.

Decoding goes through PyAV (the FFmpeg libraries bundled with faster-whisper), so every format FFmpeg reads
works without a system ffmpeg. Problems are caught here, before anything is transcribed or stored.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import UserError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
#: Recordings longer than this are refused before decoding: a counselling session is at most a few hours, and
#: a longer file is almost always a mistake (a whole day's recording) that would exhaust a laptop's memory.
MAX_DURATION_S = 4 * 3600
#: Extensions `spiegel process` picks up from a folder.
AUDIO_EXTENSIONS = frozenset(
    {
        ".wav",
        ".mp3",
        ".m4a",
        ".aac",
        ".ogg",
        ".oga",
        ".opus",
        ".flac",
        ".wma",
        ".webm",
        ".mp4",
        ".mov",
        ".mkv",
        ".avi",
        ".3gp",
        ".amr",
        ".aiff",
        ".aif",
        ".caf",
    }
)


@dataclass(frozen=True)
class DecodedAudio:
    """Mono samples for Whisper and VAD, plus the separate channels when the file has two or more."""

    samples: np.ndarray
    channels: np.ndarray | None
    duration_s: float


def file_sha256(path: Path) -> str:
    """Identity of a recording: the same file processed twice is recognised by this hash."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_readable(path: Path) -> None:
    """Refuse missing, unreadable and empty files with a sentence that names the file."""
    if not path.exists():
        raise UserError(f"{path.name}: the file does not exist.")
    if path.is_dir():
        raise UserError(f"{path.name}: this is a folder, not a recording.")
    if path.stat().st_size == 0:
        raise UserError(f"{path.name}: the file is empty.")


def _probe(path: Path) -> tuple[float | None, int]:
    """Duration and channel count from the container header, without decoding."""
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UserError(f"{path.name}: the file contains no audio track.")
            stream = container.streams.audio[0]
            duration = None
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            return duration, int(stream.channels or 1)
    except UserError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise UserError(f"{path.name}: this is not an audio or video file that can be read.") from error


def decode(path: Path, keep_channels: bool = False, max_duration_s: float = MAX_DURATION_S) -> DecodedAudio:
    """Decode to 16 kHz mono (and per-channel arrays when `keep_channels` and the file is multi-channel)."""
    import av
    from faster_whisper.audio import decode_audio

    check_readable(path)
    duration, n_channels = _probe(path)
    if duration is not None and duration > max_duration_s:
        raise UserError(
            f"{path.name}: the recording lasts {duration / 3600:.1f} hours, more than the limit of "
            f"{max_duration_s / 3600:.0f} hours; split it into sessions first."
        )
    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
        channels = None
        if keep_channels and n_channels >= 2:
            left, right = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)
            channels = np.stack([left, right])
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise UserError(f"{path.name}: the audio could not be decoded; the file may be damaged.") from error
    if samples.size == 0:
        raise UserError(f"{path.name}: the file contains no audio.")
    seconds = samples.size / SAMPLE_RATE
    if seconds > max_duration_s:
        raise UserError(
            f"{path.name}: the recording is longer than the limit of {max_duration_s / 3600:.0f} hours."
        )
    log.debug("decoded %.1f s of audio (%d channel(s))", seconds, n_channels)
    return DecodedAudio(samples=samples, channels=channels, duration_s=seconds)
