"""Benchmark: `spiegel process` against bare faster-whisper, same model, settings and file, in one run.

Run: .venv/bin/python bench/bench_pipeline.py [AUDIO] [--fast]
Prints both wall times, the real-time factors and the ratio pipeline / bare. The model is loaded once before
timing (both paths share it), so the ratio measures what the pipeline adds: decoding, diarization, tagging and
the DuckDB write. Results are also written to bench/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from models import resolve_model  # noqa: E402
from pipeline.audio import decode  # noqa: E402
from pipeline.process import ProcessOptions, process_recording  # noqa: E402
from pipeline.transcribe import AsrOptions, load_whisper, transcribe  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("audio", nargs="?", type=Path, default=REPO / "samples/audio/nl_eerste_gesprek.wav")
    parser.add_argument("--fast", action="store_true", help="batched decoding in both paths")
    args = parser.parse_args()

    asr = AsrOptions(batched=args.fast)
    resolved = resolve_model()
    model = load_whisper(resolved.path_or_name, True)

    # Bare faster-whisper: decode + transcribe with identical options, consuming every segment.
    started = time.perf_counter()
    samples = decode(args.audio).samples
    segments, _ = transcribe(model, samples, asr)
    bare_s = time.perf_counter() - started
    duration = samples.size / 16_000

    with tempfile.TemporaryDirectory() as tmp:
        options = ProcessOptions(db=Path(tmp) / "bench.duckdb", progress=False, asr=dataclasses.replace(asr))
        started = time.perf_counter()
        outcome = process_recording(args.audio, options)
        pipeline_s = time.perf_counter() - started
    if outcome.error:
        print(f"pipeline failed: {outcome.error}")
        return 1

    result = {
        "file": args.audio.name,
        "audio_s": round(duration, 1),
        "mode": "batched" if args.fast else "sequential",
        "bare_faster_whisper_s": round(bare_s, 2),
        "spiegel_process_s": round(pipeline_s, 2),
        "bare_rtf": round(bare_s / duration, 3),
        "pipeline_rtf": round(pipeline_s / duration, 3),
        "ratio_pipeline_vs_bare": round(pipeline_s / bare_s, 3),
        "segments": len(segments),
    }
    for key, value in result.items():
        print(f"{key:>24}: {value}")
    out = REPO / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pipeline.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
