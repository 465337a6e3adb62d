"""The spaCy side of the tagger: the `spiegel_tagger` pipeline component.

The component puts the tagger's parts together for one utterance: `tagger.matching` finds the rule matches,
`tagger.context` decides per match whether it lies in the scope of a negation and whether the utterance is a
question (with or without a question mark) and where its clauses split, `tagger.orientation` weighs the cues
(the clause after a "maar"/"but" separately), and `tagger.numbers` reads scale numbers. It writes the rule
matches to `doc.spans["spiegel"]` (`span.label_` the label, `span.id_` the rule id) and an `Analysis` to
`doc._.spiegel`. Everything that needs the speaker or the conversation (scale answers linked to the
preceding question, speaker filters) happens in `tagger.conversation` and `tagger.api`, after the pipeline.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from tagger.analysis import Analysis, Hit
from tagger.context import (
    SENTENCE_ENDS,
    Context,
    clause_split,
    is_question,
    negated,
    negation_scope,
    sentence_breaks,
)
from tagger.lexical import WordTable
from tagger.matching import RuleMatcher
from tagger.numbers import find_numbers
from tagger.orientation import OrientationFn, cue_balance  # (also registers spiegel.orientation.v1/v2)
from tagger.orientation_model import make_orientation_v3  # noqa: F401  (registers spiegel.orientation.v3)
from tagger.polarity import (
    MarkLists,
    TopicLists,
    lemma_table,
    lexicon,
    load_marks,
    load_topics,
)
from tagger.rules import Rule, parse_rule

SPANS_KEY = "spiegel"

if not Doc.has_extension("spiegel"):
    Doc.set_extension("spiegel", default=None)


@Language.factory(
    "spiegel_tagger",
    assigns=["doc.spans", "doc._.spiegel"],
    default_config={"orientation": {"@misc": "spiegel.orientation.v3"}, "spans_key": SPANS_KEY},
)
def make_spiegel_tagger(
    nlp: Language, name: str, orientation: OrientationFn, spans_key: str
) -> SpiegelTagger:
    return SpiegelTagger(nlp, name, orientation=orientation, spans_key=spans_key)


class SpiegelTagger:
    """Rule matcher plus context analysis (negation scope, questions, cue balance, scale numbers)."""

    def __init__(self, nlp: Language, name: str, *, orientation: OrientationFn, spans_key: str = SPANS_KEY):
        self.nlp = nlp
        self.name = name
        self.orientation = orientation
        self.spans_key = spans_key
        self.matcher = RuleMatcher(nlp)
        self._context_raw: dict[str, Any] = {}
        self.lexicon = lexicon(nlp.lang)
        self.topics: TopicLists = load_topics(nlp.lang)
        self.mark_lists: MarkLists = load_marks(nlp.lang)
        self.lemmas = lemma_table(nlp.lang)
        #: rule id -> (label hash, rule id hash) in the vocabulary's string store.
        self._span_names: dict[str, tuple[int, int]] = {}
        self.word_table = WordTable(self.lexicon, self.topics, self.lemmas, self.mark_lists)

    @property
    def rules(self) -> dict[str, Rule]:
        return self.matcher.rules

    @property
    def context(self) -> Context:
        return self.matcher.context

    # --- set-up -------------------------------------------------------------------------------------
    def add_rules(self, rules: Iterable[Rule]) -> None:
        """Add compiled rules (a rule id added again replaces the old rule); see `RuleMatcher.add_rules`."""
        self.matcher.add_rules(rules)
        self._span_names.clear()

    def set_context(self, data: dict[str, Any]) -> None:
        """Set the cue lists (the content of `patterns/<lang>/context.json`), before adding rules."""
        self._context_raw = dict(data)
        self.matcher.context = Context(self._context_raw)

    # --- processing ---------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        # one pass over the tokens: their lower-case forms and character offsets (a `doc[i]` costs a Token)
        words: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for t in doc:
            words.append(t.lower_)
            i = t.idx
            starts.append(i)
            ends.append(i + len(t))
        ctx = self.matcher.context
        rules = self.matcher.rules
        literals = self.matcher.literals
        question = is_question(words, ctx)
        analysis = Analysis(is_question=question, n_words=sum(map(str.isalnum, words)), lang=self.nlp.lang)
        analysis.first_person = not ctx.first_person.isdisjoint(words)
        analysis.sentence_breaks = sentence_breaks(words, ctx)
        numbers = find_numbers(words)
        contrast_at, pivot = clause_split(words, ctx)
        analysis.contrast_at, analysis.pivot = contrast_at, pivot
        pending: list[Hit] = []
        asks = _SentenceQuestions(words, ctx, question)
        for rid, (start, end) in self.matcher.match(doc, words).items():
            rule = rules[rid]
            if rule.question is not None and rule.question != asks.at(start, rule.question):
                continue
            if rule.max_words is not None and analysis.n_words > rule.max_words:
                continue
            if rule.unless and not rule.unless.isdisjoint(words):
                continue
            label = rule.label
            neg = None
            if label == "cue.solution" or label == "cue.problem" or rule.negated is not None:
                neg = negated(words, start, end, ctx, literals[rid])
                if rule.negated is not None and rule.negated != neg:
                    continue
            if label == "cue.scale_position":
                analysis.scale_position = True
            elif label == "cue.scale_context":
                analysis.scale_context = True
            pending.append(Hit(rule, start, end, starts[start], ends[end - 1], neg))
        score, after_pivot, before_pivot = cue_balance(pending, contrast_at, pivot)
        analysis.cue_score = score
        analysis.pivot_score, analysis.before_pivot_score = after_pivot, before_pivot
        if after_pivot is not None and after_pivot < 0:
            # "het lukte vroeger wel, maar nu niet meer": a good time before the turn is not an exception
            pending = [h for h in pending if not (h.rule.label == "exception_report" and h.start < pivot)]
        for hit in pending:
            pol = hit.rule.polarity
            if (pol == "solution" and score <= 0) or (pol == "problem" and score >= 0):
                continue
            analysis.hits.append(hit)
        # no negation cue, no scope to work out
        cues = not (ctx.negation.isdisjoint(words) and ctx.negation_post.isdisjoint(words))
        flags = negation_scope(words, ctx) if cues else None
        analysis.polarity, analysis.terms, analysis.marks = self.word_table.evidence(words, flags)
        for num in numbers:
            analysis.numbers.append((num, starts[num.start], ends[num.end - 1]))
        names = self._span_names
        spans = []
        for h in analysis.hits:
            ids = names.get(h.rule.id)
            if ids is None:  # the label and id as string-store hashes, so a span costs no string lookups
                strings = doc.vocab.strings
                ids = names[h.rule.id] = (strings.add(h.rule.label), strings.add(h.rule.id))
            spans.append(Span(doc, h.start, h.end, label=ids[0], span_id=ids[1]))
        doc.spans[self.spans_key] = spans
        doc._.spiegel = analysis
        return doc

    # --- serialisation ------------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the rules as JSONL (the same form as the pattern files) and the cue lists as JSON."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "rules.jsonl", [r.raw for r in self.rules.values()])
        (path / "context.json").write_text(json.dumps(self._context_raw, ensure_ascii=False), "utf-8")
        (path / "lemmas.json").write_text(json.dumps(self.matcher.lemma_forms, ensure_ascii=False), "utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SpiegelTagger:
        path = ensure_path(path)
        self.set_context(json.loads((path / "context.json").read_text("utf-8")))
        if (path / "lemmas.json").exists():
            self.matcher.lemma_forms.update(json.loads((path / "lemmas.json").read_text("utf-8")))
        self.add_rules(parse_rule(obj) for obj in srsly.read_jsonl(path / "rules.jsonl"))
        return self


class _SentenceQuestions:
    """Is the sentence a match starts in a question? A rule's `question` condition is about its own sentence:
    in "Je hebt overgewicht en dat speelt mee. Vind je het goed als we daarop doorgaan?" the trouble word is
    not asked about, and in "Wat knap! Hoe heb je dat gedaan?" the praise is not a question. One sentence (ASR
    text often has no full stops) is the whole utterance, as before."""

    def __init__(self, words: list[str], ctx: Context, whole: bool) -> None:
        self.ends = [i for i, w in enumerate(words) if w in SENTENCE_ENDS and i + 1 < len(words)]
        self.words, self.ctx, self.whole = words, ctx, whole
        self.cache: dict[int, bool] = {}

    def at(self, start: int, wanted: bool) -> bool:
        """For a rule that wants a question, the sentence beside it counts too ("Hoe belangrijk is het? Op een
        schaal van 0 tot 10 …" explains the question it follows); a statement rule wants its own sentence."""
        if not self.ends:
            return self.whole
        k = bisect.bisect_left(self.ends, start)  # the sentence ends after the k-th break
        if not wanted:
            return self._asks(k)
        return any(self._asks(j) for j in (k - 1, k, k + 1) if 0 <= j <= len(self.ends))

    def _asks(self, k: int) -> bool:
        if k not in self.cache:
            lo = self.ends[k - 1] + 1 if k > 0 else 0
            hi = self.ends[k] + 1 if k < len(self.ends) else len(self.words)
            self.cache[k] = is_question(self.words[lo:hi], self.ctx)
        return self.cache[k]
