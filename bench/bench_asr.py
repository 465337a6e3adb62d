"""Speech recognition against bare faster-whisper on real Dutch speech, with WER, in one run.

    .venv/bin/python bench/bench_asr.py                    # the real-nl clips joined once (~63 s of speech)
    .venv/bin/python bench/bench_asr.py --repeat 4 --rss-minutes 10

The clips of ../shared/eval-public/real-nl (references.json) are joined, each followed by 1.5 s of silence,
`--repeat` times. Arms, each with the same bundled model, int8, beam 5, VAD, language nl, timed in CPU and
wall seconds: bare sequential `WhisperModel.transcribe`, our default transcription (`pipeline.transcribe`
with `AsrOptions()`), bare `BatchedInferencePipeline` (batch 8), and ours batched (`--fast`). WER with jiwer
after lower-casing and removing punctuation. Then `spiegel process` of a file of `--rss-minutes` minutes made
by repeating the clips, in a child process: its peak RSS and wall time. No thresholds: figures and ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import bench_main  # noqa: E402
from models import resolve_model  # noqa: E402
from pipeline.transcribe import AsrOptions, cpu_threads, load_whisper, transcribe  # noqa: E402

REAL_NL = ROOT.parent / "shared" / "eval-public" / "real-nl"
RATE = 16_000
log = logging.getLogger("bench.asr")


def joined(repeat: int = 1) -> tuple[np.ndarray, str]:
    """The clips, each followed by 1.5 s of silence, `repeat` times; and the reference text."""
    from pipeline.audio import decode

    refs = json.loads((REAL_NL / "references.json").read_text(encoding="utf-8"))
    parts, texts = [], []
    for ref in refs:
        audio = decode(REAL_NL / ref["file"]).samples
        parts += [audio, np.zeros(int(1.5 * RATE), dtype=np.float32)]
        texts.append(ref["text"])
    one = np.concatenate(parts)
    return np.tile(one, repeat), " ".join(texts * repeat)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(_norm(reference), _norm(hypothesis)))


def _timed(call: Any) -> tuple[str, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    text = call()
    return text, time.process_time() - cpu, time.perf_counter() - wall


def run(repeat: int = 1, rss_minutes: float = 0.0, work: Path | None = None) -> dict[str, Any]:
    from faster_whisper import BatchedInferencePipeline

    audio, reference = joined(repeat)
    resolved = resolve_model(None)
    model = load_whisper(resolved.path_or_name, True, "cpu")
    bare_common = {"language": "nl", "beam_size": 5, "vad_filter": True}

    def bare() -> str:
        segments, _ = model.transcribe(audio, **bare_common)
        return " ".join(s.text for s in segments)

    def bare_batched() -> str:
        segments, _ = BatchedInferencePipeline(model=model).transcribe(audio, batch_size=8, **bare_common)
        return " ".join(s.text for s in segments)

    def ours(batched: bool) -> str:
        segments, _ = transcribe(model, audio, AsrOptions(language="nl", batched=batched))
        return " ".join(s.text for s in segments)

    bare()  # warm-up: first-call costs are nobody's
    out: dict[str, Any] = {"audio_s": len(audio) / RATE, "threads": cpu_threads()}
    for name, call in (
        ("bare_sequential", bare),
        ("ours_default", lambda: ours(False)),
        ("bare_batched", bare_batched),
        ("ours_batched", lambda: ours(True)),
    ):
        text, cpu, wall = _timed(call)
        out[name] = {"cpu_s": cpu, "wall_s": wall, "wer": wer(reference, text), "rtf": wall / out["audio_s"]}
    if rss_minutes > 0:
        out["rss"] = _long_file_rss(rss_minutes, work or Path(tempfile.mkdtemp(prefix="spiegel-bench-asr-")))
    return out


def _long_file_rss(minutes: float, work: Path) -> dict[str, float]:
    """`spiegel process` of a long file of repeated real clips in a child: peak RSS (MiB) and wall time."""
    one, _ = joined(1)
    audio = np.tile(one, int(np.ceil(minutes * 60 * RATE / len(one))))[: int(minutes * 60 * RATE)]
    path = work / "lang.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", "process", str(path), "--db", str(work / "l.duckdb"), "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - begin
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"minutes": minutes, "peak_rss_mib": peak, "wall_s": wall, "rtf": wall / (minutes * 60)}


def report(out: dict[str, Any]) -> list[str]:
    base, batched = out["bare_sequential"], out["bare_batched"]
    lines = [
        f"Real Dutch speech ({out['audio_s']:.0f} s, real-nl clips joined), bundled base model, int8, beam 5, VAD, "
        f"{out['threads']} threads:",
        "",
        "| arm | CPU time | wall | RTF | WER | vs its bare baseline (wall) |",
        "|---|---|---|---|---|---|",
    ]
    for name, ref in (
        ("bare_sequential", base),
        ("ours_default", base),
        ("bare_batched", batched),
        ("ours_batched", batched),
    ):
        arm = out[name]
        lines.append(
            f"| {name.replace('_', ' ')} | {arm['cpu_s']:.1f} s | {arm['wall_s']:.1f} s | {arm['rtf']:.3f} | "
            f"{arm['wer']:.3f} | {arm['wall_s'] / ref['wall_s']:.2f}× |"
        )
    lines.append(
        f"\nOurs batched vs bare sequential: {base['wall_s'] / out['ours_batched']['wall_s']:.2f}× faster, "
        f"WER {out['ours_batched']['wer']:.3f} vs {base['wer']:.3f}."
    )
    if "rss" in out:
        rss = out["rss"]
        lines.append(
            f"\n`spiegel process` of a {rss['minutes']:.0f}-minute file of repeated real clips: peak RSS "
            f"{rss['peak_rss_mib']:.0f} MiB, {rss['wall_s']:.0f} s (RTF {rss['rtf']:.3f})."
        )
    return lines


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rss-minutes", type=float, default=0.0)


def main(argv: list[str] | None = None) -> int:
    return bench_main(__doc__, _arguments, lambda a: run(a.repeat, a.rss_minutes), report, argv)


if __name__ == "__main__":
    raise SystemExit(main())
