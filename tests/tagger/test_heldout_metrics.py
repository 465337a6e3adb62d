"""The held-out part of the development set against the targets of the issue.

Figures below target are marked `xfail(strict=True)` (measured once, not tuned on held-out), so reaching a
target shows up as an unexpected pass and the mark must be removed.
"""

import functools

import pytest

from tagger.evaluate import dev_file, evaluate, load_gold

TARGETS = {("nl", "macro_f1"): 0.90, ("en", "macro_f1"): 0.85}
BELOW_TARGET = {("nl", "macro_f1"), ("nl", "scale_exact"), ("en", "scale_exact")}


@functools.cache
def _report(lang: str):
    return evaluate(load_gold(dev_file(lang), "heldout"), lang=lang)


def _params():
    for lang in ("nl", "en"):
        for metric in ("macro_f1", "orientation_accuracy", "scale_exact"):
            marks = (
                [pytest.mark.xfail(strict=True, reason="below target")]
                if (lang, metric) in BELOW_TARGET
                else []
            )
            yield pytest.param(lang, metric, id=f"{lang}-{metric}", marks=marks)


@pytest.mark.parametrize(("lang", "metric"), list(_params()))
def test_heldout_target(lang: str, metric: str) -> None:
    target = TARGETS.get((lang, metric), {"orientation_accuracy": 0.85, "scale_exact": 0.95}.get(metric))
    assert getattr(_report(lang), metric) >= target


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_dev_set_size_and_coverage(lang: str) -> None:
    rows = load_gold(dev_file(lang), "all")
    assert len(rows) >= {"nl": 400, "en": 150}[lang]
    labels = {label for r in rows for label in r["labels"]}
    assert len(labels) == 12
    held = sum(r["split"] == "heldout" for r in rows) / len(rows)
    assert 0.25 <= held <= 0.35
