"""The Dutch real corpus (tests/tagger/data/real_nl/): its shape, its split, and the tagger's figures on it.

The corpus is real talk from public pages that nobody on the project wrote; its test part is locked (never
tuned on). The figure floors below are the measured values rounded down, so a change that makes the tagger
worse on real talk fails here; the bench (`bench/bench_real_nl.py`) prints the figures themselves.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tools"))

from assemble_real_nl import split_of  # noqa: E402
from bench_real_nl import score  # noqa: E402

from tagger.taxonomy import LABEL_SUBTYPES  # noqa: E402

DIR = ROOT / "tests" / "tagger" / "data" / "real_nl"
#: Floors on the locked test part, measured values rounded down: `test1` is its first batch (823 lines split off
#: on 2026-12-01, comparable across releases), `test` the whole part (all its batches; batch 4 brought it from
#: 1,741 to 2,417 lines and from 0.618 to 0.609 orientation, batch 5 to 2,926 lines at 0.609 before the refit on
#: the larger development part, 0.623 after; batch 6 to 3,609 lines at 0.617 before its refit, 0.622 after;
#: batch 7, the hardest so far (0.583 before its refit), to 3,999 lines at 0.617 before the refit, 0.618 after;
#: batch 8 to 4,490 lines at 0.618 before its refit, 0.625 after).
TEST_FLOORS = {
    "test1": {"orientation_balanced": 0.63, "macro_f1": 0.56},
    "test": {"orientation_balanced": 0.62, "macro_f1": 0.48},
}


@functools.cache
def rows(part: str) -> tuple[dict, ...]:
    return tuple(
        json.loads(line) for line in (DIR / f"{part}.jsonl").read_text(encoding="utf-8").splitlines()
    )


def test_size_sources_and_contract() -> None:
    every = rows("dev") + rows("test")
    assert len(every) >= 1000
    assert len({r["text"] for r in every}) == len(every)
    sources = (DIR / "SOURCES.md").read_text(encoding="utf-8")
    for r in every:
        assert r["source_url"].startswith("http") and r["source_url"] in sources
        assert r["orientation"] in ("solution", "problem", "neutral")
        assert r["speaker"] in ("practitioner", "client")
        assert set(r["labels"]) <= set(LABEL_SUBTYPES)
    kinds = {r["source_kind"] for r in every}
    assert len(kinds) >= 4, "several kinds of speakers and sources"


def test_split_is_by_source_page_and_fixed() -> None:
    for part in ("dev", "test"):
        assert {split_of(r["source_url"]) for r in rows(part)} == {part}
    dev_urls = {r["source_url"] for r in rows("dev")}
    assert not dev_urls & {r["source_url"] for r in rows("test")}


def test_no_near_duplicates_across_parts() -> None:
    """No test line shares 80 % of its words (Jaccard) with a dev line.

    Every pair is not compared (37 million pairs took 80 s): by prefix filtering (Bayardo et al., "Scaling up
    all pairs similarity search", 2007), two word sets with Jaccard >= t share a word among the first
    n - ceil(t * n) + 1 words of each, words ordered rarest first; only dev lines that share such a word are
    compared, exactly as before."""
    threshold = 0.8

    def words(text: str) -> frozenset[str]:
        return frozenset(re.findall(r"\w+", text.lower()))

    dev = [w for w in (words(r["text"]) for r in rows("dev")) if len(w) >= 4]
    test = [(r["id"], w) for r, w in ((r, words(r["text"])) for r in rows("test")) if len(w) >= 4]
    freq = Counter(x for w in dev for x in w) + Counter(x for _, w in test for x in w)

    def prefix(w: frozenset[str]) -> list[str]:
        return sorted(w, key=lambda x: (freq[x], x))[: len(w) - math.ceil(threshold * len(w)) + 1]

    index: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(dev):
        for x in prefix(w):
            index[x].append(i)
    for line_id, w in test:
        candidates = {i for x in prefix(w) for i in index.get(x, ())}
        assert not any(len(w & dev[i]) / len(w | dev[i]) >= threshold for i in candidates), line_id


@pytest.mark.parametrize("part", sorted(TEST_FLOORS))
def test_locked_test_part_floors(part: str) -> None:
    chosen = [r for r in rows("test") if part == "test" or r.get("batch", 1) == 1]
    figures = score(chosen)
    floors = TEST_FLOORS[part]
    assert figures["orientation"]["balanced_accuracy"] >= floors["orientation_balanced"]
    assert figures["macro_f1"] >= floors["macro_f1"]


def test_second_annotator_agreement_is_recorded() -> None:
    """The agreement file names real corpus lines, and people agree far above the tagger: the ceiling is
    not the labels' noise."""
    from bench_real_nl import agreement

    ids = {r["id"] for r in rows("dev") + rows("test")}
    second = [json.loads(line) for line in (DIR / "agreement.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(second) >= 300 and {a["id"] for a in second} <= ids
    figures = agreement()
    assert figures["dev"]["orientation"]["kappa"] >= 0.7 and figures["test"]["orientation"]["kappa"] >= 0.7
