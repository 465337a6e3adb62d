"""The spaCy side of the tagger: the `spiegel_tagger` pipeline component and the versioned orientation logic.

The component runs the rules of `tagger/patterns/<lang>/` through one spaCy `Matcher`, decides per match
whether it lies in the scope of a negation, whether the utterance is a question (with or without a question
mark), weighs the orientation cues, and reads scale numbers. It writes the rule matches to
`doc.spans["spiegel"]` (`span.label_` the label, `span.id_` the rule id) and an `Analysis` to
`doc._.spiegel`. Everything that needs the speaker or the conversation (scale answers linked to the
preceding question, speaker filters) happens in `tagger.api`, after the pipeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, registry

from tagger.numbers import SCALE_NUMBER_REGEX, NumberHit, find_numbers
from tagger.rules import Rule, parse_rule
from tagger.taxonomy import SOLUTION_LABELS

SPANS_KEY = "spiegel"
_SCALE_RE = re.compile(SCALE_NUMBER_REGEX)

if not Doc.has_extension("spiegel"):
    Doc.set_extension("spiegel", default=None)


@dataclass
class Hit:
    """One rule match that passed its conditions."""

    rule: Rule
    start: int
    end: int
    start_char: int
    end_char: int
    negated: bool


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
        self.fillers = s("fillers")
        self.qwords = s("question_words")
        self.qword_excl = frozenset(tuple(p.split()) for p in data.get("question_word_exclusions", []))
        self.second = s("second_person")
        self.inv_excl = s("inversion_exclusions")
        self.qverbs = s("question_verbs")
        self.inv_subj = s("inversion_subjects")
        self.prompts = s("prompt_starts")
        self.first_person = s("first_person")


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


def _anchor_words(pattern: tuple[dict[str, Any], ...], stop: set[str]) -> set[str] | None:
    """The words one required token of a pattern must be (its rarest such token), or None if it has none.

    Lower-case forms and lemmas both count (the utterance offers both); a `#scale` number token anchors on the
    pseudo-word "#scale".
    """
    options: list[set[str]] = []
    for tok in pattern:
        op = tok.get("OP")
        if op is not None and (op in ("?", "*") or op.startswith("{0")):
            continue
        keys = set(tok) - {"OP"}
        if len(keys) != 1:
            continue
        key = keys.pop()
        value = tok[key]
        if key not in ("LOWER", "LEMMA"):
            continue
        if isinstance(value, str):
            options.append({value})
        elif isinstance(value, dict) and set(value) == {"IN"}:
            options.append(set(value["IN"]))
        elif isinstance(value, dict) and set(value) == {"REGEX"} and value["REGEX"] == SCALE_NUMBER_REGEX:
            options.append({"#scale"})
    if not options:
        return None
    return min(options, key=lambda ws: (sum(w in stop for w in ws), len(ws)))


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


@Language.factory(
    "spiegel_tagger",
    assigns=["doc.spans", "doc._.spiegel"],
    default_config={"orientation": {"@misc": "spiegel.orientation.v1"}, "spans_key": SPANS_KEY},
)
def make_spiegel_tagger(nlp: Language, name: str, orientation: Callable, spans_key: str) -> SpiegelTagger:
    return SpiegelTagger(nlp, name, orientation=orientation, spans_key=spans_key)


class SpiegelTagger:
    """Rule matcher plus context analysis (negation scope, questions, cue balance, scale numbers)."""

    def __init__(self, nlp: Language, name: str, *, orientation: Callable, spans_key: str = SPANS_KEY):
        self.nlp = nlp
        self.name = name
        self.orientation = orientation
        self.spans_key = spans_key
        self.rules: dict[str, Rule] = {}
        self.context = Context({})
        self._context_raw: dict[str, Any] = {}
        self.matchers: dict[str, Matcher] = {}
        self.anchors: dict[str, list[str]] = {}
        self.unanchored: list[str] = []
        self.literals: dict[str, frozenset[str]] = {}

    # --- set-up -------------------------------------------------------------------------------------
    def add_rules(self, rules: Iterable[Rule]) -> None:
        """Add compiled rules (a rule id added again replaces the old rule).

        Each rule gets its own small `Matcher`, indexed by an anchor: the words one of its tokens must be
        (the rarest such token). An utterance only runs the matchers whose anchor words it contains, so the
        cost grows with the rules that could match, not with the size of the rule set.
        """
        for rule in rules:
            self.rules[rule.id] = rule
            matcher = Matcher(self.nlp.vocab)
            matcher.add(rule.id, [list(p) for p in rule.patterns])
            self.matchers[rule.id] = matcher
            self.literals[rule.id] = frozenset(_literal_words(rule))
        self._index()

    def _index(self) -> None:
        stop = self.nlp.Defaults.stop_words
        self.anchors = {}
        self.unanchored = []
        for rid, rule in self.rules.items():
            words: set[str] = set()
            for pattern in rule.patterns:
                anchor = _anchor_words(pattern, stop)
                if anchor is None:
                    words = set()
                    break
                words |= anchor
            if not words:
                self.unanchored.append(rid)
            for w in words:
                self.anchors.setdefault(w, []).append(rid)

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

    def __call__(self, doc: Doc) -> Doc:
        words = [t.lower_ for t in doc]
        ctx = self.context
        question = is_question(words, ctx)
        analysis = Analysis(is_question=question, n_words=sum(1 for w in words if w.isalnum()))
        analysis.first_person = any(w in ctx.first_person for w in words)
        numbers = find_numbers(words)
        present = set(words)
        present.update(t.lemma_ for t in doc)
        if any(_SCALE_RE.match(w) for w in words):
            present.add("#scale")
        anchors = self.anchors
        candidates = set(self.unanchored)
        for w in present:
            rids = anchors.get(w)
            if rids:
                candidates.update(rids)
        best: dict[str, tuple[int, int]] = {}
        for rid in candidates:
            for _, start, end in self.matchers[rid](doc):
                prev = best.get(rid)
                if prev is None or start < prev[0] or (start == prev[0] and end > prev[1]):
                    best[rid] = (start, end)
        contrast_at = next((i for i, w in enumerate(words) if w in ctx.contrast and i > 0), None)
        pending: list[Hit] = []
        score = 0.0
        for rid, (start, end) in best.items():
            rule = self.rules[rid]
            if rule.question is not None and rule.question != question:
                continue
            if rule.max_words is not None and analysis.n_words > rule.max_words:
                continue
            negated = self._negated(words, start, end, self.literals[rid])
            if rule.negated is not None and rule.negated != negated:
                continue
            span = doc[start:end]
            hit = Hit(rule, start, end, span.start_char, span.end_char, negated)
            label = rule.label
            if label == "cue.solution" or label == "cue.problem":
                sign = 1.0 if label == "cue.solution" else -1.0
                if negated:
                    sign = -sign * 0.8
                weight = rule.weight * (1.5 if contrast_at is not None and start > contrast_at else 1.0)
                score += sign * weight
            elif label == "cue.scale_position":
                analysis.scale_position = True
            elif label == "cue.scale_context":
                analysis.scale_context = True
            pending.append(hit)
        analysis.cue_score = score
        for hit in pending:
            pol = hit.rule.polarity
            if (pol == "solution" and score <= 0) or (pol == "problem" and score >= 0):
                continue
            analysis.hits.append(hit)
        analysis.hits.sort(key=lambda h: (h.start, -h.end))
        for num in numbers:
            span = doc[num.start : num.end]
            analysis.numbers.append((num, span.start_char, span.end_char))
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

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SpiegelTagger:
        path = ensure_path(path)
        self.set_context(json.loads((path / "context.json").read_text("utf-8")))
        self.add_rules(parse_rule(obj) for obj in srsly.read_jsonl(path / "rules.jsonl"))
        return self
