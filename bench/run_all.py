"""All performance figures in one command, each beside the baseline measured in the same run.

    .venv/bin/python bench/run_all.py                  # everything (tens of minutes on 2 cores)
    .venv/bin/python bench/run_all.py --quick          # smaller sizes: a 2,000-session database, 40 transcripts, 6 files
    .venv/bin/python bench/run_all.py --only dashboard import

Prints the tables and writes them to bench/RESULTS.md with the machine they were measured on (CPU, cores,
memory, GPU if any, versions) and the date. Parts: `dashboard` (bench_dashboard.py: a generated 10,000-session
database vs 5 sessions), `import` (bench_import.py: AnnoMI transcripts vs `spiegel tag`), `jobs`
(bench_jobs.py: `--jobs` vs one command per file), `asr` (bench_asr.py: our transcription vs bare
faster-whisper on real Dutch speech, with WER, and the peak memory of a long file).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_asr, bench_dashboard, bench_import, bench_jobs  # noqa: E402

log = logging.getLogger("bench.run_all")
PARTS = ("dashboard", "import", "jobs", "asr")


def machine() -> list[str]:
    """The machine in a few lines: CPU model, cores, memory, GPU, Python and DuckDB versions."""
    import duckdb

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    gpu = "none"
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        gpu = done.stdout.strip() or "none"
    except (OSError, subprocess.SubprocessError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        f"- Machine: {cpu}, {cores} cores, {memory} memory, GPU: {gpu}; load average {load:.1f} at the start",
        f"- {platform.platform()}, Python {platform.python_version()}, DuckDB {duckdb.__version__}",
        f"- Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a check that it all runs")
    parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument(
        "--before", type=Path, help="a checkout of the code before (with .venv): import baseline"
    )
    parser.add_argument("--rss-minutes", type=float, default=10.0, help="length of the long file (asr part)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    lines = ["# Performance figures", "", *machine(), ""]
    if args.quick:
        lines += ["Quick run (smaller sizes than the full benchmark).", ""]
    if "dashboard" in args.only:
        out = bench_dashboard.run(sessions=2_000 if args.quick else 10_000)
        lines += ["## Dashboard on a big database", "", *bench_dashboard.report(out), ""]
    if "import" in args.only:
        out = bench_import.run(
            limit=40 if args.quick else None, before=args.before, times=1 if args.quick else 3
        )
        lines += ["## Importing transcripts", "", *bench_import.report(out), ""]
    if "jobs" in args.only:
        out = bench_jobs.run(files=6 if args.quick else 20, seconds=10)
        lines += ["## Many recordings unattended", "", *bench_jobs.report(out), ""]
    if "asr" in args.only:
        out = bench_asr.run(repeat=1, rss_minutes=2.0 if args.quick else args.rss_minutes)
        lines += ["## Speech recognition against bare faster-whisper", "", *bench_asr.report(out), ""]
    text = "\n".join(lines) + "\n"
    for line in lines:
        log.info("%s", line)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
