"""Named word sets of the rule patterns (`$nl.praise`), and the topic sets as regular expressions.

A long list of words is written once, in `patterns/<lang>/sets.json`, and every rule that praises, addresses or
asks uses the same words; the topic sets (`$nl.topic_problem`) are the lists the orientation model weighs
(`tagger/data/topics_<lang>.json`), compounds included.
"""

from __future__ import annotations

import functools
import json
import re
from importlib.resources import files

from core.errors import InvalidValue


@functools.cache
def word_sets() -> dict[str, tuple[str, ...]]:
    """Every named word set of the packaged languages, as "<lang>.<name>" -> lower-case words."""
    out: dict[str, tuple[str, ...]] = {}
    root = files("tagger.patterns")
    for lang in ("nl", "en"):
        resource = root.joinpath(lang, "sets.json")
        if resource.is_file():
            for name, words in json.loads(resource.read_text(encoding="utf-8")).items():
                if not name.startswith("_"):
                    out[f"{lang}.{name}"] = tuple(dict.fromkeys(w.lower() for w in words))
    return out


@functools.cache
def topic_regexes() -> dict[str, str]:
    """Topic regexes: "<lang>.topic_<side>" -> a regular expression for that side's topic words and compounds ending in a head
    (`tagger/data/topics_<lang>.json`, the same lists the orientation model weighs)."""
    out: dict[str, str] = {}
    for lang in ("nl", "en"):
        resource = files("tagger.data").joinpath(f"topics_{lang}.json")
        if not resource.is_file():
            continue
        data = json.loads(resource.read_text(encoding="utf-8"))
        for side in ("problem", "solution"):
            words = "|".join(
                re.escape(w) for w in sorted(set(data[side]["words"]), key=lambda w: (-len(w), w))
            )
            heads = "|".join(
                re.escape(h) for h in sorted(set(data[side].get("heads", ())), key=lambda w: (-len(w), w))
            )
            pattern = f"^(?:{words})$" + (f"|^\\w{{3,}}(?:{heads})$" if heads else "")
            out[f"{lang}.topic_{side}"] = pattern
    return out


def word_set(name: str) -> tuple[str, ...]:
    """The words of one named set ("nl.praise"); ValueError names an unknown set."""
    try:
        return word_sets()[name]
    except KeyError:
        raise InvalidValue("rules.word_set", name=name) from None
