"""Speak the bundled sample sessions with espeak-ng: reproducible multi-voice test audio with gold turns.

Usage (from the repository root)::

    python -m samples.make_audio [--out samples/audio] [--only NAME ...] [--force] [--overlap-demo] [--stats]
    python samples/make_audio.py ...

For every `samples/sessions/<name>.json` this writes

* `<out>/<name>.wav`: 16 kHz, mono, 16-bit PCM; every speaker has its own espeak-ng voice;
* `<out>/<name>.turns.json`: the gold turns (speaker, role, start, end, text, utterance idx).

plus two robustness clips made from `nl_eerste_gesprek`:

* `overlap_demo.wav` (+ `.turns.json`): two voices, some turns overlapping the previous one by 0.5 s;
* `one_speaker.wav` (+ `.turns.json`): only the practitioner's voice, about 30 s.

Everything is deterministic: espeak-ng output is deterministic, pauses come from a `random.Random` seeded with
the clip name, resampling is a plain FFT resample in numpy, and the WAV is written with the `wave` module.
Outputs newer than their session JSON (and this script) are skipped unless `--force` is given.
Needs `espeak-ng` on PATH and numpy; nothing else (no sox).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLES_DIR = Path(__file__).resolve().parent
SESSIONS_DIR = SAMPLES_DIR / "sessions"
DEFAULT_OUT = SAMPLES_DIR / "audio"

SAMPLE_RATE = 16_000
LEAD_S = 0.30  # silence before the first turn
TAIL_S = 0.40  # silence after the last turn
PAUSE_RANGE_S = (0.40, 0.90)  # pause between turns, drawn per clip from a seeded RNG
OVERLAP_S = 0.50  # overlap in the overlap demo
ONE_SPEAKER_TARGET_S = 30.0
TRIM_THRESHOLD = 0.01  # fraction of full scale that counts as sound when trimming espeak's silences
TRIM_MARGIN_S = 0.02

EXTRA_CLIPS = ("overlap_demo", "one_speaker")
EXTRA_SOURCE = "nl_eerste_gesprek"


@dataclass(frozen=True)
class Voice:
    """espeak-ng settings for one speaker: voice+variant, pitch (0-99), speed (words/min)."""

    voice: str
    pitch: int
    speed: int

    def args(self) -> list[str]:
        return ["-v", self.voice, "-p", str(self.pitch), "-s", str(self.speed)]

    def __str__(self) -> str:
        return f"{self.voice} -p {self.pitch} -s {self.speed}"


# One voice per speaker name used in samples/sessions. Speakers of one session differ in espeak variant
# (formants) and base pitch (median F0 at least 1.5x apart), so they are distinct by ear and for a diarizer.
# Whisper `base` understands espeak's Dutch poorly; the low male variants (m6, m3) fare best (word error rate
# about 0.45 against 0.6-0.75 for the female ones), so the practitioner, whose questions carry most labels,
# gets the most intelligible voice and the clients the higher ones.
VOICES: dict[str, Voice] = {
    # Dutch
    "Sanne": Voice("nl+m6", pitch=40, speed=145),  # practitioner in every Dutch session, F0 about 90 Hz
    "Eva": Voice("nl+Annie", pitch=60, speed=155),  # client K-017, about 255 Hz
    "Ruud": Voice("nl+m3", pitch=99, speed=155),  # client K-023, about 175 Hz
    "Monique": Voice("nl+Annie", pitch=60, speed=150),  # parent, about 255 Hz
    "Daan": Voice("nl+m3", pitch=80, speed=165),  # teenager, about 140 Hz
    # English
    "Alex": Voice("en-us+f3", pitch=72, speed=165),  # about 250 Hz
    "Jordan": Voice("en-us+m3", pitch=30, speed=160),  # about 90 Hz
}
FALLBACK = {
    ("nl", "practitioner"): Voice("nl+m6", 40, 145),
    ("nl", "client"): Voice("nl+Annie", 60, 155),
    ("en", "practitioner"): Voice("en-us+f3", 70, 165),
    ("en", "client"): Voice("en-us+m3", 30, 160),
}


def voice_for(speaker: str, role: str, language: str) -> Voice:
    if speaker in VOICES:
        return VOICES[speaker]
    base = "en" if language.startswith("en") else "nl"
    return FALLBACK.get((base, role), FALLBACK[(base, "client")])


# ---------------------------------------------------------------------------------------------- audio helpers


def espeak_bin() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng not found on PATH (apt-get install espeak-ng)")
    return exe


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Mono int16 WAV bytes -> float32 samples in [-1, 1] and the sample rate."""
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise ValueError("expected 16-bit PCM from espeak-ng")
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    return pcm, rate


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Band-limited FFT resampling (deterministic, no extra dependency)."""
    if src == dst or len(x) == 0:
        return x.astype(np.float32)
    n_out = round(len(x) * dst / src)
    spec = np.fft.rfft(x.astype(np.float64))
    keep = n_out // 2 + 1
    if keep <= len(spec):
        spec = spec[:keep]
    else:
        spec = np.concatenate([spec, np.zeros(keep - len(spec), dtype=spec.dtype)])
    y = np.fft.irfft(spec, n=n_out) * (n_out / len(x))
    return y.astype(np.float32)


def trim(x: np.ndarray, rate: int) -> np.ndarray:
    """Cut espeak's leading/trailing silence, keeping a small margin."""
    loud = np.flatnonzero(np.abs(x) > TRIM_THRESHOLD)
    if loud.size == 0:
        return x[:0]
    margin = int(TRIM_MARGIN_S * rate)
    return x[max(0, loud[0] - margin) : min(len(x), loud[-1] + 1 + margin)]


def synth(text: str, voice: Voice, workdir: Path) -> np.ndarray:
    """Speak one utterance; returns trimmed float32 samples at SAMPLE_RATE."""
    tmp = workdir / "utt.wav"
    subprocess.run(
        [espeak_bin(), *voice.args(), "-w", str(tmp), "--stdin"],
        input=text.encode("utf-8"),
        check=True,
        capture_output=True,
    )
    if not tmp.exists():  # espeak-ng exits 0 even on a bad option
        raise RuntimeError(f"espeak-ng wrote no audio for voice {voice}")
    pcm, rate = read_wav(tmp.read_bytes())
    return trim(resample(pcm, rate, SAMPLE_RATE), SAMPLE_RATE)


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")


def write_wav(path: Path, x: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".wav.part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(to_int16(x).tobytes())
    tmp.replace(path)


def write_json(path: Path, obj: dict) -> None:
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def estimate_f0(
    x: np.ndarray, rate: int = SAMPLE_RATE, fmin: float = 60.0, fmax: float = 400.0
) -> float | None:
    """Median fundamental frequency (Hz) over voiced frames, by normalised autocorrelation.

    Crude but good enough to check that two voices have clearly different pitch.
    """
    frame, hop = int(0.04 * rate), int(0.01 * rate)
    lo, hi = int(rate / fmax), int(rate / fmin)
    if len(x) < frame:
        return None
    peak = float(np.max(np.abs(x))) or 1.0
    f0s = []
    for start in range(0, len(x) - frame, hop):
        seg = x[start : start + frame].astype(np.float64)
        if np.sqrt(np.mean(seg**2)) < 0.05 * peak:
            continue
        seg = seg - seg.mean()
        ac = np.correlate(seg, seg, mode="full")[frame - 1 :]
        if ac[0] <= 0:
            continue
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5:
            f0s.append(rate / lag)
    return float(np.median(f0s)) if f0s else None


# ---------------------------------------------------------------------------------------------- clips


@dataclass
class Piece:
    speaker: str
    role: str
    text: str
    idx: int
    audio: np.ndarray
    overlap_s: float = 0.0  # how far this piece starts before the previous one ends


def load_session(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def speak_session(doc: dict, indices: list[int] | None = None) -> list[Piece]:
    lang = doc["meta"].get("language", "nl")
    pieces = []
    with tempfile.TemporaryDirectory(prefix="spiegel-tts-") as tmp:
        for utt in doc["utterances"]:
            if indices is not None and utt["idx"] not in indices:
                continue
            voice = voice_for(utt["speaker"], utt["role"], lang)
            audio = synth(utt["text"], voice, Path(tmp))
            pieces.append(Piece(utt["speaker"], utt["role"], utt["text"], utt["idx"], audio))
    return pieces


def assemble(name: str, pieces: list[Piece]) -> tuple[np.ndarray, list[dict]]:
    """Place pieces one after another with seeded pauses (or seeded-free overlaps); mix into one signal."""
    rng = random.Random(f"gespreksspiegel:{name}")  # noqa: S311 -- reproducible pauses, not security
    lead, tail = int(LEAD_S * SAMPLE_RATE), int(TAIL_S * SAMPLE_RATE)
    starts, pos = [], lead
    for i, p in enumerate(pieces):
        if i > 0:
            pause = rng.uniform(*PAUSE_RANGE_S)  # always drawn, so overlaps do not shift the RNG
            if p.overlap_s > 0:
                pos -= round(p.overlap_s * SAMPLE_RATE)
            else:
                pos += round(pause * SAMPLE_RATE)
        starts.append(pos)
        pos += len(p.audio)
    total = max(s + len(p.audio) for s, p in zip(starts, pieces, strict=True)) + tail
    mix = np.zeros(total, dtype=np.float32)
    turns = []
    for s, p in zip(starts, pieces, strict=True):
        mix[s : s + len(p.audio)] += p.audio
        turn = {
            "speaker": p.speaker,
            "role": p.role,
            "start": round(s / SAMPLE_RATE, 3),
            "end": round((s + len(p.audio)) / SAMPLE_RATE, 3),
            "text": p.text,
            "idx": p.idx,
        }
        if p.overlap_s:
            turn["overlap_s"] = p.overlap_s
        turns.append(turn)
    peak = float(np.max(np.abs(mix))) if total else 0.0
    if peak > 0.99:  # only happens where voices overlap; scale down instead of clipping
        mix *= 0.99 / peak
    return mix, turns


def write_clip(out: Path, name: str, doc: dict, pieces: list[Piece], source: Path, kind: str) -> dict:
    mix, turns = assemble(name, pieces)
    wav = out / f"{name}.wav"
    write_wav(wav, mix)
    lang = doc["meta"].get("language", "nl")
    speakers = dict.fromkeys(p.speaker for p in pieces)
    info = {
        "audio": wav.name,
        "kind": kind,
        "session": f"samples/sessions/{source.name}",
        "language": lang,
        "sample_rate": SAMPLE_RATE,
        "duration_s": round(len(mix) / SAMPLE_RATE, 3),
        "speakers": {s: next(p.role for p in pieces if p.speaker == s) for s in speakers},
        "voices": {
            s: str(voice_for(s, next(p.role for p in pieces if p.speaker == s), lang)) for s in speakers
        },
        "turns": turns,
    }
    write_json(out / f"{name}.turns.json", info)
    return info


def is_fresh(out: Path, name: str, sources: list[Path]) -> bool:
    wav, turns = out / f"{name}.wav", out / f"{name}.turns.json"
    if not (wav.exists() and turns.exists()):
        return False
    newest_src = max(p.stat().st_mtime for p in [*sources, Path(__file__).resolve()])
    return min(wav.stat().st_mtime, turns.stat().st_mtime) >= newest_src


def make_session(path: Path, out: Path, force: bool = False) -> Path:
    name = path.stem
    if force or not is_fresh(out, name, [path]):
        doc = load_session(path)
        write_clip(out, name, doc, speak_session(doc), path, "session")
    return out / f"{name}.wav"


def make_overlap_demo(out: Path, force: bool = False, sessions_dir: Path = SESSIONS_DIR) -> Path:
    """Two voices; every third turn starts OVERLAP_S before the previous one ends (if speakers differ)."""
    src = sessions_dir / f"{EXTRA_SOURCE}.json"
    name = "overlap_demo"
    if force or not is_fresh(out, name, [src]):
        doc = load_session(src)
        pieces = speak_session(doc, indices=list(range(0, 12)))
        for i in range(1, len(pieces)):
            if (
                i % 3 == 1
                and pieces[i].speaker != pieces[i - 1].speaker
                and len(pieces[i - 1].audio) > SAMPLE_RATE
            ):
                pieces[i].overlap_s = OVERLAP_S
        write_clip(out, name, doc, pieces, src, "overlap_demo")
    return out / f"{name}.wav"


def make_one_speaker(out: Path, force: bool = False, sessions_dir: Path = SESSIONS_DIR) -> Path:
    """Only the practitioner's utterances, until about ONE_SPEAKER_TARGET_S of audio."""
    src = sessions_dir / f"{EXTRA_SOURCE}.json"
    name = "one_speaker"
    if force or not is_fresh(out, name, [src]):
        doc = load_session(src)
        pract = [u for u in doc["utterances"] if u["role"] == "practitioner"]
        pieces, total = [], 0.0
        lang = doc["meta"].get("language", "nl")
        with tempfile.TemporaryDirectory(prefix="spiegel-tts-") as tmp:
            for u in pract:
                audio = synth(u["text"], voice_for(u["speaker"], u["role"], lang), Path(tmp))
                dur = len(audio) / SAMPLE_RATE + sum(PAUSE_RANGE_S) / 2
                if pieces and total + dur > ONE_SPEAKER_TARGET_S + 5:
                    continue  # skip long turns that would overshoot the target
                pieces.append(Piece(u["speaker"], u["role"], u["text"], u["idx"], audio))
                total += dur
                if total >= ONE_SPEAKER_TARGET_S - 5:
                    break
        write_clip(out, name, doc, pieces, src, "one_speaker")
    return out / f"{name}.wav"


def session_paths(sessions_dir: Path = SESSIONS_DIR) -> list[Path]:
    return sorted(sessions_dir.glob("*.json"))


def voice_stats(out: Path) -> dict[str, float | None]:
    """Median F0 per speaker over all generated session clips in `out`."""
    per: dict[str, list[np.ndarray]] = {}
    for turns_path in sorted(out.glob("*.turns.json")):
        info = json.loads(turns_path.read_text(encoding="utf-8"))
        if info.get("kind") != "session":
            continue
        pcm, _ = read_wav((out / info["audio"]).read_bytes())
        for t in info["turns"]:
            seg = pcm[int(t["start"] * SAMPLE_RATE) : int(t["end"] * SAMPLE_RATE)]
            per.setdefault(t["speaker"], []).append(seg)
    return {s: estimate_f0(np.concatenate(segs)) for s, segs in per.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default samples/audio)")
    ap.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="only this clip (session stem, overlap_demo or one_speaker); repeatable",
    )
    ap.add_argument("--force", action="store_true", help="regenerate even when outputs are up to date")
    ap.add_argument(
        "--overlap-demo", action="store_true", help="only the robustness clips (overlap_demo, one_speaker)"
    )
    ap.add_argument("--stats", action="store_true", help="print duration per clip and median pitch per voice")
    args = ap.parse_args(argv)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    sessions = {p.stem: p for p in session_paths()}
    wanted = list(args.only) or ([] if args.overlap_demo else list(sessions)) + list(EXTRA_CLIPS)
    if args.overlap_demo and args.only:
        wanted += list(EXTRA_CLIPS)
    unknown = [n for n in wanted if n not in sessions and n not in EXTRA_CLIPS]
    if unknown:
        ap.error(f"unknown clip(s): {', '.join(unknown)}; known: {', '.join([*sessions, *EXTRA_CLIPS])}")

    for name in dict.fromkeys(wanted):
        if name == "overlap_demo":
            wav = make_overlap_demo(out, args.force)
        elif name == "one_speaker":
            wav = make_one_speaker(out, args.force)
        else:
            wav = make_session(sessions[name], out, args.force)
        if args.stats:
            info = json.loads((out / f"{name}.turns.json").read_text(encoding="utf-8"))
            sys.stdout.write(f"{wav}  {info['duration_s']:.1f} s  {len(info['turns'])} turns\n")
    if args.stats:
        for speaker, f0 in voice_stats(out).items():
            pitch = f"{f0:.0f} Hz" if f0 else "n/a"
            sys.stdout.write(f"voice {speaker:8s} {VOICES.get(speaker, '?')!s:28s} median F0 {pitch}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
