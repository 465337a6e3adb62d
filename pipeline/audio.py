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

from core.errors import UserError
from core.formatting import number
from core.texts import text, user_lang, user_text, warning_text

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
    #: `audio_truncated:DECODED/EXPECTED` or `audio_damaged:N` (core/warnings.py) when the file is damaged.
    warnings: tuple[str, ...] = ()


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
        raise UserError("error.file.missing", name=path.name)
    if path.is_dir():
        raise UserError("error.audio.folder", name=path.name)
    if path.stat().st_size == 0:
        raise UserError("error.file.empty", name=path.name)
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except PermissionError:
        raise UserError("error.file.no_permission", name=path.name) from None


def _probe(path: Path) -> tuple[float | None, int]:
    """Duration and channel count from the container header, without decoding."""
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise UserError("error.audio.no_track", name=path.name)
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
        raise UserError("error.audio.not_audio", name=path.name) from error


def _span(seconds: float) -> str:
    """A length as people say it, in the user's language: '3,5 uur' or '12 minutes'."""
    lang = user_lang()
    if seconds >= 3600:
        return text("cli.span.hours", lang, hours=number(seconds / 3600, lang))
    minutes = max(1, round(seconds / 60))
    return text("cli.span.minute" if minutes == 1 else "cli.span.minutes", lang, minutes=minutes)


class _TooLong(Exception):
    """Raised inside the decode loop as soon as the limit is passed, before memory fills up."""


def _decode_stream(
    path: Path, channels: int, max_samples: int, expected_s: float | None = None
) -> tuple[np.ndarray, int]:
    """Decode and resample to 16 kHz s16 with PyAV, frame by frame, stopping once past `max_samples`.

    Like `faster_whisper.decode_audio`, but bounded: a mislabelled day-long file is refused after reading
    just over the limit instead of after filling the memory. Damaged frames are skipped, as faster-whisper does.
    Returns float32 of shape (samples,) for mono or (channels, samples), and how many damaged frames were
    skipped. Samples go straight into one float32 buffer sized from the container's length (`expected_s`),
    grown only when the file is longer: a 3-hour recording costs its 0.7 GB of float32 once, not again as
    int16 chunks, their concatenation and a scaled copy (2.6 GB before).
    """
    import av

    resampler = av.audio.resampler.AudioResampler(
        format="s16", layout="stereo" if channels == 2 else "mono", rate=SAMPLE_RATE
    )
    expected = min(max_samples, int((expected_s or 60.0) * SAMPLE_RATE) + SAMPLE_RATE)
    buffer = np.empty(expected * channels, dtype=np.float32)
    total = 0  # values (samples × channels) written
    skipped = 0

    def take(frames: list) -> None:
        nonlocal total, buffer
        for out in frames:
            array = out.to_ndarray().reshape(-1)
            if (total + array.size) // channels > max_samples:
                raise _TooLong
            if total + array.size > buffer.size:
                grown = np.empty(max(total + array.size, int(buffer.size * 1.5)), dtype=np.float32)
                grown[:total] = buffer[:total]
                buffer = grown
            np.multiply(array, 1.0 / 32768.0, out=buffer[total : total + array.size], casting="unsafe")
            total += array.size

    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:
                skipped += 1
                continue
            frame.pts = None  # the resampler must not check timestamps of damaged streams
            take(resampler.resample(frame))
        take(resampler.resample(None))
    # a view when the estimate was right; a copy only when much of the buffer went unused
    audio = buffer[:total] if total >= 0.9 * buffer.size else buffer[:total].copy()
    return (audio.reshape(-1, channels).T if channels == 2 else audio), skipped


def _declared_length_s(path: Path, header_s: float | None) -> float | None:
    """How long the file says it is: the container header, or for WAV the RIFF data chunk size (FFmpeg
    reports a cut-off WAV by its actual size)."""
    if path.suffix.lower() in {".wav", ".wave"}:
        import struct

        with path.open("rb") as handle:
            head = handle.read(1 << 16)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            at, fmt = 12, None
            while at + 8 <= len(head):
                chunk, size = head[at : at + 4], struct.unpack("<I", head[at + 4 : at + 8])[0]
                if chunk == b"fmt ":
                    fmt = struct.unpack("<HHIIHH", head[at + 8 : at + 24])
                elif chunk == b"data" and fmt is not None and fmt[3] and size != 0xFFFFFFFF:
                    return size / fmt[3]
                at += 8 + size + (size & 1)
    return header_s


def _ogg_cut_off(path: Path) -> bool:
    """An Ogg stream's last page carries the end-of-stream flag; without it the file was cut off."""
    if path.suffix.lower() not in {".ogg", ".oga", ".opus"}:
        return False
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 65536))
        tail = handle.read()
    last = tail.rfind(b"OggS")
    if last < 0 or last + 27 > len(tail):
        return True
    segments = tail[last + 26]
    table = tail[last + 27 : last + 27 + segments]
    complete = len(table) == segments and last + 27 + segments + sum(table) <= len(tail)
    return not complete or not tail[last + 5] & 0x04


def damage_warnings(path: Path, header_s: float | None, decoded_s: float, skipped: int) -> list[str]:
    """Warnings naming the damage: a file that ends before its header says, or damaged frames skipped."""
    warnings = []
    declared = _declared_length_s(path, header_s)
    if declared is not None and declared - decoded_s > max(1.0, 0.02 * declared):
        warnings.append(f"audio_truncated:{decoded_s:.1f}/{declared:.1f}")
    elif _ogg_cut_off(path):
        warnings.append(f"audio_truncated:{decoded_s:.1f}/?")
    if skipped:
        warnings.append(f"audio_damaged:{skipped}")
    return warnings


def decode(path: Path, keep_channels: bool = False, max_duration_s: float = MAX_DURATION_S) -> DecodedAudio:
    """Decode to 16 kHz mono (and per-channel arrays when `keep_channels` and the file is multi-channel)."""
    import av

    check_readable(path)
    duration, n_channels = _probe(path)
    limit_text = _span(max_duration_s)
    if duration is not None and duration > max_duration_s:
        raise UserError("error.audio.too_long", name=path.name, length=_span(duration), limit=limit_text)
    stereo = keep_channels and n_channels >= 2
    try:
        decoded, skipped = _decode_stream(
            path, 2 if stereo else 1, int(max_duration_s * SAMPLE_RATE), expected_s=duration
        )
    except _TooLong:
        raise UserError("error.audio.over_limit", name=path.name, limit=limit_text) from None
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise UserError("error.audio.damaged", name=path.name) from error
    channels = decoded if stereo else None
    samples = decoded.mean(axis=0).astype(np.float32) if stereo else decoded
    if samples.size == 0:
        raise UserError("error.audio.no_audio", name=path.name)
    seconds = samples.size / SAMPLE_RATE
    log.debug("decoded %.1f s of audio (%d channel(s))", seconds, n_channels)
    warnings = tuple(damage_warnings(path, duration, seconds, skipped))
    if warnings:
        log.warning(
            user_text("log.audio.damaged", warnings=" ".join(warning_text(w, user_lang()) for w in warnings))
        )
    return DecodedAudio(samples=samples, channels=channels, duration_s=seconds, warnings=warnings)
