"""Speech recognition against bare faster-whisper on real Dutch speech, with WER, in one run.

    .venv/bin/python bench/bench_asr.py                    # the real-nl clips joined once (~140 s)
    .venv/bin/python bench/bench_asr.py --minutes 10       # clips cycled into a 10-minute file
    .venv/bin/python bench/bench_asr.py --minutes 10 --arms bare_sequential,ours_default

The clips of ../shared/eval-public/real-nl (references.json) are joined, each followed by 1.5 s of silence,
cycled until the file is `--minutes` long (whole clips) or `--repeat` times. Arms, each with the same bundled
model, int8, beam 5, VAD, language nl, timed in CPU and wall seconds, with the load average beside them:
bare sequential `WhisperModel.transcribe` (the baseline), our default transcription stage (the one VAD pass
of the speech stage + `pipeline.coverage.transcribe_covered` with `AsrOptions()`: guarded batched decoding,
writing the resume checkpoint after every chunk as `spiegel process` does),
ours sequential (`--sequential`), and bare `BatchedInferencePipeline` (batch 8). WER with jiwer after
lower-casing and removing punctuation. Then, optionally, `spiegel process` of a file of `--rss-minutes`
minutes in a child process: its peak RSS and wall time. No thresholds: figures and ratios.
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
from pipeline.transcribe import AsrOptions, cpu_threads, load_whisper  # noqa: E402

REAL_NL = ROOT.parent / "shared" / "eval-public" / "real-nl"
RATE = 16_000
log = logging.getLogger("bench.asr")


def joined(repeat: int = 1, minutes: float = 0.0) -> tuple[np.ndarray, str]:
    """The clips, each followed by 1.5 s of silence, `repeat` times or cycled (whole clips) until `minutes`
    long; and the reference text."""
    from pipeline.audio import decode

    refs = json.loads((REAL_NL / "references.json").read_text(encoding="utf-8"))
    clips = [(decode(REAL_NL / ref["file"]).samples, ref["text"]) for ref in refs]
    gap = np.zeros(int(1.5 * RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    texts: list[str] = []
    wanted = minutes * 60 * RATE if minutes > 0 else None
    count = 0
    while (wanted is not None and sum(len(p) for p in parts) < wanted) or (
        wanted is None and count < repeat * len(clips)
    ):
        audio, text = clips[count % len(clips)]
        parts += [audio, gap]
        texts.append(text)
        count += 1
    return np.concatenate(parts), " ".join(texts)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    return float(jiwer.wer(_norm(reference), _norm(hypothesis)))


def _timed(call: Any) -> tuple[str, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    text = call()
    return text, time.process_time() - cpu, time.perf_counter() - wall


ARMS = ("bare_sequential", "ours_default", "ours_sequential", "bare_batched")


def run(
    repeat: int = 1,
    rss_minutes: float = 0.0,
    work: Path | None = None,
    minutes: float = 0.0,
    arms: tuple[str, ...] = ARMS,
) -> dict[str, Any]:
    import os

    from faster_whisper import BatchedInferencePipeline

    from core.records import Session
    from pipeline import stages
    from pipeline.audio import DecodedAudio
    from pipeline.coverage import transcribe_covered

    audio, reference = joined(repeat, minutes)
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
        # What `spiegel process` runs: the speech stage's one VAD pass (timed too), then the stage.
        decoded = DecodedAudio(samples=audio, channels=None, duration_s=len(audio) / RATE)
        session = stages.speech(Session(source_name="bench", source_sha256="0" * 64), decoded)
        import store

        # with the checkpoint `spiegel process` writes after every chunk (batched only; removed at the end)
        checkpoint = store.Checkpoint(
            Path(tempfile.mkdtemp(prefix="spiegel-bench-")) / "c.duckdb", "0" * 64, "b"
        )
        segments, _, coverage = transcribe_covered(
            model,
            audio,
            AsrOptions(language="nl", batched=batched),
            regions=session.speech,
            checkpoint=checkpoint,
        )
        checkpoint.remove()
        out["chunking"] = coverage.as_record().get("batched", out.get("chunking"))
        return " ".join(s.text for s in segments)

    calls = {
        "bare_sequential": bare,
        "ours_default": lambda: ours(True),
        "ours_sequential": lambda: ours(False),
        "bare_batched": bare_batched,
    }
    model.transcribe(audio[: 20 * RATE], **bare_common)  # warm-up: first-call costs are nobody's
    out: dict[str, Any] = {"audio_s": len(audio) / RATE, "threads": cpu_threads(), "arms": list(arms)}
    for name in arms:
        load = os.getloadavg()[0]
        text, cpu, wall = _timed(calls[name])
        out[name] = {
            "cpu_s": cpu,
            "wall_s": wall,
            "wer": wer(reference, text),
            "rtf": wall / out["audio_s"],
            "load_before": load,
            "load_after": os.getloadavg()[0],
        }
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
    arms = [a for a in out.get("arms", ARMS) if a in out]
    lines = [
        f"Real Dutch speech ({out['audio_s']:.0f} s, real-nl clips joined), bundled base model, int8, beam 5, VAD, "
        f"{out['threads']} threads; baseline: bare sequential faster-whisper in the same run:",
        "",
        "| arm | CPU time | wall | RTF | WER | bare sequential / arm (wall) | (CPU) | load before / after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    base = out.get("bare_sequential")
    for name in arms:
        arm = out[name]
        ratio_wall = f"{base['wall_s'] / arm['wall_s']:.2f}×" if base else "—"
        ratio_cpu = f"{base['cpu_s'] / arm['cpu_s']:.2f}×" if base else "—"
        lines.append(
            f"| {name.replace('_', ' ')} | {arm['cpu_s']:.1f} s | {arm['wall_s']:.1f} s | {arm['rtf']:.3f} | "
            f"{arm['wer']:.3f} | {ratio_wall} | {ratio_cpu} | {arm['load_before']:.1f} / {arm['load_after']:.1f} |"
        )
    if out.get("chunking"):
        chunking = out["chunking"]
        lines.append(
            f"\nOurs default: {chunking['chunks']} chunks, {len(chunking['redecoded'])} decoded again sequentially "
            f"({', '.join(sorted({r[2] for r in chunking['redecoded']})) or 'none'})."
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
    parser.add_argument("--minutes", type=float, default=0.0, help="cycle the clips into a file this long")
    parser.add_argument("--arms", default=",".join(ARMS), help=f"comma-separated, of {', '.join(ARMS)}")


def main(argv: list[str] | None = None) -> int:
    return bench_main(
        __doc__,
        _arguments,
        lambda a: run(a.repeat, a.rss_minutes, None, a.minutes, tuple(a.arms.split(","))),
        report,
        argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
