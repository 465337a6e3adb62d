"""AnnoMI through the real pipeline: 133 real counselling sessions imported with `spiegel import`, read back
with `spiegel export`, scored against the experts' annotations.

    .venv/bin/python bench/bench_annomi.py [--out results.json]

Each session becomes one `Naam: tekst` transcript (`therapist:` / `client:` lines) imported with
`--practitioner therapist --language en`, exactly as a user would import a transcript. The importer splits a
turn into sentences; the bench joins them back to AnnoMI's turns by their text, in order.

Figures, for the development part, the locked test part (sessions never fitted on) and all sessions:
* client orientation vs the expert talk type (change→solution, sustain→problem, neutral→neutral):
  balanced accuracy and Cohen's kappa; a turn's orientation is the direction of its sentences
  (`realdata.turn_orientation`);
* practitioner question detection (AnnoMI main behaviour "question") precision / recall / F1;
* ROC AUC of every session metric of `session_metrics` for high- vs low-quality sessions.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realdata import (
    TALK_TYPE_ORIENTATION,
    MiSession,
    binary_figures,
    load_annomi,
    orientation_figures,
    transcript_text,
    turn_orientation,
)

SPIEGEL = [sys.executable, "-m", "pipeline"]
#: The practitioner's solution-talk ratio, the headline figure; its AUC is the issue's target.
HEADLINE_METRIC = ("practitioner", "solution_talk_ratio_count")
PARTS = ("dev", "test", "all")


def _run(args: list[str]) -> None:
    done = subprocess.run([*SPIEGEL, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"spiegel {args[0]} failed: {done.stderr.strip()[-2000:]}")


def import_and_export(sessions: list[MiSession], work: Path) -> dict[str, list]:
    """Import every session as a transcript into a fresh database and export the tables as JSON."""
    folder = work / "transcripts"
    folder.mkdir()
    for s in sessions:
        (folder / f"annomi_{int(s.transcript_id):03d}.txt").write_text(transcript_text(s), encoding="utf-8")
    db = work / "annomi.duckdb"
    _run(
        [
            "import",
            str(folder),
            "--db",
            str(db),
            "--practitioner",
            "therapist",
            "--language",
            "en",
            "--no-progress",
        ]
    )
    out = work / "export"
    _run(["export", "--db", str(db), "--format", "json", "--out", str(out)])
    return {
        name: json.loads((out / f"{name}.json").read_text())
        for name in ("sessions", "utterances", "session_metrics")
    }


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def align_turns(session: MiSession, utterances: list[dict]) -> list[list[dict]]:
    """The stored utterances of each AnnoMI turn: consecutive utterances whose joined text is the turn's."""
    rows = sorted(utterances, key=lambda u: u["idx"])
    out: list[list[dict]] = []
    pos = 0
    for turn in session.turns:
        want = _norm(turn.text)
        got: list[dict] = []
        have = ""
        while pos < len(rows) and len(have) < len(want):
            got.append(rows[pos])
            have += _norm(rows[pos]["text"])
            pos += 1
        if have != want:
            raise SystemExit(f"session {session.transcript_id}: cannot align turn {turn.text[:40]!r}")
        out.append(got)
    return out


def score(sessions: list[MiSession], tables: dict[str, list]) -> dict[str, dict]:
    by_name = {row["source_name"]: row["session_id"] for row in tables["sessions"]}
    utts: dict[str, list[dict]] = {}
    for row in tables["utterances"]:
        utts.setdefault(row["session_id"], []).append(row)
    metrics = {(m["session_id"], m["role"]): m for m in tables["session_metrics"]}
    figures: dict[str, dict] = {}
    for part in PARTS:
        chosen = [s for s in sessions if part == "all" or s.split == part]
        gold_o, pred_o, gold_q, pred_q = [], [], [], []
        quality, per_metric = [], {}
        for s in chosen:
            sid = by_name[f"annomi_{int(s.transcript_id):03d}.txt"]
            for turn, rows in zip(s.turns, align_turns(s, utts[sid]), strict=True):
                if turn.speaker == "client" and turn.talk_type in TALK_TYPE_ORIENTATION:
                    gold_o.append(TALK_TYPE_ORIENTATION[turn.talk_type])
                    pred_o.append(turn_orientation([r["orientation"] for r in rows]))
                elif turn.speaker == "therapist" and turn.behaviour:
                    gold_q.append(turn.behaviour == "question")
                    pred_q.append(any(r["is_question"] for r in rows))
            quality.append(1 if s.quality == "high" else 0)
            for role in ("practitioner", "client", "all"):
                row = metrics.get((sid, role), {})
                for key, value in row.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        per_metric.setdefault(f"{role}.{key}", []).append(value)
                    elif key not in ("session_id", "role"):
                        per_metric.setdefault(f"{role}.{key}", []).append(None)
        aucs = {}
        for name, values in per_metric.items():
            pairs = [(q, v) for q, v in zip(quality, values, strict=False) if v is not None]
            if len(pairs) >= 10 and len({q for q, _ in pairs}) == 2 and len({v for _, v in pairs}) > 1:
                aucs[name] = roc_auc_score([q for q, _ in pairs], [v for _, v in pairs])
        figures[part] = {
            "sessions": len(chosen),
            "client_orientation": orientation_figures(gold_o, pred_o),
            "practitioner_question": binary_figures(gold_q, pred_q),
            "auc": dict(sorted(aucs.items())),
            "auc_headline": aucs.get(".".join(HEADLINE_METRIC)),
        }
    return figures


def run() -> dict[str, dict]:
    sessions = load_annomi()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="annomi-") as tmp:
        tables = import_and_export(sessions, Path(tmp))
    seconds = time.perf_counter() - started
    figures = score(sessions, tables)
    figures["import_seconds"] = seconds
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    figures = run()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    for part in PARTS:
        f = figures[part]
        o, q = f["client_orientation"], f["practitioner_question"]
        print(
            f"AnnoMI {part:4} ({f['sessions']} sessions): client orientation balanced {o['balanced_accuracy']:.3f} "
            f"kappa {o['kappa']:.3f} (n={o['n']}); question P {q['precision']:.3f} R {q['recall']:.3f} "
            f"F1 {q['f1']:.3f}; AUC practitioner solution ratio {f['auc_headline'] or float('nan'):.3f}"
        )


if __name__ == "__main__":
    main()
