"""The tagger on the Dutch real corpus (`tests/tagger/data/real_nl/`): development part and locked test part.

    .venv/bin/python bench/bench_real_nl.py [--out results.json]

Each line is tagged with the turns before it (`context`, for dialogue lines) through the tagger's public API,
as `spiegel eval` does. Figures per part: label macro-F1 (over the labels the gold part has, as
`spiegel eval`; `macro_f1_all` also over labels only predicted), per-label F1, orientation balanced accuracy (mean recall over solution/problem/neutral) and
Cohen's kappa, per speaker too. Never prints the test part's sentences.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from realdata import load_real_nl, orientation_figures

from tagger import load_tagger


def _context(row: dict) -> list[tuple[str, str | None]]:
    return [(c["text"], c.get("speaker")) for c in row.get("context") or []]


def score(rows: list[dict]) -> dict:
    tagger = load_tagger("nl")
    gold_o, pred_o, speakers = [], [], []
    gold_l, pred_l = [], []
    for row in rows:
        result = tagger.tag_conversation([*_context(row), (row["text"], row["speaker"])])[-1]
        gold_o.append(row["orientation"])
        pred_o.append(str(result.orientation))
        speakers.append(row["speaker"])
        gold_l.append(set(row["labels"]))
        pred_l.append(set(result.labels))
    labels = sorted(set().union(*gold_l, *pred_l))
    per_label = {}
    for label in labels:
        g = [label in s for s in gold_l]
        p = [label in s for s in pred_l]
        per_label[label] = {"f1": f1_score(g, p, zero_division=0), "support": sum(g)}
    in_gold = [v["f1"] for v in per_label.values() if v["support"]]
    out = {
        "n": len(rows),
        # as `spiegel eval`: over the labels the gold part has; `_all` also counts labels only predicted
        "macro_f1": sum(in_gold) / len(in_gold) if in_gold else 0.0,
        "macro_f1_all": sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0,
        "labels": per_label,
        "orientation": orientation_figures(gold_o, pred_o),
    }
    for who in ("practitioner", "client"):
        idx = [i for i, s in enumerate(speakers) if s == who]
        out[f"orientation_{who}"] = orientation_figures([gold_o[i] for i in idx], [pred_o[i] for i in idx])
    return out


def run() -> dict:
    return {part: score(load_real_nl(part)) for part in ("dev", "test")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    figures = run()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    for part, f in figures.items():
        o = f["orientation"]
        print(
            f"Dutch real {part:4} (n={f['n']}): macro-F1 {f['macro_f1']:.3f} (with labels only predicted "
            f"{f['macro_f1_all']:.3f}); orientation balanced "
            f"{o['balanced_accuracy']:.3f} kappa {o['kappa']:.3f} (solution recall {o['recall_solution']:.2f}, "
            f"problem {o['recall_problem']:.2f}, neutral {o['recall_neutral']:.2f})"
        )


if __name__ == "__main__":
    main()
