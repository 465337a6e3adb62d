"""A fast matcher for the subset of spaCy `Matcher` token patterns the rule files use.

The rules stay spaCy `Matcher` token patterns (lists of dicts, the form `tagger.rules` compiles to and
`to_disk` writes). Running one spaCy `Matcher` per candidate rule costs a Python `Token` per token per call
and a Python callback per `IN`/`REGEX` predicate per token, so the component compiles each pattern once into
a small program over the utterance's lower-case words instead:

- `{"LOWER": w}` and `{"LOWER": {"IN": [...]}}` become one `frozenset` membership test;
- `{"LEMMA": l}` / `{"LEMMA": {"IN": [...]}}` become the set of word forms the language's lemma lookup table
  maps to those lemmas (plus the lemmas themselves), so no lemmatizer has to run;
- `{"LOWER": {"REGEX": r}}` is a regular expression whose result is cached per word;
- `{"LIKE_NUM": true}` and `{"IS_PUNCT": true}` are read from the vocabulary's lexemes, cached per word;
- `{}` is any token; `OP` may be `?`, `*`, `+`, `{n}`, `{n,m}`, `{,m}`, `{n,}`.

Each pattern also gets an anchor: the words one of its required tokens must be (its rarest), so an utterance
only tries the patterns whose anchor words it contains. A match is the earliest start with the longest end,
the choice the component made from the spaCy `Matcher`'s list of all matches. A token pattern outside this
subset raises `Unsupported`, and the component runs that rule through a real spaCy `Matcher` instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

#: The pseudo-word added to an utterance's word set when one of its words matches a given regex anchor.
REGEX_ANCHOR_PREFIX = "#re:"
#: How costly a regex anchor counts as, against `word_cost` of the words of the other elements.
REGEX_COST = 20.0
_OP_RE = re.compile(r"^\{(\d*)(?:(,)(\d*))?\}$")
_BIG = 10_000


class Unsupported(ValueError):
    """A token pattern this matcher does not implement (the rule falls back to spaCy's `Matcher`)."""


class CachedTest:
    """A per-word test (a regex or a lexeme flag) with its results cached; supports `word in test`."""

    __slots__ = ("_cache", "_fn", "key")

    def __init__(self, key: str, fn: Callable[[str], bool]) -> None:
        self.key = key
        self._fn = fn
        self._cache: dict[str, bool] = {}

    def __contains__(self, word: object) -> bool:
        cache = self._cache
        hit = cache.get(word)  # type: ignore[call-overload]
        if hit is None:
            if len(cache) > 200_000:
                cache.clear()
            hit = cache[word] = bool(self._fn(word))  # type: ignore[arg-type, index]
        return hit


Test = frozenset[str] | CachedTest | None
Element = tuple[int, int, Test]


def _parse_op(op: str | None) -> tuple[int, int]:
    if op is None or op == "1":
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, _BIG
    if op == "+":
        return 1, _BIG
    m = _OP_RE.match(op)
    if not m:
        raise Unsupported(f"operator {op!r}")
    lo_s, comma, hi_s = m.groups()
    lo = int(lo_s) if lo_s else 0
    if comma is None:
        return lo, lo
    return lo, int(hi_s) if hi_s else _BIG


class Compiler:
    """Compiles token patterns into `Element` lists, sharing cached tests between patterns."""

    def __init__(
        self,
        lemma_forms: Callable[[str], Iterable[str]],
        like_num: Callable[[str], bool],
        is_punct: Callable[[str], bool],
    ) -> None:
        self.lemma_forms = lemma_forms
        self._regex: dict[str, CachedTest] = {}
        self.like_num = CachedTest("LIKE_NUM", like_num)
        self.is_punct = CachedTest("IS_PUNCT", is_punct)

    def regex(self, pattern: str) -> CachedTest:
        test = self._regex.get(pattern)
        if test is None:
            rx = re.compile(pattern)
            test = self._regex[pattern] = CachedTest(REGEX_ANCHOR_PREFIX + pattern, lambda w: rx.search(w))
        return test

    def token(self, tok: dict[str, Any]) -> Element:
        lo, hi = _parse_op(tok.get("OP"))
        keys = set(tok) - {"OP"}
        if not keys:
            return lo, hi, None
        if len(keys) != 1:
            raise Unsupported(f"several attributes {sorted(keys)}")
        key = keys.pop()
        value = tok[key]
        test: Test
        if key in ("LOWER", "LEMMA"):
            if isinstance(value, str):
                words = [value]
            elif isinstance(value, dict) and set(value) == {"IN"}:
                words = list(value["IN"])
            elif key == "LOWER" and isinstance(value, dict) and set(value) == {"REGEX"}:
                return lo, hi, self.regex(value["REGEX"])
            else:
                raise Unsupported(f"{key} {value!r}")
            if key == "LEMMA":
                words = [f for w in words for f in (w, *self.lemma_forms(w))]
            test = frozenset(w.lower() for w in words)
        elif key == "LIKE_NUM" and value is True:
            test = self.like_num
        elif key == "IS_PUNCT" and value is True:
            test = self.is_punct
        else:
            raise Unsupported(f"attribute {key}")
        return lo, hi, test

    def pattern(self, pattern: Sequence[dict[str, Any]]) -> tuple[Element, ...]:
        return tuple(self.token(t) for t in pattern)


def anchor(elements: Sequence[Element], word_cost: Callable[[str], float]) -> frozenset[str] | None:
    """The words one required element must be (the element whose words are rarest, by `word_cost`), or None
    when no element has a word set. A required regex element anchors on its pseudo-word (see
    `REGEX_ANCHOR_PREFIX`), at cost `REGEX_COST` (it is checked on every new word)."""
    options: list[frozenset[str]] = []
    for lo, _, test in elements:
        if lo < 1 or test is None:
            continue
        if isinstance(test, frozenset):
            options.append(test)
        elif test.key.startswith(REGEX_ANCHOR_PREFIX):
            options.append(frozenset([test.key]))
    if not options:
        return None

    def cost(ws: frozenset[str]) -> tuple[float, int]:
        if len(ws) == 1 and next(iter(ws)).startswith(REGEX_ANCHOR_PREFIX):
            return REGEX_COST, 1
        return sum(word_cost(w) for w in ws), len(ws)

    return min(options, key=cost)


def _longest(elements: Sequence[Element], k: int, words: Sequence[str], i: int, n: int) -> int:
    """The longest end of a match of elements[k:] starting at word i, or -1."""
    lo, hi, test = elements[k]
    limit = n - i if hi > n - i else hi
    if lo > limit:
        return -1
    if test is None:
        count = limit
    else:
        count = 0
        while count < limit and words[i + count] in test:
            count += 1
        if count < lo:
            return -1
    k1 = k + 1
    if k1 == len(elements):
        return i + count
    nlo, _, gate = elements[k1]
    if nlo < 1 or not isinstance(gate, frozenset):
        gate = None
    best = -1
    for c in range(count, lo - 1, -1):
        j = i + c
        if gate is not None and (j >= n or words[j] not in gate):
            continue
        end = _longest(elements, k1, words, j, n)
        if end > best:
            best = end
    return best


def match_fixed(tests: Sequence[Test], words: Sequence[str], starts: Iterable[int]) -> tuple[int, int] | None:
    """`match` for a pattern of single tokens only (no operators) whose first token is known to match at each
    of `starts` (ascending)."""
    n = len(words)
    size = len(tests)
    for i in starts:
        if i + size > n:
            return None
        k = 1
        while k < size:
            test = tests[k]
            if test is not None and words[i + k] not in test:
                break
            k += 1
        if k == size:
            return i, i + size
    return None


def match(
    elements: Sequence[Element], words: Sequence[str], starts: Iterable[int] | None = None
) -> tuple[int, int] | None:
    """The earliest (start, end) match of a compiled pattern with the longest end, or None.

    `starts` may restrict the start positions tried (those where a required first element can match).
    """
    n = len(words)
    for i in starts if starts is not None else range(n):
        end = _longest(elements, 0, words, i, n)
        if end > i:
            return i, end
    return None
