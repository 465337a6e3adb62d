"""How fast `spiegel import` stores a folder of transcripts, against `spiegel tag` on the same utterances.

    .venv/bin/python bench/bench_import.py                 # the 133 AnnoMI sessions (English), as text files
    .venv/bin/python bench/bench_import.py --limit 40

The AnnoMI transcripts (../shared/eval-public/annomi/AnnoMI-simple.csv) are written as `therapist: ...` /
`client: ...` text files into a temporary folder (never into the repository), imported with
`spiegel import DIR --language en` into a fresh database, and the same utterances (as the importer splits them)
are tagged with `spiegel tag` as the baseline: both as a user runs them, start-up included. Then a 50 MB
transcript is offered to `spiegel import`: it is refused up front (the size limit) or imported, with its time
and peak memory. No thresholds: the figures and the ratio are the result.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import subprocess
import sys
import tempfile
import time
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


#: Runs a command and prints its own peak RSS (KiB): RUSAGE_CHILDREN of this process holds only that command.
_PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "sys.stderr.write(f'\\nPEAK_KIB {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n'); "
    "sys.exit(done.returncode)"
)


def _run(args: list[str], checkout: Path | None = None) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS of that command in MiB, result) of one spiegel command (of another checkout,
    with its own .venv, when given)."""
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
    peak = float(lines[-1].split()[1]) / 1024 if lines and lines[-1].startswith("PEAK_KIB") else float("nan")
    done.stderr = "\n".join(lines[:-1])
    return seconds, peak, done


def run(limit: int | None = None, work: Path | None = None, before: Path | None = None) -> dict[str, Any]:
    import duckdb

    work = work or Path(tempfile.mkdtemp(prefix="spiegel-bench-import-"))
    folder = work / "annomi"
    files = write_annomi(folder, limit)
    db = work / "import.duckdb"
    seconds, peak, done = _run(["import", str(folder), "--db", str(db), "--language", "en", "--no-progress"])
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    con = duckdb.connect(str(db), read_only=True)
    utterances = con.execute("SELECT count(*) FROM utterances").fetchone()[0]
    texts = con.execute("SELECT text, role FROM utterances ORDER BY session_id, idx").fetchall()
    con.close()
    jsonl = work / "utterances.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"text": t, "lang": "en", "speaker": r}) + "\n" for t, r in texts),
        encoding="utf-8",
    )
    tag_s, _tag_peak, tagged = _run(["tag", "--input", str(jsonl), "--output", str(work / "tagged.jsonl")])
    if tagged.returncode != 0:
        raise RuntimeError(tagged.stderr[-2000:])
    rerun_s, _, _ = _run(["import", str(folder), "--db", str(db), "--language", "en", "--no-progress"])
    before_s = None
    if before is not None:  # the same import by another checkout (the code before this change)
        before_s, _, old = _run(
            ["import", str(folder), "--db", str(work / "before.duckdb"), "--language", "en", "--no-progress"],
            checkout=before,
        )
        if old.returncode != 0:
            raise RuntimeError(old.stderr[-2000:])
    big = work / "big" / "groot.txt"
    big.parent.mkdir()
    lines = (folder / sorted(p.name for p in folder.iterdir())[0]).read_text(encoding="utf-8")
    with big.open("w", encoding="utf-8") as handle:
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(lines)
    big_s, big_peak, big_done = _run(
        ["import", str(big), "--db", str(work / "big.duckdb"), "--language", "en"]
    )
    return {
        "files": files,
        "utterances": utterances,
        "import_s": seconds,
        "import_peak_mib": peak,
        "import_rate": utterances / seconds,
        "tag_s": tag_s,
        "tag_rate": utterances / tag_s,
        "rerun_s": rerun_s,
        "before_s": before_s,
        "before": str(before) if before else None,
        "big_mb": big.stat().st_size / 1e6,
        "big_s": big_s,
        "big_peak_mib": big_peak,
        "big_exit": big_done.returncode,
        "big_message": (big_done.stderr.strip().splitlines() or [""])[-1],
    }


def report(out: dict[str, Any]) -> list[str]:
    return [
        f"Import of {out['files']} AnnoMI transcripts ({out['utterances']:,} utterances), start-up included:",
        "",
        "| work | time | utterances/s | baseline (same run) |",
        "|---|---|---|---|",
        f"| `spiegel import DIR` | {out['import_s']:.1f} s | {out['import_rate']:,.0f} | "
        f"`spiegel tag` of the same utterances: {out['tag_s']:.1f} s = {out['tag_rate']:,.0f}/s "
        f"(import / tag time {out['import_s'] / out['tag_s']:.2f}×) |",
        *(
            [
                f"| the same import by the code before (`{out['before']}`) | {out['before_s']:.1f} s | "
                f"{out['utterances'] / out['before_s']:,.0f} | now {out['before_s'] / out['import_s']:.2f}× faster |"
            ]
            if out.get("before_s")
            else []
        ),
        f"| rerun (everything already stored) | {out['rerun_s']:.1f} s | — | — |",
        f"| a {out['big_mb']:.0f} MB transcript | {out['big_s']:.1f} s, exit {out['big_exit']}, "
        f"peak {out['big_peak_mib']:.0f} MiB | — | "
        f"{out['big_message'][:160]} |",
    ]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, help="only the first N AnnoMI transcripts")
    parser.add_argument(
        "--before", type=Path, help="another checkout (with .venv) to time as the baseline too"
    )


def main(argv: list[str] | None = None) -> int:
    return bench_main(__doc__, _arguments, lambda a: run(a.limit, before=a.before), report, argv)


if __name__ == "__main__":
    raise SystemExit(main())
