"""Make test conversations with espeak-ng voices: 16 kHz audio plus gold turns (speaker, role, start, end).

Used by the speaker tests and the diarization bench when `samples/audio/` has not been generated. Each line
is spoken by espeak-ng with the voice of its speaker; gold times are the line's audible part (leading and
trailing silence of the synthesised clip trimmed by energy), so they are what a perfect diarizer would say.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
#: espeak-ng voice variant, pitch (0-99) and speed (words per minute) per speaker, in order of appearance.
VOICES: tuple[tuple[str, int, int], ...] = (
    ("nl+f3", 65, 160),
    ("nl+m3", 35, 150),
    ("nl+m7", 50, 170),
    ("nl+f5", 80, 150),
)


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str
    role: str = "client"


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: tuple[str, int, int]) -> np.ndarray:
    """One line as 16 kHz float32 mono."""
    name, pitch, speed = voice
    wav_bytes = subprocess.run(
        ["espeak-ng", "-v", name, "-p", str(pitch), "-s", str(speed), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav_bytes)) as handle:
        rate = handle.getframerate()
        frames = handle.readframes(handle.getnframes())
    samples = np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0
    if rate != SAMPLE_RATE:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(rate, SAMPLE_RATE)
        samples = resample_poly(samples, SAMPLE_RATE // g, rate // g).astype(np.float32)
    return samples


def _audible(samples: np.ndarray) -> tuple[int, int]:
    """First and last sample of the audible part (10 ms frames above -40 dB of the clip's peak frame)."""
    hop = SAMPLE_RATE // 100
    n = len(samples) // hop
    if n == 0:
        return 0, len(samples)
    energy = (samples[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    loud = np.flatnonzero(energy > energy.max() * 1e-4)
    return int(loud[0] * hop), int((loud[-1] + 1) * hop)


def synthesize(
    lines: Sequence[Line],
    gap_s: float = 0.5,
    overlap_s: float = 0.0,
    voices: dict[str, tuple[str, int, int]] | None = None,
) -> tuple[np.ndarray, list[dict]]:
    """Concatenate the lines with `gap_s` of silence; `overlap_s` > 0 starts every change of speaker that
    much before the previous line ends instead (overlapping speech). Returns (audio, gold turns)."""
    voices = dict(voices or {})
    for line in lines:
        if line.speaker not in voices:
            voices[line.speaker] = VOICES[len(voices) % len(VOICES)]
    pieces: list[tuple[int, np.ndarray]] = []
    gold: list[dict] = []
    cursor = int(0.3 * SAMPLE_RATE)
    previous: Line | None = None
    for line in lines:
        clip = speak(line.text, voices[line.speaker])
        a, b = _audible(clip)
        clip = clip[a:b]
        start = cursor
        if previous is not None:
            if overlap_s > 0 and previous.speaker != line.speaker:
                start = max(0, cursor - int(overlap_s * SAMPLE_RATE))
            else:
                start = cursor + int(gap_s * SAMPLE_RATE)
        pieces.append((start, clip))
        gold.append(
            {
                "speaker": line.speaker,
                "role": line.role,
                "start": start / SAMPLE_RATE,
                "end": (start + len(clip)) / SAMPLE_RATE,
                "text": line.text,
            }
        )
        cursor = start + len(clip)
        previous = line
    total = cursor + int(0.3 * SAMPLE_RATE)
    audio = np.zeros(total, dtype=np.float32)
    for start, clip in pieces:
        audio[start : start + len(clip)] += clip
    peak = float(np.abs(audio).max()) or 1.0
    return (audio / peak * 0.8).astype(np.float32), gold


def session_lines(path: Path, max_lines: int | None = None) -> list[Line]:
    """Lines of one of the sample sessions (samples/sessions/*.json)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    lines = [Line(u["speaker"], u["text"], u.get("role") or "client") for u in data["utterances"]]
    return lines[:max_lines] if max_lines else lines


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
