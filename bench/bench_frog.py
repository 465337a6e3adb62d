"""What the optional Frog component (`tagger/frog.py`) costs, and what it sees, on the Dutch dev sentences.

    python bench/bench_frog.py [--repeat 2] [--batch-size 256] [--no-parser-run] [--threads 1]

Measured in one run, on the development utterances (`tests/tagger/data/dev_nl.jsonl`, normalised as the
tagger normalises them):
- Frog's start-up (seconds until it answers its first sentence), without and with its dependency parser;
- utterances/s of `nlp.pipe` for the tagger as it is (the baseline), the tagger with `spiegel_frog` in front
  of it (tagger, lemmas, morphology; and with the parser), and the ratio of each to the baseline;
- how the Frog features are spread over the gold labels and orientations: the share of utterances with a
  past-tense finite verb (other than zou/zouden), a modal or hypothetical verb, verb-first form, a negation; and how often the
  lower-casing the tagger does changes Frog's tag of a token.
The best of `--repeat` runs counts (the machine is shared).

Measured 2026-12-01 on 2 shared cores (three runs): tagger alone 10,800–23,600 utterances/s; with Frog
(no parser) 620–1,130 (ratio 0.048–0.062), start-up 1.2–6.5 s; with the parser 115–260 (ratio 0.011),
start-up 2.8–9.6 s. See bench/frog-note.md.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import spacy

import tagger.frog as frog
from tagger.api import _normalise, build_pipeline

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "tagger" / "data" / "dev_nl.jsonl"
MODALS = {"kunnen", "zullen", "moeten", "mogen", "willen"}


def _items() -> list[dict]:
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def _rate(nlp: spacy.language.Language, texts: list[str], batch_size: int, repeat: int) -> float:
    best = 0.0
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
        best = max(best, len(texts) / (time.perf_counter() - t0))
    return best


def _with_frog(parser: bool, threads: int) -> tuple[spacy.language.Language, float]:
    nlp = build_pipeline("nl")
    comp = nlp.add_pipe(
        "spiegel_frog", before="spiegel_tagger", config={"parser": parser, "threads": threads}
    )
    if not comp.available:
        raise SystemExit("frog is not installed (Debian: apt-get install frog frogdata)")
    return nlp, comp.start()


def _features(doc: spacy.tokens.Doc) -> dict[str, bool]:
    finite = [t for t in doc if t.morph.get("VerbForm") == ["Fin"]]
    first_word = next((t for t in doc if not t.is_punct and not t.is_space), None)
    return {
        "past (not zou)": any(t.morph.get("Tense") == ["Past"] and t.lemma_ != "zullen" for t in finite),
        "modal/hypothetical": any(t.lemma_ in MODALS for t in finite)
        or any(t.morph.get("Mood") == ["Sub"] for t in finite),
        "zou/zouden (hypothetical)": any(
            t.lemma_ == "zullen" and t.morph.get("Tense") == ["Past"] for t in finite
        ),
        "verb-first": first_word is not None and first_word.morph.get("VerbForm") == ["Fin"],
        "negation": any(t.morph.get("Polarity") == ["Neg"] for t in doc),
    }


def _feature_table(items: list[dict], docs: list[spacy.tokens.Doc]) -> None:
    groups: dict[str, list[dict[str, bool]]] = defaultdict(list)
    for item, doc in zip(items, docs, strict=True):
        f = _features(doc)
        groups[f"orientation={item['orientation']}"].append(f)
        for label in item["labels"] or ["(no label)"]:
            groups[label].append(f)
    names = list(_features(docs[0]))
    print("\nShare of utterances with each Frog feature (dev set):")
    print(f"{'group':26s} {'n':>4s} " + " ".join(f"{n[:14]:>14s}" for n in names))
    for group in sorted(groups, key=lambda g: (not g.startswith("orientation"), g)):
        rows = groups[group]
        shares = [sum(r[n] for r in rows) / len(rows) for n in names]
        print(f"{group:26s} {len(rows):4d} " + " ".join(f"{s:14.2f}" for s in shares))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per pipeline; the best counts")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1, help="Frog's --threads")
    parser.add_argument("--no-parser-run", action="store_true", help="skip the run with Frog's parser")
    args = parser.parse_args()
    items = _items()
    raw = [item["text"] for item in items]
    texts = [_normalise(t) for t in raw]

    base = build_pipeline("nl")
    for _ in base.pipe(texts[:100]):  # warm-up
        pass
    base_rate = _rate(base, texts, args.batch_size, max(args.repeat, 5))

    runs = [("tagger + frog (tagger, lemmas)", False)]
    if not args.no_parser_run:
        runs.append(("tagger + frog + parser", True))
    print(
        f"utterances={len(texts)} (dev_nl, normalised), batch_size={args.batch_size}, frog threads={args.threads}"
    )
    print(f"{'pipeline':34s} {'startup s':>9s} {'utt/s':>10s} {'ratio':>7s}")
    print(f"{'tagger (baseline)':34s} {'':>9s} {base_rate:10.0f} {1.0:7.3f}")
    docs_no_parser: list[spacy.tokens.Doc] = []
    for name, with_parser in runs:
        nlp, startup = _with_frog(with_parser, args.threads)
        rate = _rate(nlp, texts, args.batch_size, args.repeat)
        print(f"{name:34s} {startup:9.1f} {rate:10.0f} {rate / base_rate:7.4f}")
        if not with_parser:
            docs_no_parser = list(nlp.pipe(texts, batch_size=args.batch_size))
            cased = list(nlp.pipe(raw, batch_size=args.batch_size))
        else:
            parsed = list(nlp.pipe(raw, batch_size=args.batch_size))
            multi = sum(
                1
                for d in parsed
                if sum(t.dep_ == "ROOT" for t in d) > len(frog._sentences(nlp.make_doc(d.text)))
            )
            print(f"{'':34s} utterances whose parse has more roots than sentences: {multi / len(parsed):.2f}")
        frog.close_all()
    print(f"Frog processes started in this run: {frog.FrogProcess.starts}")

    tagged = sum(1 for d in docs_no_parser for t in d if t.tag_) / max(1, sum(len(d) for d in docs_no_parser))
    same = Counter()
    for lower, upper in zip(docs_no_parser, cased, strict=True):
        for a, b in zip(lower, upper, strict=False):
            same[a.tag_ == b.tag_] += 1
    print(f"tokens with a Frog tag: {tagged:.3f}")
    print(
        f"tokens whose tag differs between lower-cased (as the tagger feeds it) and original text: "
        f"{same[False] / max(1, sum(same.values())):.3f}"
    )
    _feature_table(items, cased)


if __name__ == "__main__":
    main()
