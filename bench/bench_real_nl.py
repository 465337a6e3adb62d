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
from realdata import REAL_NL_DIR, load_real_nl, orientation_figures

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


def agreement(directory: Path | None = None) -> dict:
    """A second annotator's blind labels (`agreement.jsonl`) against the corpus's: how far people agree, the
    ceiling a tagger can be held to. Per part; no sentence is printed."""
    kwargs = {"directory": directory} if directory else {}
    gold = {r["id"]: r for part in ("dev", "test") for r in load_real_nl(part, **kwargs)}
    second = (
        load_real_nl("agreement", **kwargs)
        if (directory or REAL_NL_DIR).joinpath("agreement.jsonl").is_file()
        else []
    )
    out = {}
    for part in ("dev", "test"):
        pairs = [(gold[a["id"]], a) for a in second if a["id"] in gold and gold[a["id"]]["split"] == part]
        if not pairs:
            continue
        out[part] = {
            "n": len(pairs),
            "orientation": orientation_figures(
                [g["orientation"] for g, _ in pairs], [a["orientation"] for _, a in pairs]
            ),
            "label_set_agreement": sum(set(g["labels"]) == set(a["labels"]) for g, a in pairs) / len(pairs),
        }
    return out


def run() -> dict:
    """dev, test (all of the locked part) and test1 (its first batch, the 823 lines of 2026-12-01, comparable
    with earlier releases' figures), plus the second annotator's agreement."""
    test, dev = load_real_nl("test"), load_real_nl("dev")
    return {
        "dev": score(dev),
        "test": score(test),
        "test1": score([r for r in test if r.get("batch", 1) == 1]),
        "agreement": agreement(),
        "batches": by_batch(dev, test),
    }


def by_batch(dev: list[dict], test: list[dict]) -> dict:
    """Orientation and macro-F1 per collection round and part: a new round measured before any tuning on it
    is the most honest figure there is on talk the rules have never seen."""
    out = {}
    for part, rows in (("dev", dev), ("test", test)):
        for batch in sorted({r.get("batch", 1) for r in rows}):
            f = score([r for r in rows if r.get("batch", 1) == batch])
            o = f["orientation"]
            out[f"{part}_batch{batch}"] = {
                "n": f["n"],
                "macro_f1": f["macro_f1"],
                "balanced_accuracy": o["balanced_accuracy"],
                "kappa": o["kappa"],
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    figures = run()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    for part, f in figures.items():
        if part == "batches":
            for name, b in f.items():
                print(
                    f"  {name:12} (n={b['n']}): orientation balanced {b['balanced_accuracy']:.3f} "
                    f"kappa {b['kappa']:.3f}; macro-F1 {b['macro_f1']:.3f}"
                )
            continue
        if part == "agreement":
            for p, a in f.items():
                o = a["orientation"]
                print(
                    f"Second annotator vs corpus, {p} (n={a['n']}): orientation balanced {o['balanced_accuracy']:.3f} "
                    f"kappa {o['kappa']:.3f}; same label set {a['label_set_agreement']:.3f}"
                )
            continue
        o = f["orientation"]
        print(
            f"Dutch real {part:4} (n={f['n']}): macro-F1 {f['macro_f1']:.3f} (with labels only predicted "
            f"{f['macro_f1_all']:.3f}); orientation balanced "
            f"{o['balanced_accuracy']:.3f} kappa {o['kappa']:.3f} (solution recall {o['recall_solution']:.2f}, "
            f"problem {o['recall_problem']:.2f}, neutral {o['recall_neutral']:.2f})"
        )


if __name__ == "__main__":
    main()
