"""Rule matching: the rules of `tagger/patterns/<lang>/` compiled for `tagger.fastmatch` and indexed by words.

Each pattern is indexed by its rarest required words, so an utterance only tries the few patterns whose
words it contains (a rule outside the fast subset runs through a spaCy `Matcher`). No lemmatizer runs:
`LEMMA` tokens become the word forms of the lookup table. `RuleMatcher.match` gives each matching rule its
earliest, longest match; `RuleMatcher.rank` orders rules that match the same span (higher `priority` first,
then the rule defined first: built-in files by name, then line, then organisation files), so the choice
between overlapping matches never depends on set or dict iteration order (and so not on Python's hash seed).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from tagger.context import Context
from tagger.fastmatch import (
    REGEX_ANCHOR_PREFIX,
    CachedTest,
    Compiler,
    Element,
    Unsupported,
    anchor,
    match,
    match_fixed,
)
from tagger.rules import Rule

#: An indexed pattern: rule id, compiled elements, the word set of a required first element (or the pseudo-word
#: of a required first regex element, or None), the word sets of its other required elements (an utterance
#: must contain a word of each), a unique number (-1 for a pattern filed under one word only, which one utterance
#: can not reach twice), and the token tests of a pattern without operators (or None).
_Entry = tuple[
    str,
    tuple[Element, ...],
    frozenset[str] | str | None,
    tuple[frozenset[str], ...],
    int,
    tuple[Any, ...] | None,
]


def _literal_words(rule: Rule) -> set[str]:
    """Every lower-case word a rule's patterns spell out."""
    out: set[str] = set()
    for pattern in rule.patterns:
        for tok in pattern:
            value = tok.get("LOWER")
            if isinstance(value, str):
                out.add(value)
            elif isinstance(value, dict) and "IN" in value:
                out.update(value["IN"])
    return out


@functools.cache
def _lemma_table(lang: str) -> dict[str, list[str]]:
    """lemma -> word forms, from the lookup table of `spacy-lookups-data` (empty if it is not installed)."""
    try:
        import spacy_lookups_data
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    try:
        table = srsly.read_gzip_json(spacy_lookups_data.get_file(f"{lang}_lemma_lookup.json.gz"))
    except (OSError, ValueError):
        return {}
    out: dict[str, list[str]] = {}
    for form, lemma in table.items():
        out.setdefault(str(lemma).lower(), []).append(str(form).lower())
    return out


class RuleMatcher:
    """The compiled, indexed rules of one pipeline."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.context = Context({})
        self.rules: dict[str, Rule] = {}
        #: rule id -> its place in the tie-break order (higher `priority` first, then definition order).
        self.rank: dict[str, int] = {}
        #: lemma -> word forms used by `LEMMA` tokens (saved with the component, so loading needs no table).
        self.lemma_forms: dict[str, list[str]] = {}
        #: rule id -> its token patterns after splitting words the tokenizer splits (see `_split_words`).
        self.expanded: dict[str, list[tuple[dict[str, Any], ...]]] = {}
        self.compiled: dict[str, list[tuple[Element, ...]]] = {}
        self.fallback: dict[str, Matcher] = {}
        self.anchors: dict[str, list[_Entry]] = {}
        self.unanchored: list[_Entry] = []
        self.regex_anchors: list[CachedTest] = []
        #: word -> the regex anchors it matches (cached for the words that match one); words already seen.
        self._pseudo: dict[str, tuple[str, ...]] = {}
        self._pseudo_known: set[str] = set()
        self.literals: dict[str, frozenset[str]] = {}
        vocab = nlp.vocab
        self._compiler = Compiler(
            self._forms_of,
            like_num=lambda w: vocab[w].like_num,
            is_punct=lambda w: vocab[w].is_punct,
        )

    def _forms_of(self, lemma: str) -> list[str]:
        lemma = lemma.lower()
        if lemma not in self.lemma_forms:
            self.lemma_forms[lemma] = sorted(_lemma_table(self.nlp.lang).get(lemma, []))
        return self.lemma_forms[lemma]

    # --- set-up -------------------------------------------------------------------------------------
    def add_rules(self, rules: Iterable[Rule]) -> None:
        """Add compiled rules (a rule id added again replaces the old rule).

        Each pattern is compiled for `tagger.fastmatch` and indexed by an anchor: the words one of its tokens
        must be (the rarest such token). An utterance only tries the patterns whose anchor words it contains,
        so the cost grows with the rules that could match, not with the size of the rule set. A rule with a
        token pattern outside the fast subset runs through its own spaCy `Matcher` on every utterance.
        """
        for rule in rules:
            self.rules[rule.id] = rule
            self.literals[rule.id] = frozenset(_literal_words(rule))
            self.fallback.pop(rule.id, None)
            self.compiled.pop(rule.id, None)
            patterns = [q for p in rule.patterns for q in self._split_words(p)]
            self.expanded[rule.id] = patterns
            try:
                self.compiled[rule.id] = [self._compiler.pattern(p) for p in patterns]
            except Unsupported:
                matcher = Matcher(self.nlp.vocab)
                matcher.add(rule.id, [list(p) for p in patterns])
                self.fallback[rule.id] = matcher
        # a stable sort: on equal priority the rule defined first (file name, then line) ranks first
        order = sorted(self.rules.values(), key=lambda r: -r.priority)
        self.rank = {r.id: i for i, r in enumerate(order)}
        self._index()

    def _pieces(self, word: str) -> tuple[str, ...]:
        """The tokens the tokenizer makes of a pattern word ("you've" -> "you", "'ve"), or just the word."""
        if (
            not word
            or word[0] in "'’"
            or (word.isalpha() and len(word) > 1 and word not in self.context.unsplit)
        ):
            return (word,)
        pieces = tuple(t.lower_ for t in self.nlp.make_doc(word))
        return pieces if len(pieces) > 1 and "".join(pieces) == word else (word,)

    def _split_words(self, pattern: tuple[dict[str, Any], ...]) -> list[tuple[dict[str, Any], ...]]:
        """A rule token whose words the tokenizer splits ("you've", "that's", "co-workers") becomes a token
        sequence per such word, so rule authors can write words as people spell them."""
        variants: list[tuple[dict[str, Any], ...]] = [()]
        for tok in pattern:
            value = tok.get("LOWER")
            words = (
                [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) else None
            )
            split = {w: self._pieces(w) for w in words or []} if set(tok) <= {"LOWER", "OP"} else {}
            multi = {w: ps for w, ps in split.items() if len(ps) > 1}
            if not multi or tok.get("OP") not in (None, "?"):
                variants = [(*v, tok) for v in variants]
                continue
            choices: list[tuple[dict[str, Any], ...]] = []
            single = [w for w in split if w not in multi]
            if single:
                choices.append(({**tok, "LOWER": {"IN": single}},))
            for ps in dict.fromkeys(multi.values()):
                choices.append(tuple({"LOWER": p} for p in ps))
            if tok.get("OP") == "?":
                choices = [tuple({k: v for k, v in t.items() if k != "OP"} for t in c) for c in choices]
                choices.append(())
            variants = [(*v, *c) for v in variants for c in choices]
        out = [v for v in variants if v]
        return out if len(out) <= 256 else [pattern]

    def _index(self) -> None:
        stop = frozenset(self.nlp.Defaults.stop_words)
        frequent = self.context.frequent
        regex: dict[str, CachedTest] = {}
        n_entries = 0
        common: dict[str, int] = {}
        for patterns in self.compiled.values():
            for elements in patterns:
                for _, _, test in elements:
                    if isinstance(test, frozenset):
                        for w in test:
                            common[w] = common.get(w, 0) + 1

        def word_cost(w: str) -> float:
            """How likely an utterance holds the word: frequent conversational words (context.json
            `frequent_words`) most, other stop words next, words many patterns use a little more."""
            return (100.0 if w in frequent else 10.0 if w in stop else 1.0) + common.get(w, 0) / 10

        self.anchors = {}
        self.unanchored = []
        for rid, patterns in self.compiled.items():
            for elements in patterns:
                lo, _, test = elements[0]
                first: frozenset[str] | str | None = None
                if lo >= 1 and isinstance(test, frozenset):
                    first = test
                elif lo >= 1 and isinstance(test, CachedTest) and test.key.startswith(REGEX_ANCHOR_PREFIX):
                    first = test.key
                    regex[test.key] = test
                required = tuple(
                    dict.fromkeys(
                        t for m, _, t in elements if m >= 1 and isinstance(t, frozenset) and t is not first
                    )
                )
                fixed = None
                if first is not None and all(lo_ == hi_ == 1 for lo_, hi_, _ in elements):
                    fixed = tuple(t for _, _, t in elements)
                words = anchor(elements, word_cost)
                # only a pattern filed under several words can be reached twice in one utterance
                entry = (rid, elements, first, required, n_entries if words and len(words) > 1 else -1, fixed)
                n_entries += 1
                if words is None:
                    self.unanchored.append(entry)
                    continue
                for w in sorted(words):
                    self.anchors.setdefault(w, []).append(entry)
                    if w.startswith(REGEX_ANCHOR_PREFIX):
                        regex[w] = self._compiler.regex(w[len(REGEX_ANCHOR_PREFIX) :])
        self.regex_anchors = list(regex.values())
        self._pseudo = {}
        self._pseudo_known = set()

    # --- matching -----------------------------------------------------------------------------------
    def match(self, doc: Doc, words: list[str]) -> dict[str, tuple[int, int]]:
        """rule id -> (start, end) of its earliest, longest match, ordered by (start, longest end, rank)."""
        pos: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            at = pos.get(w)
            if at is None:
                pos[w] = [i]
            else:
                at.append(i)
        present = set(pos)
        if self.regex_anchors:
            self._add_regex_words(pos, present)
        anchors = self.anchors
        best: dict[str, tuple[int, int]] = {}
        seen: set[int] = set()
        todo = [e for w in pos if (e := anchors.get(w)) is not None]
        if self.unanchored:
            todo.append(self.unanchored)
        for entries in todo:
            for rid, elements, first, required, index, fixed in entries:
                if index >= 0:
                    if index in seen:
                        continue
                    seen.add(index)
                for req in required:
                    if req.isdisjoint(present):
                        break
                else:
                    if first is None:
                        starts = None
                    elif type(first) is str:
                        starts = pos.get(first)
                        if starts is None:
                            continue
                    else:
                        found_words = present.intersection(first)
                        if len(found_words) == 1:
                            starts = pos[found_words.pop()]
                        else:
                            starts = sorted(i for w in found_words for i in pos[w])
                    found = (
                        match(elements, words, starts) if fixed is None else match_fixed(fixed, words, starts)
                    )
                    if found is not None:
                        prev = best.get(rid)
                        if prev is None or found[0] < prev[0] or (found[0] == prev[0] and found[1] > prev[1]):
                            best[rid] = found
        for rid, matcher in self.fallback.items():
            for _, start, end in matcher(doc, allow_missing=True):
                prev = best.get(rid)
                if prev is None or start < prev[0] or (start == prev[0] and end > prev[1]):
                    best[rid] = (start, end)
        if len(best) < 2:
            return best
        rank = self.rank
        return dict(sorted(best.items(), key=lambda kv: (kv[1][0], -kv[1][1], rank[kv[0]])))

    def _add_regex_words(self, pos: dict[str, list[int]], present: set[str]) -> None:
        """Add the pseudo-word of each regex anchor one of the words matches, with that word's positions.
        Which anchors a word matches is worked out once per word."""
        pseudo = self._pseudo
        known = self._pseudo_known
        if not known.issuperset(present):
            new = present - known
            if len(known) > 200_000:
                known.clear()
                pseudo.clear()
            for w in new:
                keys = tuple(t.key for t in self.regex_anchors if w in t)
                if keys:
                    pseudo[w] = keys
            known |= new
        if pseudo.keys().isdisjoint(present):
            return
        for w in [w for w in pos if w in pseudo]:
            at = pos[w]
            for key in pseudo[w]:
                present.add(key)
                pos[key] = sorted(pos[key] + at) if key in pos else at
