"""Many files unattended: `spiegel process DIR --jobs N` against one command per file, in one run.

    .venv/bin/python bench/bench_jobs.py                   # 20 files of 15 s cut from the sample sessions
    .venv/bin/python bench/bench_jobs.py --files 10 --seconds 30 --jobs 2

The files are cut from the bundled sample recordings (each a different stretch, so each has its own
SHA-256). Three arms, each into a fresh database, wall time as a user sees it (start-up included):
one `spiegel process FILE` per file (the baseline), one `spiegel process DIR`, and `spiegel process DIR
--jobs N`. Then a rerun of the last: every file skipped as already stored. No thresholds: times and ratios.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import bench_main  # noqa: E402

SPIEGEL = [sys.executable, "-m", "cli"]
log = logging.getLogger("bench.jobs")


def make_files(folder: Path, count: int, seconds: float) -> list[Path]:
    """`count` WAV files of `seconds` each, cut from the sample recordings at different offsets."""
    sources = sorted((ROOT / "samples" / "audio").glob("*.wav"))
    if not sources:
        subprocess.run([sys.executable, str(ROOT / "samples" / "make_audio.py")], check=True, cwd=ROOT)
        sources = sorted((ROOT / "samples" / "audio").glob("*.wav"))
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        with wave.open(str(sources[n % len(sources)]), "rb") as src:
            rate, frames = src.getframerate(), src.getnframes()
            length = int(seconds * rate)
            offset = (n // len(sources)) * length % max(1, frames - length)
            src.setpos(offset)
            data = src.readframes(length)
            params = src.getparams()
        path = folder / f"opname-{n:03d}.wav"
        with wave.open(str(path), "wb") as out:
            out.setparams(params)
            out.writeframes(data)
        files.append(path)
    return files


def _spiegel(*args: str) -> float:
    begin = time.perf_counter()
    done = subprocess.run([*SPIEGEL, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr[-2000:])
    return time.perf_counter() - begin


def run(files: int = 20, seconds: float = 15.0, jobs: int = 2, work: Path | None = None) -> dict[str, Any]:
    work = work or Path(tempfile.mkdtemp(prefix="spiegel-bench-jobs-"))
    paths = make_files(work / "in", files, seconds)
    common = ("--no-progress", "--language", "nl")
    one_by_one = sum(_spiegel("process", str(p), "--db", str(work / "a.duckdb"), *common) for p in paths)
    one_command = _spiegel("process", str(work / "in"), "--db", str(work / "b.duckdb"), *common)
    with_jobs = _spiegel(
        "process", str(work / "in"), "--db", str(work / "c.duckdb"), "--jobs", str(jobs), *common
    )
    rerun = _spiegel(
        "process", str(work / "in"), "--db", str(work / "c.duckdb"), "--jobs", str(jobs), *common
    )
    return {
        "files": files,
        "seconds_each": seconds,
        "jobs": jobs,
        "one_by_one_s": one_by_one,
        "one_command_s": one_command,
        "jobs_s": with_jobs,
        "rerun_s": rerun,
    }


def report(out: dict[str, Any]) -> list[str]:
    base = out["one_by_one_s"]
    return [
        f"{out['files']} files of {out['seconds_each']:.0f} s (sample voices), wall time, start-up included:",
        "",
        "| how | time | files/min | vs one command per file |",
        "|---|---|---|---|",
        f"| one `spiegel process FILE` per file (baseline) | {base:.0f} s | {out['files'] * 60 / base:.1f} | 1.00× |",
        f"| `spiegel process DIR` | {out['one_command_s']:.0f} s | {out['files'] * 60 / out['one_command_s']:.1f} | "
        f"{base / out['one_command_s']:.2f}× faster |",
        f"| `spiegel process DIR --jobs {out['jobs']}` | {out['jobs_s']:.0f} s | "
        f"{out['files'] * 60 / out['jobs_s']:.1f} | {base / out['jobs_s']:.2f}× faster |",
        f"| rerun, all stored already | {out['rerun_s']:.1f} s | — | — |",
    ]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--jobs", type=int, default=2)


def main(argv: list[str] | None = None) -> int:
    return bench_main(__doc__, _arguments, lambda a: run(a.files, a.seconds, a.jobs), report, argv)


if __name__ == "__main__":
    raise SystemExit(main())
