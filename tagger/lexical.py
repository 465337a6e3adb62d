"""The word-level evidence of one utterance in one pass: polarity sums, topic counts, terms and marks.

`tagger.polarity` defines each of these as its own function over the words (`polarity`, `topic_polarity`,
`terms`, `marks`); run one after the other they look every word up four times in four tables, and they were a
quarter of the component's time. `WordTable` looks each distinct word up once (cached: talk repeats its words)
and keeps what the four need in one tuple, so an utterance costs one loop and one dict lookup per word. The
results are the same as those functions' (tests/tagger/test_lexical.py compares the two on the dev texts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tagger.polarity import MarkLists, TopicLists, _word_terms, topic_side

#: What one word contributes: (polarity feature names and amount, or None), (topic feature names, or None),
#: (term names outside a negation, term names inside one), the single-word marks it sets, the mark phrases
#: starting with it.
_Info = tuple[
    tuple[str, str, float] | None,
    tuple[str, str] | None,
    tuple[tuple[str, ...], tuple[str, ...]],
    tuple[str, ...],
    tuple[tuple[str, tuple[str, ...]], ...],
]
#: Words remembered at most; then the cache starts afresh (a long-running process sees unbounded words).
_MAX_WORDS = 200_000


class WordTable:
    """Per-word lookups of one language's polarity lexicon, topic lists, lemmas and marks, cached per word."""

    def __init__(
        self, lexicon: Mapping[str, float], topics: TopicLists, lemmas: Mapping[str, str], marks: MarkLists
    ) -> None:
        self.lexicon, self.topics, self.lemmas, self.marks = lexicon, topics, lemmas, marks
        self._cache: dict[str, _Info] = {}

    def _info(self, word: str) -> _Info:
        value = self.lexicon.get(word)
        pol = None
        if value is not None:
            side = "pos" if value > 0 else "neg"
            pol = (side, side + ".negated", abs(value))
        topic = None
        if self.topics.words:
            side_t = topic_side(word, self.topics, self.lemmas)
            if side_t is not None:
                topic = (f"topic.{side_t}", f"topic.{side_t}.negated")
        if word[:1].isalpha():
            terms = (_word_terms(word, False, self.lemmas, 4), _word_terms(word, True, self.lemmas, 4))
        else:
            terms = ((), ())
        marks = tuple(name for name, vocab in self.marks.words.items() if word in vocab)
        info = (pol, topic, terms, marks, self.marks.phrase_index.get(word, ()))
        if len(self._cache) >= _MAX_WORDS:
            self._cache.clear()
        self._cache[word] = info
        return info

    def evidence(
        self, words: Sequence[str], flags: Sequence[bool] | None
    ) -> tuple[dict[str, float], tuple[str, ...], tuple[str, ...]]:
        """(polarity and topic sums, terms, marks) of an utterance; `flags` per word: in a negation's scope
        (None: no word is)."""
        cache = self._cache
        pol: dict[str, float] = {}
        topic: dict[str, float] = {}
        terms: dict[str, None] = {}
        present: set[str] = set()
        phrases = False
        for i, word in enumerate(words):
            info = cache.get(word)
            if info is None:
                info = self._info(word)
            flag = flags[i] if flags is not None else False
            p, t, names, mark_names, starts = info
            if p is not None:
                name = p[1] if flag else p[0]
                pol[name] = round(pol.get(name, 0.0) + p[2], 3)
            if t is not None:
                name = t[1] if flag else t[0]
                topic[name] = topic.get(name, 0.0) + 1.0
            for name in names[1] if flag else names[0]:
                terms[name] = None
            if mark_names:
                present.update(mark_names)
            if starts:
                phrases = True
        if phrases:
            index = self.marks.phrase_index
            for i, word in enumerate(words):
                for name, tokens in index.get(word, ()):
                    if name not in present and tuple(words[i : i + len(tokens)]) == tokens:
                        present.add(name)
        return pol | topic, tuple(terms), tuple(sorted(present))
