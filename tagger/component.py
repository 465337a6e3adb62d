"""The spaCy side of the tagger: the `spiegel_tagger` pipeline component and the versioned orientation logic.

The component matches the rules of `tagger/patterns/<lang>/` (spaCy `Matcher` token patterns) with
`tagger.fastmatch`: each pattern is indexed by its rarest required words, so an utterance only tries the few
patterns whose words it contains (a rule outside the fast subset runs through a spaCy `Matcher`). It then
decides per match whether it lies in the scope of a negation, whether the utterance is a question (with or
without a question mark), weighs the orientation cues (the clause after a "maar"/"but" separately), and
reads scale numbers. No lemmatizer runs: `LEMMA` tokens become the word forms of the lookup table. It writes the rule matches to
`doc.spans["spiegel"]` (`span.label_` the label, `span.id_` the rule id) and an `Analysis` to
`doc._.spiegel`. Everything that needs the speaker or the conversation (scale answers linked to the
preceding question, speaker filters) happens in `tagger.api`, after the pipeline.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, registry

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
from tagger.numbers import NumberHit, find_numbers
from tagger.rules import Rule, parse_rule
from tagger.taxonomy import SOLUTION_LABELS

SPANS_KEY = "spiegel"
_SENTENCE_ENDS = frozenset({".", "?", "!"})
#: Sentence ends, and a comma or "en"/"and" where a second question word follows ("..., en hoe hou je het vol?").
_BREAK_WORDS = _SENTENCE_ENDS | {",", ";", "en", "and"}

if not Doc.has_extension("spiegel"):
    Doc.set_extension("spiegel", default=None)


@dataclass(slots=True)
class Hit:
    """One rule match that passed its conditions. `negated`: in the scope of a negation cue; None where the
    rule does not depend on it (only cue rules and rules with a `negated` condition are checked)."""

    rule: Rule
    start: int
    end: int
    start_char: int
    end_char: int
    negated: bool | None


@dataclass
class Analysis:
    """What the component found in one utterance, before speaker and conversation context are applied."""

    is_question: bool
    hits: list[Hit] = field(default_factory=list)
    cue_score: float = 0.0
    numbers: list[tuple[NumberHit, int, int]] = field(default_factory=list)
    scale_position: bool = False
    scale_context: bool = False
    first_person: bool = False
    n_words: int = 0
    #: Cue balance after the last clause-level contrast ("maar", "but") and before it; None without one.
    pivot_score: float | None = None
    before_pivot_score: float | None = None
    #: Token indexes where one question ends and another may begin: sentence-final punctuation, and a comma or
    #: "en" before a question word.
    sentence_breaks: tuple[int, ...] = ()

    def labelled(self) -> list[Hit]:
        """Hits of taxonomy labels (not internal cues)."""
        return [h for h in self.hits if not h.rule.label.startswith("cue.")]


class Context:
    """Cue lists of one language, as sets for fast lookups."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        s = lambda k: frozenset(data.get(k, []))  # noqa: E731
        self.negation = s("negation")
        self.negation_post = s("negation_post")
        self.pseudo = frozenset(tuple(p.split()) for p in data.get("pseudo_negation", []))
        self.pre = int(data.get("negation_window_pre", 3))
        self.post = int(data.get("negation_window_post", 3))
        self.boundary = s("clause_boundary")
        self.contrast = s("contrast")
        self.pivots = self.contrast & self.boundary
        self.fillers = s("fillers")
        self.qwords = s("question_words")
        self.qword_excl = frozenset(tuple(p.split()) for p in data.get("question_word_exclusions", []))
        self.second = s("second_person")
        self.inv_excl = s("inversion_exclusions")
        self.qverbs = s("question_verbs")
        self.inv_subj = s("inversion_subjects")
        self.prompts = s("prompt_starts")
        self.first_person = s("first_person")
        #: Words most utterances contain; a rule is indexed under rarer words where it has any.
        self.frequent = s("frequent_words")


def is_question(words: list[str], ctx: Context) -> bool:
    """A question, with or without "?": a question word or verb-subject inversion at the start of a clause.

    ASR output often has no punctuation, so "heb je gemerkt" and "wat is er beter" count; exclamations
    ("wat knap!", "what a great idea") and subordinate uses ("als je", "dank je") do not.
    """
    if "?" in words:
        return True
    n = len(words)
    starts = [0] + [i + 1 for i, w in enumerate(words) if w in (".", "!", ";", ":", ",")]
    for s in starts:
        i = s
        while i < n and words[i] in ctx.fillers:
            i += 1
        if i >= n:
            continue
        w = words[i]
        nxt = words[i + 1] if i + 1 < n else ""
        nxt2 = words[i + 2] if i + 2 < n else ""
        if w in ctx.qwords:
            if (w, nxt) in ctx.qword_excl or (w, nxt, nxt2) in ctx.qword_excl:
                continue
            return True
        if w in ctx.prompts and s == 0:
            return True
        if nxt in ctx.second and w.isalpha() and w not in ctx.inv_excl:
            return True
        after_comma = s > 0 and words[s - 1] == ","
        if w in ctx.qverbs and (nxt in ctx.second or (nxt in ctx.inv_subj and not after_comma)):
            if nxt == "n't" and nxt2 not in ctx.inv_subj:
                continue
            return True
    # a question word later in the utterance, followed by a finite verb and its subject ("knap zeg hoe heb
    # je dat gedaan", "on a scale of 0 to 10 how confident are you"): main-clause word order, so a question
    for i, w in enumerate(words):
        if w not in ctx.qwords or i == 0:
            continue
        for j in range(i + 1, min(i + 4, n - 1)):
            if words[j] in ctx.boundary:
                break
            if (
                words[j] in ctx.qverbs or (j == i + 1 and words[j].isalpha() and words[j] not in ctx.inv_subj)
            ) and (words[j + 1] in ctx.second or (words[j + 1] in ctx.inv_subj and words[j] in ctx.qverbs)):
                return True
    return False


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


@registry.misc("spiegel.orientation.v1")
def make_orientation_v1() -> Callable[[Analysis, list[str], str | None], str]:
    """Orientation v1: labels first (a solution-focused technique is solution talk, a problem-analysis
    question problem talk), then the balance of solution and problem cues after negation; neutral when
    nothing points either way."""

    label_weight = {"problem_question": -3.0, "scale_answer": 0.5, "exception_report": 2.0}

    def orientation(analysis: Analysis, labels: list[str], role: str | None) -> str:
        score = analysis.cue_score
        if role == "practitioner" and analysis.is_question and not labels:
            score *= 0.3  # an unlabelled practitioner question ("heb je er zin in?") is mostly logistics
        for label in labels:
            if label in label_weight:
                score += label_weight[label]
            elif label in SOLUTION_LABELS:
                score += 3.0
        if score > 0.25:
            return "solution"
        if score < -0.25:
            return "problem"
        return "neutral"

    return orientation


@registry.misc("spiegel.orientation.v2")
def make_orientation_v2() -> Callable[[Analysis, list[str], str | None], str]:
    """Orientation v2: as v1, but after a clause-level contrast ("het lukte vroeger wel, maar nu niet meer";
    "it was hard, but this week went better") the clause after the contrast decides, the one before it
    counts for a third."""
    v1 = make_orientation_v1()

    def orientation(analysis: Analysis, labels: list[str], role: str | None) -> str:
        if analysis.pivot_score:
            before = analysis.before_pivot_score or 0.0
            analysis = replace(analysis, cue_score=analysis.pivot_score * 1.5 + before / 3)
        return v1(analysis, labels, role)

    return orientation


@Language.factory(
    "spiegel_tagger",
    assigns=["doc.spans", "doc._.spiegel"],
    default_config={"orientation": {"@misc": "spiegel.orientation.v2"}, "spans_key": SPANS_KEY},
)
def make_spiegel_tagger(nlp: Language, name: str, orientation: Callable, spans_key: str) -> SpiegelTagger:
    return SpiegelTagger(nlp, name, orientation=orientation, spans_key=spans_key)


#: An indexed pattern: rule id, compiled elements, the word set of a required first element (or the pseudo-word
#: of a required first regex element, or None), the word sets of its other required elements (an utterance
#: must contain a word of each), a unique number, and the token tests of a pattern without operators (or None).
_Entry = tuple[
    str,
    tuple[Element, ...],
    frozenset[str] | str | None,
    tuple[frozenset[str], ...],
    int,
    tuple[Any, ...] | None,
]


class SpiegelTagger:
    """Rule matcher plus context analysis (negation scope, questions, cue balance, scale numbers)."""

    def __init__(self, nlp: Language, name: str, *, orientation: Callable, spans_key: str = SPANS_KEY):
        self.nlp = nlp
        self.name = name
        self.orientation = orientation
        self.spans_key = spans_key
        self.rules: dict[str, Rule] = {}
        #: rule id -> its place in the tie-break order (higher `priority` first, then definition order).
        self.rank: dict[str, int] = {}
        self.context = Context({})
        self._context_raw: dict[str, Any] = {}
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
        self._numbers: dict[str, bool] = {}

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
        if not word or word[0] in "'’" or (word.isalpha() and len(word) > 1 and word != "gonna"):
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
                entry = (rid, elements, first, required, n_entries, fixed)
                n_entries += 1
                words = anchor(elements, word_cost)
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

    def set_context(self, data: dict[str, Any]) -> None:
        """Set the cue lists (the content of `patterns/<lang>/context.json`)."""
        self._context_raw = dict(data)
        self.context = Context(self._context_raw)

    # --- processing ---------------------------------------------------------------------------------
    def _negated(self, words: list[str], start: int, end: int, own: frozenset[str] = frozenset()) -> bool:
        """Is the span [start, end) in the scope of a negation cue: a few words before or after it in the same
        clause, or inside it (a gap of the pattern: "het gaat echt niet goed")? `own` are words the rule
        itself spells out, which do not count."""
        ctx = self.context
        for i in range(start + 1, end - 1):
            if (
                words[i] in ctx.negation
                and words[i] not in own
                and (words[i], words[i + 1]) not in ctx.pseudo
            ):
                return True
        i = start - 1
        while i >= 0 and start - i <= ctx.pre and words[i] not in ctx.boundary:
            if words[i] in ctx.negation and (words[i], words[i + 1]) not in ctx.pseudo:
                return True
            i -= 1
        i = end
        n = len(words)
        while i < n and i - end < ctx.post and words[i] not in ctx.boundary:
            w = words[i]
            if (
                w in ctx.negation_post
                and (i + 1 >= n or (w, words[i + 1]) not in ctx.pseudo)
                and not (i > 0 and (words[i - 1], w) in ctx.pseudo)
            ):
                return True
            i += 1
        return False

    def _match(self, doc: Doc, words: list[str]) -> dict[str, tuple[int, int]]:
        """rule id -> (start, end) of its earliest, longest match, ordered by (start, longest end, rank): rules
        on the same span go by `priority`, then definition order, never by set or dict iteration order."""
        pos: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            at = pos.get(w)
            if at is None:
                pos[w] = [i]
            else:
                at.append(i)
        present = set(pos)
        if self.regex_anchors:
            pseudo = self._pseudo
            known = self._pseudo_known
            new = present - known
            if new:
                if len(known) > 200_000:
                    known.clear()
                    pseudo.clear()
                for w in new:
                    keys = tuple(t.key for t in self.regex_anchors if w in t)
                    if keys:
                        pseudo[w] = keys
                known |= new
            for w in [w for w in pos if w in pseudo]:
                at = pos[w]
                for key in pseudo[w]:
                    present.add(key)
                    pos[key] = sorted(pos[key] + at) if key in pos else at
        anchors = self.anchors
        best: dict[str, tuple[int, int]] = {}
        seen: set[int] = set()
        todo = [e for w in pos if (e := anchors.get(w)) is not None]
        if self.unanchored:
            todo.append(self.unanchored)
        for entries in todo:
            for rid, elements, first, required, index, fixed in entries:
                if index in seen:
                    continue
                seen.add(index)
                ok = True
                for req in required:
                    if req.isdisjoint(present):
                        ok = False
                        break
                if not ok:
                    continue
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
                found = match(elements, words, starts) if fixed is None else match_fixed(fixed, words, starts)
                if found is not None:
                    prev = best.get(rid)
                    if prev is None or found[0] < prev[0] or (found[0] == prev[0] and found[1] > prev[1]):
                        best[rid] = found
        for rid, matcher in self.fallback.items():
            for _, start, end in matcher(doc, allow_missing=True):
                prev = best.get(rid)
                if prev is None or start < prev[0] or (start == prev[0] and end > prev[1]):
                    best[rid] = (start, end)
        rank = self.rank
        return dict(sorted(best.items(), key=lambda kv: (kv[1][0], -kv[1][1], rank[kv[0]])))

    def __call__(self, doc: Doc) -> Doc:
        words = [t.lower_ for t in doc]
        ctx = self.context
        question = is_question(words, ctx)
        analysis = Analysis(is_question=question, n_words=sum(map(str.isalnum, words)))
        analysis.first_person = not ctx.first_person.isdisjoint(words)
        if not _BREAK_WORDS.isdisjoint(words):
            analysis.sentence_breaks = tuple(
                i
                for i, w in enumerate(words)
                if w in _SENTENCE_ENDS
                or (w in _BREAK_WORDS and i + 1 < len(words) and words[i + 1] in ctx.qwords)
            )
        numbers = find_numbers(words)
        best = self._match(doc, words)
        contrast_at = pivot = None
        if not ctx.contrast.isdisjoint(words):
            contrast_at = next((i for i, w in enumerate(words) if w in ctx.contrast and i > 0), None)
            # the last clause-level contrast ("maar", "but"): what follows it carries the speaker's point
            for i in range(len(words) - 1, 0, -1):
                if words[i] in ctx.pivots:
                    pivot = i
                    break
        pending: list[Hit] = []
        score = 0.0
        after_pivot = before_pivot = 0.0
        for rid, (start, end) in best.items():
            rule = self.rules[rid]
            if rule.question is not None and rule.question != question:
                continue
            if rule.max_words is not None and analysis.n_words > rule.max_words:
                continue
            if rule.unless and not rule.unless.isdisjoint(words):
                continue
            label = rule.label
            is_cue = label == "cue.solution" or label == "cue.problem"
            negated = None
            if is_cue or rule.negated is not None:
                negated = self._negated(words, start, end, self.literals[rid])
                if rule.negated is not None and rule.negated != negated:
                    continue
            last = doc[end - 1]
            hit = Hit(rule, start, end, doc[start].idx, last.idx + len(last), negated)
            if is_cue:
                sign = 1.0 if label == "cue.solution" else -1.0
                if negated:
                    sign = -sign * 0.8
                weight = rule.weight * (1.5 if contrast_at is not None and start > contrast_at else 1.0)
                score += sign * weight
                if pivot is not None:
                    if start >= pivot:
                        after_pivot += sign * rule.weight
                    else:
                        before_pivot += sign * weight
            elif label == "cue.scale_position":
                analysis.scale_position = True
            elif label == "cue.scale_context":
                analysis.scale_context = True
            pending.append(hit)
        analysis.cue_score = score
        if pivot is not None:
            analysis.pivot_score = after_pivot
            analysis.before_pivot_score = before_pivot
            if after_pivot < 0:
                # "het lukte vroeger wel, maar nu niet meer": a good time before the turn is not an exception
                pending = [h for h in pending if not (h.rule.label == "exception_report" and h.start < pivot)]
        for hit in pending:
            pol = hit.rule.polarity
            if (pol == "solution" and score <= 0) or (pol == "problem" and score >= 0):
                continue
            analysis.hits.append(hit)
        analysis.hits.sort(key=lambda h: (h.start, -h.end))
        for num in numbers:
            last = doc[num.end - 1]
            analysis.numbers.append((num, doc[num.start].idx, last.idx + len(last)))
        doc.spans[self.spans_key] = [
            Span(doc, h.start, h.end, label=h.rule.label, span_id=h.rule.id) for h in analysis.hits
        ]
        doc._.spiegel = analysis
        return doc

    # --- serialisation ------------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the rules as JSONL (the same form as the pattern files) and the cue lists as JSON."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "rules.jsonl", [r.raw for r in self.rules.values()])
        (path / "context.json").write_text(json.dumps(self._context_raw, ensure_ascii=False), "utf-8")
        (path / "lemmas.json").write_text(json.dumps(self.lemma_forms, ensure_ascii=False), "utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SpiegelTagger:
        path = ensure_path(path)
        self.set_context(json.loads((path / "context.json").read_text("utf-8")))
        if (path / "lemmas.json").exists():
            self.lemma_forms.update(json.loads((path / "lemmas.json").read_text("utf-8")))
        self.add_rules(parse_rule(obj) for obj in srsly.read_jsonl(path / "rules.jsonl"))
        return self
