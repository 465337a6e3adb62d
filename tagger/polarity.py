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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files

#: Letters kept of a long word as its stem feature.
PREFIX = 4


@functools.cache
def lexicon(lang: str) -> Mapping[str, float]:
    """word -> polarity (-1..1); empty where the language has no list."""
    resource = files("tagger.data").joinpath(f"polarity_{lang}.json")
    if not resource.is_file():
        return {}
    return json.loads(resource.read_text(encoding="utf-8"))["words"]


@functools.cache
def lemma_table(lang: str) -> Mapping[str, str]:
    """word form -> lemma, from the lookup table of `spacy-lookups-data` (empty where it has none)."""
    try:
        import spacy_lookups_data
        import srsly

        table = srsly.read_gzip_json(spacy_lookups_data.get_file(f"{lang}_lemma_lookup.json.gz"))
    except (ImportError, OSError, ValueError):  # pragma: no cover - a declared dependency
        return {}
    return {str(k).lower(): str(v).lower() for k, v in table.items()}


def polarity(words: Sequence[str], table: Mapping[str, float], flags: Sequence[bool]) -> dict[str, float]:
    """Sums of positive and negative polarity, each split by negation ("niet goed" is not "goed")."""
    out: dict[str, float] = {}
    for word, flag in zip(words, flags, strict=True):
        value = table.get(word)
        if value is None:
            continue
        name = ("pos" if value > 0 else "neg") + (".negated" if flag else "")
        out[name] = round(out.get(name, 0.0) + abs(value), 3)
    return out


def terms(
    words: Sequence[str], lemmas: Mapping[str, str], flags: Sequence[bool], prefix: int = PREFIX
) -> tuple[str, ...]:
    """The utterance's words as named features: each word's lemma ("l:ruzie"; "l!" in the scope of a negation)
    and, for longer words, its first letters ("p:pani" for "paniekaanvallen"), so that compounds and
    inflections unseen when fitting still count. In order of first occurrence, without repeats."""
    out: dict[str, None] = {}
    for word, flag in zip(words, flags, strict=True):
        if not word[:1].isalpha():
            continue
        for name in _word_terms(word, flag, lemmas, prefix):
            out[name] = None
    return tuple(out)


_TERMS_CACHE: dict[tuple[str, bool, int, int], tuple[str, ...]] = {}


def _word_terms(word: str, flag: bool, lemmas: Mapping[str, str], prefix: int) -> tuple[str, ...]:
    """The feature names of one word (cached: utterances repeat their words)."""
    key = (word, flag, id(lemmas), prefix)
    found = _TERMS_CACHE.get(key)
    if found is None:
        mark = "!" if flag else ":"
        found = (f"l{mark}{lemmas.get(word, word)}",)
        if len(word) > prefix + 2:
            found += (f"p{mark}{word[:prefix]}",)
        if len(_TERMS_CACHE) < 200_000:
            _TERMS_CACHE[key] = found
    return found


@dataclass(frozen=True)
class MarkLists:
    """The orientation marks of one language: single words as sets, phrases as space-joined token strings."""

    words: dict[str, frozenset[str]]
    phrases: dict[str, tuple[str, ...]]

    @functools.cached_property
    def phrase_index(self) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """first word -> (mark name, phrase tokens) of every phrase starting with it, in file order."""
        index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for name, options in self.phrases.items():
            for phrase in options:
                tokens = tuple(phrase.split())
                index.setdefault(tokens[0], []).append((name, tokens))
        return {k: tuple(v) for k, v in index.items()}


@functools.cache
def load_marks(lang: str) -> MarkLists:
    """`patterns/<lang>/marks.json` (empty lists where the language has none)."""
    resource = files("tagger.patterns").joinpath(lang, "marks.json")
    if not resource.is_file():
        return MarkLists({}, {})
    data = {
        k: v for k, v in json.loads(resource.read_text(encoding="utf-8")).items() if not k.startswith("_")
    }
    return MarkLists(
        {k: frozenset(w for w in v if " " not in w) for k, v in data.items()},
        {k: tuple(w for w in v if " " in w) for k, v in data.items()},
    )


def marks(words: Sequence[str], lists: MarkLists) -> tuple[str, ...]:
    """Names of the orientation marks present (sorted, so the output never depends on set order)."""
    wordset = frozenset(words)
    present = {name for name, vocab in lists.words.items() if not vocab.isdisjoint(wordset)}
    index = lists.phrase_index
    for i, word in enumerate(words):
        for name, tokens in index.get(word, ()):
            if name not in present and tuple(words[i : i + len(tokens)]) == tokens:
                present.add(name)
    return tuple(sorted(present))


@dataclass(frozen=True)
class TopicLists:
    """Topic words of one language (`tagger/data/topics_<lang>.json`): side -> words, and compound heads."""

    words: dict[str, str]
    heads: tuple[tuple[str, str], ...]


@functools.cache
def load_topics(lang: str) -> TopicLists:
    """The topic lists of a language (empty where it has none)."""
    resource = files("tagger.data").joinpath(f"topics_{lang}.json")
    if not resource.is_file():
        return TopicLists({}, ())
    data = json.loads(resource.read_text(encoding="utf-8"))
    words: dict[str, str] = {}
    heads: list[tuple[str, str]] = []
    for side in ("problem", "solution"):
        for word in data[side]["words"]:
            words.setdefault(word, side)
        heads.extend((head, side) for head in data[side].get("heads", ()))
    # longest head first, so "stoornissen" decides before "sen"-like shorter endings could
    return TopicLists(words, tuple(sorted(heads, key=lambda h: -len(h[0]))))


_TOPIC_CACHE: dict[tuple[int, str], str | None] = {}


def topic_side(word: str, lists: TopicLists, lemmas: Mapping[str, str]) -> str | None:
    """'problem', 'solution' or None for one lower-case word: listed itself, by its lemma, or as a compound
    whose last part is a listed head (at least three letters before it). Cached per word: talk repeats its
    words, and the head check is the costly part."""
    key = (id(lists), word)
    if key in _TOPIC_CACHE:
        return _TOPIC_CACHE[key]
    side = lists.words.get(word) or lists.words.get(lemmas.get(word, word))
    if side is None:
        for head, head_side in lists.heads:
            if len(word) >= len(head) + 3 and word.endswith(head):
                side = head_side
                break
    if len(_TOPIC_CACHE) < 200_000:
        _TOPIC_CACHE[key] = side
    return side


def topic_polarity(
    words: Sequence[str], lists: TopicLists, lemmas: Mapping[str, str], flags: Sequence[bool]
) -> dict[str, float]:
    """Counts of problem and solution topic words, each split by negation ("geen ruzie meer" is not ruzie)."""
    out: dict[str, float] = {}
    if not lists.words:
        return out
    for word, flag in zip(words, flags, strict=True):
        side = topic_side(word, lists, lemmas)
        if side is not None:
            name = f"topic.{side}" + (".negated" if flag else "")
            out[name] = out.get(name, 0.0) + 1.0
    return out
