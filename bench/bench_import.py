"""How fast `spiegel import` stores a folder of transcripts, against `spiegel tag` on the same utterances.

    .venv/bin/python bench/bench_import.py                 # the 133 AnnoMI sessions (English), as text files
    .venv/bin/python bench/bench_import.py --limit 40
    .venv/bin/python bench/bench_import.py --before ../main --rounds 2   # and the code before, alternating
    .venv/bin/python bench/bench_import.py --jobs 2                       # and with two worker processes

The AnnoMI transcripts (../shared/eval-public/annomi/AnnoMI-simple.csv) are written as `therapist: ...` /
`client: ...` text files into a temporary folder (never into the repository), imported with
`spiegel import DIR --language en` into a fresh database, and the same utterances (as the importer splits them)
are tagged with `spiegel tag` as the baseline: both as a user runs them, start-up included, wall and CPU
time (the machine may be shared), with `--before CHECKOUT` the same import by another checkout too, the arms
alternating. The same for the transcripts copied `--times` over under new names (so start-up counts less).
Then a rerun (everything stored already), and a 50 MB
transcript is offered to `spiegel import`: it is refused up front (the size limit) or imported, with its time
and peak memory. No thresholds: the figures and the ratio are the result.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import bench_main  # noqa: E402

ANNOMI = ROOT.parent / "shared" / "eval-public" / "annomi" / "AnnoMI-simple.csv"
SPIEGEL = [sys.executable, "-m", "cli"]

log = logging.getLogger("bench.import")


def write_annomi(folder: Path, limit: int | None = None) -> int:
    """One `therapist:/client:` text file per AnnoMI transcript; returns the number of files."""
    sessions: dict[str, list[str]] = {}
    with ANNOMI.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = " ".join(row["utterance_text"].split())
            if text:
                sessions.setdefault(row["transcript_id"], []).append(f"{row['interlocutor']}: {text}")
    folder.mkdir(parents=True, exist_ok=True)
    ids = sorted(sessions, key=int)[:limit]
    for sid in ids:
        (folder / f"annomi-{int(sid):03d}.txt").write_text("\n".join(sessions[sid]) + "\n", encoding="utf-8")
    return len(ids)


#: Runs a command and prints its own peak RSS (KiB) and CPU seconds (user + system, all its threads):
#: RUSAGE_CHILDREN of this process holds only that command.
_PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "use = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "sys.stderr.write(f'\\nPEAK_KIB {use.ru_maxrss} CPU_S {use.ru_utime + use.ru_stime}\\n'); "
    "sys.exit(done.returncode)"
)


@dataclass
class Timed:
    """One command as a user runs it, start-up included."""

    wall_s: float
    cpu_s: float
    peak_mib: float
    done: subprocess.CompletedProcess


def _run(args: list[str], checkout: Path | None = None) -> Timed:
    """Time one spiegel command (of another checkout, with its own .venv, when given)."""
    command = [str(checkout / ".venv" / "bin" / "python"), "-m", "cli"] if checkout else SPIEGEL
    begin = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, *command, *args],
        cwd=checkout or ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - begin
    lines = done.stderr.rstrip().splitlines()
    peak = cpu = float("nan")
    if lines and lines[-1].startswith("PEAK_KIB"):
        fields = lines[-1].split()
        peak, cpu = float(fields[1]) / 1024, float(fields[3])
    done.stderr = "\n".join(lines[:-1])
    return Timed(seconds, cpu, peak, done)


def _checked(timed: Timed) -> Timed:
    if timed.done.returncode != 0:
        raise RuntimeError(timed.done.stderr[-2000:])
    return timed


def copies(folder: Path, target: Path, times: int) -> int:
    """The transcripts `times` over under new names; each copy gets k trailing blank lines (which the reader
    skips), so its SHA-256 and session id are new and its utterances the same."""
    target.mkdir(parents=True, exist_ok=True)
    for k in range(times):
        for path in sorted(folder.iterdir()):
            text = path.read_text(encoding="utf-8") + "\n" * k
            (target / f"{path.stem}-{k}{path.suffix}").write_text(text, encoding="utf-8")
    return times * len(list(folder.iterdir()))


def _arms(folder: Path, work: Path, before: Path | None, rounds: int, jobs: int = 2) -> dict[str, Any]:
    """`spiegel import DIR` now, with `--jobs` (`jobs` > 1), by the code before (`before`), and `spiegel tag` of
    the same utterances, the arms alternating per round (now, jobs, before, tag; then tag, before, jobs,
    now ...): the machine is shared."""
    import duckdb

    tag_input = work / f"{folder.name}.jsonl"
    arms = ["now", *(["jobs"] if jobs > 1 else []), *(["before"] if before else []), "tag"]
    runs: dict[str, list[Timed]] = {arm: [] for arm in arms}
    utterances = 0
    for round_ in range(rounds):
        for arm in arms if round_ % 2 == 0 else arms[::-1]:
            db = work / f"{folder.name}-{arm}-{round_}.duckdb"
            base = ["import", str(folder), "--db", str(db), "--language", "en", "--no-progress"]
            if arm == "tag":
                if not tag_input.exists():  # the utterances as the importer split them
                    ref = next(t for t in sorted(work.glob(f"{folder.name}-now-*.duckdb")))
                    con = duckdb.connect(str(ref), read_only=True)
                    rows = con.execute(
                        "SELECT text, role FROM utterances ORDER BY session_id, idx"
                    ).fetchall()
                    con.close()
                    tag_input.write_text(
                        "".join(json.dumps({"text": t, "lang": "en", "speaker": r}) + "\n" for t, r in rows),
                        encoding="utf-8",
                    )
                out = [
                    "tag",
                    "--input",
                    str(tag_input),
                    "--output",
                    str(work / f"{folder.name}-tagged.jsonl"),
                ]
                runs[arm].append(_checked(_run(out)))
                continue
            if arm == "jobs":
                base = [*base, "--jobs", str(jobs)]
            runs[arm].append(_checked(_run(base, checkout=before if arm == "before" else None)))
            if arm == "now" and not utterances:
                con = duckdb.connect(str(db), read_only=True)
                utterances = con.execute("SELECT count(*) FROM utterances").fetchone()[0]
                con.close()
    files = len(list(folder.iterdir()))
    result: dict[str, Any] = {"files": files, "utterances": utterances, "rounds": rounds, "workers": jobs}
    for arm, timed in runs.items():
        wall = statistics.median(t.wall_s for t in timed)
        cpu = statistics.median(t.cpu_s for t in timed)
        result[arm] = {
            "wall_s": [round(t.wall_s, 2) for t in timed],
            "cpu_s": [round(t.cpu_s, 2) for t in timed],
            "peak_mib": max(t.peak_mib for t in timed),
            "median_wall_s": wall,
            "median_cpu_s": cpu,
            "rate_wall": utterances / wall,
            "rate_cpu": utterances / cpu,
        }
    return result


def run(
    limit: int | None = None,
    work: Path | None = None,
    before: Path | None = None,
    rounds: int = 1,
    times: int = 3,
    jobs: int = 2,
) -> dict[str, Any]:
    work = work or Path(tempfile.mkdtemp(prefix="spiegel-bench-import-"))
    folder = work / "annomi"
    write_annomi(folder, limit)
    sizes = {"annomi": _arms(folder, work, before, rounds, jobs)}
    if times > 1:
        big_folder = work / f"annomi-x{times}"
        copies(folder, big_folder, times)
        sizes[big_folder.name] = _arms(big_folder, work, before, rounds, jobs)
    db = next(iter(sorted(work.glob("annomi-now-*.duckdb"))))
    rerun = _checked(_run(["import", str(folder), "--db", str(db), "--language", "en", "--no-progress"]))
    big = work / "big" / "groot.txt"
    big.parent.mkdir()
    lines = (folder / sorted(p.name for p in folder.iterdir())[0]).read_text(encoding="utf-8")
    with big.open("w", encoding="utf-8") as handle:
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(lines)
    refused = _run(["import", str(big), "--db", str(work / "big.duckdb"), "--language", "en"])
    return {
        "sizes": sizes,
        "before": str(before) if before else None,
        "load_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "rerun_s": rerun.wall_s,
        "big_mb": big.stat().st_size / 1e6,
        "big_s": refused.wall_s,
        "big_peak_mib": refused.peak_mib,
        "big_exit": refused.done.returncode,
        "big_message": (refused.done.stderr.strip().splitlines() or [""])[-1],
    }


def _row(label: str, arm: dict[str, Any], baseline: str) -> str:
    return (
        f"| {label} | {arm['median_wall_s']:.1f} s | {arm['median_cpu_s']:.1f} s | {arm['rate_wall']:,.0f} | "
        f"{arm['rate_cpu']:,.0f} | {baseline} |"
    )


def report(out: dict[str, Any]) -> list[str]:
    lines = [
        f"Start-up included, medians of {next(iter(out['sizes'].values()))['rounds']} alternating round(s); "
        f"load average {out['load_1min']:.1f} on {out['cpus']} CPUs at the end:",
        "",
        "| work | wall | CPU | utt/s (wall) | utt/s (CPU) | against (same run) |",
        "|---|---|---|---|---|---|",
    ]
    for name, size in out["sizes"].items():
        now, tag = size["now"], size["tag"]
        what = f"{size['files']} files, {size['utterances']:,} utterances"
        lines.append(
            _row(
                f"`spiegel import DIR` ({what})",
                now,
                f"import / tag: wall {now['median_wall_s'] / tag['median_wall_s']:.2f}×, "
                f"CPU {now['median_cpu_s'] / tag['median_cpu_s']:.2f}×",
            )
        )
        if "jobs" in size:
            par = size["jobs"]
            lines.append(
                _row(
                    f"`spiegel import DIR --jobs {size['workers']}`",
                    par,
                    f"against one process: wall {now['median_wall_s'] / par['median_wall_s']:.2f}× faster, "
                    f"CPU {par['median_cpu_s'] / now['median_cpu_s']:.2f}×",
                )
            )
        if "before" in size:
            old = size["before"]
            lines.append(
                _row(
                    f"the same import by the code before (`{out['before']}`)",
                    old,
                    f"now faster: wall {old['median_wall_s'] / now['median_wall_s']:.2f}×, "
                    f"CPU {old['median_cpu_s'] / now['median_cpu_s']:.2f}×",
                )
            )
        lines.append(_row("`spiegel tag` of the same utterances", tag, f"({name})"))
    lines += [
        f"| rerun of the {next(iter(out['sizes'].values()))['files']} (everything stored) | {out['rerun_s']:.1f} s "
        "| — | — | — | — |",
        f"| a {out['big_mb']:.0f} MB transcript | {out['big_s']:.1f} s, exit {out['big_exit']}, "
        f"peak {out['big_peak_mib']:.0f} MiB | — | — | — | {out['big_message'][:160]} |",
    ]
    return lines


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, help="only the first N AnnoMI transcripts")
    parser.add_argument(
        "--before", type=Path, help="another checkout (with .venv) to time as the baseline too"
    )
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds of the arms (medians)")
    parser.add_argument(
        "--times", type=int, default=3, help="also a folder of the transcripts this many times over (1: none)"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="also `spiegel import DIR --jobs N` (1: not that arm)"
    )


def main(argv: list[str] | None = None) -> int:
    return bench_main(
        __doc__,
        _arguments,
        lambda a: run(a.limit, before=a.before, rounds=a.rounds, times=a.times, jobs=a.jobs),
        report,
        argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
