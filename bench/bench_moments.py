"""How many of the supervision moments of the gold labels the real tagger's labels give back, on the samples.

    .venv/bin/python bench/bench_moments.py

The supervision page finds its moments from the stored tags (`tagger.moments`). Its tests use the samples'
gold labels, so they say what the finder does with correct tags; this says what a user sees after
`spiegel import`: each sample transcript is imported into a fresh temporary database (the real tagger), the
moments are found on the stored session, and compared by key (kind and first utterance) with the moments of
the gold labels. The transcripts have no times, so both sides count a stretch of problem talk in utterances.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench.common import bench_main  # noqa: E402
from samples import sample_sessions  # noqa: E402
from tagger.moments import find_moments  # noqa: E402
from tests.supervision.sample_sessions import sample_tagged  # noqa: E402


def run(_args: argparse.Namespace) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "moments.duckdb"
        files = [str(p) for p in sample_sessions()]
        done = subprocess.run(
            [sys.executable, "-m", "cli", "import", *files, "--db", str(db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        with store.connect(db, read_only=True) as con:
            stored = {
                s.source_name: s
                for s in (
                    store.load_session(con, sid)
                    for (sid,) in con.execute("SELECT session_id FROM sessions").fetchall()
                )
            }
    for path in sample_sessions():
        gold = {m.key for m in find_moments(sample_tagged(path.stem, with_times=False), path.stem[:2])}
        session = stored[path.name]
        found = {m.key for m in find_moments(session.tagged, session.language)}
        rows[path.stem] = {"gold": sorted(gold), "tagger": sorted(found), "both": sorted(gold & found)}
    gold_n = sum(len(r["gold"]) for r in rows.values())
    found_n = sum(len(r["tagger"]) for r in rows.values())
    both_n = sum(len(r["both"]) for r in rows.values())
    return {
        "sessions": rows,
        "gold": gold_n,
        "tagger": found_n,
        "both": both_n,
        "recall": both_n / gold_n if gold_n else None,
        "precision": both_n / found_n if found_n else None,
    }


def report(out: dict[str, Any]) -> list[str]:
    lines = [
        f"{name}: gold {len(r['gold'])}, tagger {len(r['tagger'])}, both {len(r['both'])}"
        for name, r in out["sessions"].items()
    ]
    lines.append(
        f"all samples: {out['both']} of {out['gold']} gold moments found (recall {out['recall']:.2f}); "
        f"{out['both']} of {out['tagger']} found moments are gold ones (precision {out['precision']:.2f})"
    )
    return lines


if __name__ == "__main__":
    raise SystemExit(bench_main(__doc__, lambda parser: None, run, report))
