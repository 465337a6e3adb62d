"""Polarity words and orientation marks of one utterance: evidence the orientation model weighs.

The word lists are data (`tagger/data/polarity_<lang>.json`, built from public lexicons by
`tools/build_polarity.py`; marks such as wanting, intending, the past and hypotheticals in
`patterns/<lang>/context.json` under `orientation_marks`). A polarity word in the scope of a negation counts
on its own feature (`pos.negated`, `neg.negated`): "niet goed" is not "goed", and the fitted weights say how
much each side weighs.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from importlib.resources import files


@functools.cache
def lexicon(lang: str) -> Mapping[str, float]:
    """word -> polarity (-1..1); empty where the language has no list."""
    resource = files("tagger.data").joinpath(f"polarity_{lang}.json")
    if not resource.is_file():
        return {}
    return json.loads(resource.read_text(encoding="utf-8"))["words"]


def polarity(
    words: Sequence[str],
    table: Mapping[str, float],
    negated: Callable[[int, int], bool],
    skip: frozenset[int] = frozenset(),
) -> dict[str, float]:
    """Sums of positive and negative polarity, each split by negation. `skip`: token indexes already read by
    a cue rule (their weight is counted there, not twice)."""
    out: dict[str, float] = {}
    for i, word in enumerate(words):
        value = table.get(word)
        if value is None or i in skip:
            continue
        name = ("pos" if value > 0 else "neg") + (".negated" if negated(i, i + 1) else "")
        out[name] = round(out.get(name, 0.0) + abs(value), 3)
    return out


def marks(
    words: Sequence[str], mark_words: Mapping[str, frozenset[str]], phrases: Mapping[str, tuple]
) -> tuple[str, ...]:
    """Names of the orientation marks present (sorted, so the output never depends on set order)."""
    present = {name for name, vocab in mark_words.items() if not vocab.isdisjoint(words)}
    if phrases:
        joined = " " + " ".join(words) + " "
        present.update(name for name, options in phrases.items() if any(f" {p} " in joined for p in options))
    return tuple(sorted(present))
