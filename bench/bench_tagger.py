"""Tagger throughput: utterances per second through `nlp.pipe`, against a bare `spacy.blank` pipeline
on the same texts in the same run.

    python bench/bench_tagger.py [--lang nl|en] [--n 20000] [--batch-size 1000] [--repeat 3]

Texts are the development-set utterances, repeated until there are `--n` of them. Each pipeline runs
`--repeat` times, alternating, and the best run counts (the machine is shared; the best run is the one
least disturbed by other work). Rates are given per wall-clock second and per second of this process's CPU
time (on a shared machine the CPU figure is the steadier one).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

from tagger.api import _normalise, build_pipeline

ROOT = Path(__file__).resolve().parents[1]


def _texts(lang: str, n: int) -> list[str]:
    path = ROOT / "tests" / "tagger" / "data" / f"dev_{lang}.jsonl"
    base = [
        json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    return [_normalise(base[i % len(base)]) for i in range(n)]


def _rate(nlp: spacy.language.Language, texts: list[str], batch_size: int) -> tuple[float, float]:
    """(utterances per wall-clock second, per CPU second of this process)."""
    for _ in nlp.pipe(texts[:500], batch_size=batch_size):  # warm-up
        pass
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return len(texts) / wall, len(texts) / max(cpu, 1e-9)


def _best_rates(
    pipelines: list[spacy.language.Language], texts: list[str], batch_size: int, repeat: int
) -> list[tuple[float, float]]:
    best = [(0.0, 0.0)] * len(pipelines)
    for _ in range(max(1, repeat)):
        for i, nlp in enumerate(pipelines):
            wall, cpu = _rate(nlp, texts, batch_size)
            best[i] = (max(best[i][0], wall), max(best[i][1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", choices=["nl", "en"], default="nl")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per pipeline; the best counts")
    args = parser.parse_args()
    texts = _texts(args.lang, args.n)
    blank = spacy.blank(args.lang)
    tagger = build_pipeline(args.lang)
    blank_rate, tagger_rate = _best_rates([blank, tagger], texts, args.batch_size, args.repeat)
    print(f"lang={args.lang} utterances={len(texts)} pipeline={tagger.pipe_names}")
    print(f"spacy.blank:    {blank_rate[0]:10.0f} utterances/s  {blank_rate[1]:10.0f} per CPU s")
    print(f"spiegel tagger: {tagger_rate[0]:10.0f} utterances/s  {tagger_rate[1]:10.0f} per CPU s")
    print(
        f"ratio tagger/blank: {tagger_rate[0] / blank_rate[0]:.3f} (CPU: {tagger_rate[1] / blank_rate[1]:.3f})"
    )


if __name__ == "__main__":
    main()
