"""The held-out part of the development set against the targets of the issue.

Figures below target are marked `xfail(strict=True)` (measured once, not tuned on held-out), so reaching a
target shows up as an unexpected pass and the mark must be removed.
"""

import functools

import pytest

from tagger.evaluate import dev_file, dev_rows, evaluate, heldout2_file, heldout3_file, load_gold

TARGETS = {("nl", "macro_f1"): 0.90, ("en", "macro_f1"): 0.85}
#: (split, lang, metric) measured below target. `heldout2` is the second held-out set, written later;
#: `heldout3` the third (Dutch only), written blind before the next round of rule work.
#: The English orientation is now fitted on real talk (AnnoMI's development sessions, whose MI change/sustain
#: talk is not quite our solution/problem talk) with these sentences as regression cases: our own held-out
#: orientation fell from 0.927 to 0.847 while real client talk rose (see bench/bench_annomi.py).
#: Since technique labels settle orientation (tagger/data/technique_orientation.json) the whole English
#: held-out part is back at target; its first set is not.
BELOW_TARGET = {
    ("heldout", "nl", "scale_exact"),
    ("heldout", "en", "orientation_accuracy"),
}


@functools.cache
def _report(split: str, lang: str):
    return evaluate(dev_rows(lang, split), lang=lang)


def _params():
    # `heldout_all` is the whole held-out part (all three sets): the figure the targets are judged on.
    for split in ("heldout", "heldout2", "heldout3", "heldout_all"):
        for lang in ("nl", "en") if split != "heldout3" else ("nl",):
            for metric in ("macro_f1", "orientation_accuracy", "scale_exact"):
                marks = (
                    [pytest.mark.xfail(strict=True, reason="below target")]
                    if (split, lang, metric) in BELOW_TARGET
                    else []
                )
                yield pytest.param(split, lang, metric, id=f"{split}-{lang}-{metric}", marks=marks)


@pytest.mark.parametrize(("split", "lang", "metric"), list(_params()))
def test_heldout_target(split: str, lang: str, metric: str) -> None:
    target = TARGETS.get((lang, metric), {"orientation_accuracy": 0.85, "scale_exact": 0.95}.get(metric))
    assert getattr(_report(split, lang), metric) >= target


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_dev_set_size_and_coverage(lang: str) -> None:
    rows = load_gold(dev_file(lang), "all")
    assert len(rows) >= {"nl": 400, "en": 150}[lang]
    labels = {label for r in rows for label in r["labels"]}
    assert len(labels) == 12
    held = sum(r["split"] == "heldout" for r in rows) / len(rows)
    assert 0.25 <= held <= 0.35


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_second_heldout_set_size_and_coverage(lang: str) -> None:
    rows = dev_rows(lang, "heldout2")
    assert len(rows) >= {"nl": 120, "en": 60}[lang]
    assert {r["split"] for r in rows} == {"heldout2"}
    assert len({label for r in rows for label in r["labels"]}) == 12
    dev_texts = {r["text"].lower() for r in load_gold(dev_file(lang), "all")}
    assert not dev_texts & {r["text"].lower() for r in rows}


def test_third_heldout_set_size_and_coverage() -> None:
    rows = dev_rows("nl", "heldout3")
    assert len(rows) >= 120
    assert {r["split"] for r in rows} == {"heldout3"}
    assert len({label for r in rows for label in r["labels"]}) == 12
    subtypes = {(k, v) for r in rows for k, v in r["subtypes"].items()}
    assert {("compliment", s) for s in ("direct", "indirect", "self")} <= subtypes
    assert {("miracle_question", s) for s in ("main", "follow_up")} <= subtypes
    other = load_gold(dev_file("nl"), "all") + load_gold(heldout2_file("nl"), "all")
    assert not {r["text"].lower() for r in other} & {r["text"].lower() for r in rows}
    assert len({r["id"] for r in rows}) == len(rows)


def test_heldout_all_includes_every_heldout_set() -> None:
    n = len(dev_rows("nl", "heldout")) + len(dev_rows("nl", "heldout2")) + len(dev_rows("nl", "heldout3"))
    assert len(dev_rows("nl", "heldout_all")) == n
    assert heldout3_file("nl").exists()
