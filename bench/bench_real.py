"""The tagger on real talk, in one command: AnnoMI through the real import pipeline and the Dutch real corpus,
each figure beside the previous release's (measured by the same code on that release, kept in
`bench/baseline_annomi.json` and `bench/baseline_real_nl.json`).

    .venv/bin/python bench/bench_real.py [--out results.json]

The development parts were used to write rules and fit the orientation weights, so their figures are
optimistic; the test parts (AnnoMI's test sessions, the Dutch corpus's locked test part) were never tuned
on. The issue's aims are printed beside the test figures. The Dutch `test` is the whole locked part, `test1` its
first batch (the 823 lines split off on 2026-12-01), comparable with figures reported before the second batch.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_annomi  # noqa: E402
import bench_real_nl  # noqa: E402

AIMS = {
    "annomi client balanced": 0.60,
    "annomi client kappa": 0.40,
    "annomi question F1": 0.85,
    "annomi AUC practitioner solution ratio": 0.70,
    "dutch orientation balanced": 0.75,
    "dutch macro-F1": 0.75,
}


def rows(annomi: dict, dutch: dict) -> list[tuple[str, str, float | None]]:
    out = []
    for part in ("dev", "test", "all"):
        f = annomi[part]
        out += [
            ("annomi client balanced", part, f["client_orientation"]["balanced_accuracy"]),
            ("annomi client kappa", part, f["client_orientation"]["kappa"]),
            ("annomi question F1", part, f["practitioner_question"]["f1"]),
            ("annomi AUC practitioner solution ratio", part, f["auc_headline"]),
        ]
    for part in ("dev", "test", "test1"):
        if part not in dutch:
            continue
        f = dutch[part]
        out += [
            ("dutch orientation balanced", part, f["orientation"]["balanced_accuracy"]),
            ("dutch orientation kappa", part, f["orientation"]["kappa"]),
            ("dutch macro-F1", part, f["macro_f1"]),
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    now = {"annomi": bench_annomi.run(), "dutch": bench_real_nl.run()}
    before = {
        "annomi": json.loads((HERE / "baseline_annomi.json").read_text()),
        "dutch": json.loads((HERE / "baseline_real_nl.json").read_text()),
    }
    if args.out:
        args.out.write_text(json.dumps(now, indent=2))
    previous = {(n, p): v for n, p, v in rows(before["annomi"], before["dutch"])}
    print(f"{'figure':40} {'part':6} {'previous':>9} {'now':>7} {'aim':>6}")
    for name, part, value in rows(now["annomi"], now["dutch"]):
        old = previous.get((name, part))
        aim = f"{AIMS[name]:.2f}" if name in AIMS and part.startswith("test") else ""
        fmt = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
        print(f"{name:40} {part:6} {fmt(old):>9} {fmt(value):>7} {aim:>6}")


if __name__ == "__main__":
    main()
