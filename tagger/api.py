"""The tagger as the rest of the project calls it: `load_tagger(lang)` and `Tagger.tag_conversation`.

The spaCy pipeline (`build_pipeline`) analyses each utterance on its own; this module adds what needs the
speaker and the conversation (`tagger.conversation`): practitioner techniques are not tagged on client turns (and client reports
not on practitioner turns), a bare number is a scale answer only shortly after a scale question (and takes
that question's subtype), a scale follow-up inherits the subtype of the scale it follows, and the
miracle-question follow-ups count as such only after a miracle question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import UserError
from core.formatting import count
from core.records import Orientation, Tag, TagResult
from core.texts import user_lang
from tagger.conversation import ConversationState, choose, load_links, pick_number, scale_subtype

if TYPE_CHECKING:
    from spacy.language import Language

    from tagger.analysis import Analysis
    from tagger.orientation import OrientationInput

ROLES = ("practitioner", "client", "other")
#: One utterance longer than this is refused in a sentence (spaCy itself stops at 1,000,000 with error E088);
#: an hour of one person talking without a pause is about 60,000 characters.
MAX_TEXT_CHARS = 100_000


def check_length(texts: Sequence[str]) -> None:
    """Refuse an over-long utterance before spaCy does, in one sentence."""
    for number, text in enumerate(texts, start=1):
        if text and len(text) > MAX_TEXT_CHARS:
            lang = user_lang()
            raise UserError(
                "error.tag.too_long",
                number=number,
                chars=count(len(text), lang),
                limit=count(MAX_TEXT_CHARS, lang),
            )


#: Accents of emphasis ("wát gaat er niet goed?", "wanneer werkte het wél?", "úw gewenste situatie"): Dutch
#: writes stress with an acute accent on an ordinary word, so the rules would not know the word. One letter for
#: one letter, so every character offset stays the same. The numeral "één" (one) is the article "een" but for
#: its accents: it keeps them (a scale score), which is why the regex tries it first.
_EMPHASIS = str.maketrans("áéíóúàèìòù", "aeiouaeiou")
_EMPHASIS_RE = re.compile(r"\b(?:één|eén|éen)\b|[áéíóúàèìòù]")


def _plain(match: re.Match[str]) -> str:
    found = match[0]
    return found if len(found) > 1 else found.translate(_EMPHASIS)


def _normalise(text: str) -> str:
    """Lower-case, straighten apostrophes and drop accents of emphasis, keeping every character offset."""
    t = text.replace("’", "'").replace("‘", "'")
    low = t.lower()
    return _EMPHASIS_RE.sub(_plain, low) if len(low) == len(t) else t


def build_pipeline(lang: str, extra_patterns: Sequence[Path] = ()) -> Language:
    """A blank spaCy pipeline with the `spiegel_tagger` component, rules loaded.

    No lemmatizer runs: `LEMMA` tokens of the rules are compiled into the word forms the lookup table maps to
    them (see `tagger.fastmatch`)."""
    import spacy

    import tagger.component  # noqa: F401  (registers the factory and spiegel.orientation.v1)
    from tagger.rules import load_rules, read_context

    rules = load_rules(lang, extra_patterns)
    nlp = spacy.blank(lang)
    _keep_sentence_final_words(nlp, read_context(lang).get("sentence_final_words", []))
    comp = nlp.add_pipe("spiegel_tagger")
    nlp.initialize()
    comp.set_context(read_context(lang))
    comp.add_rules(rules)
    return nlp


def _keep_sentence_final_words(nlp: Language, words: Sequence[str]) -> None:
    """Drop the tokenizer's abbreviation special cases for ordinary words ("vol.", "dat.", "kon.", "me." are
    Dutch abbreviations to spaCy): at the end of a spoken sentence they are the word and a full stop, and a
    rule looking for "vol" must see it ("ik hield het drie maanden vol.")."""
    wanted = {w.lower() for w in words}
    nlp.tokenizer.rules = {
        k: v for k, v in nlp.tokenizer.rules.items() if not (k.endswith(".") and k[:-1].lower() in wanted)
    }


class Tagger:
    """Tags utterances of one language; load it with `load_tagger` (cached)."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.lang = nlp.lang
        self.component = nlp.get_pipe("spiegel_tagger")
        self.links = load_links()
        self._evidence_only = False
        self._evidence: list[OrientationInput] = []

    def tag_one(self, text: str, role: str | None = None) -> TagResult:
        """Tag one utterance without conversation context."""
        return self.tag_conversation([(text, role)])[0]

    def analyse(self, texts: Sequence[str]) -> list[Analysis]:
        """The per-utterance analyses of the spaCy pipeline (no speaker, no context)."""
        check_length(texts)
        return [doc._.spiegel for doc in self.nlp.pipe(_normalise(t or "") for t in texts)]

    def tag_conversation(self, items: Sequence[tuple[str, str | None]]) -> list[TagResult]:
        """Tag (text, role) pairs in conversation order; role 'practitioner', 'client', 'other' or None."""
        return self.tag_analysed(self.analyse([text for text, _ in items]), [role for _, role in items])

    def tag_analysed(self, analyses: Sequence[Analysis], roles: Sequence[str | None]) -> list[TagResult]:
        """Tag analysed utterances (`analyse`) in conversation order with these roles.

        An analysis depends on the text alone, so a caller that tags the same utterances under two role
        assignments (`pipeline.stages.tag`: before and after the roles are decided) runs spaCy once."""
        state = ConversationState()
        results = []
        for role, analysis in zip(roles, analyses, strict=True):
            results.append(self._tag(analysis, role if role in ROLES else None, state))
            state.index += 1
        return results

    def _tag(self, analysis: Analysis, role: str | None, state: ConversationState) -> TagResult:
        from tagger.orientation import OrientationInput

        chosen = choose(analysis, role, state, self.links)
        tags: list[Tag] = []
        scale_value = None
        for (label, _), hit in sorted(chosen.items(), key=lambda kv: (kv[1].start_char, kv[0][0])):
            subtype = hit.rule.subtype
            value = None
            start_char, end_char = hit.start_char, hit.end_char
            if label == "scale_question":
                subtype = scale_subtype(analysis, hit, state, self.links)
            elif label == "scale_answer":
                number = pick_number(analysis, hit)
                if number is None:
                    continue
                value, start_char, end_char = number
                recent = state.recent("scale_question", self.links.scale_followup)
                subtype = recent[1] if recent else None
                scale_value = value
            tags.append(Tag(label, subtype, value, start_char, end_char, hit.rule.id))
        labels_out = list(dict.fromkeys(t.label for t in tags))
        evidence = OrientationInput(
            analysis, labels_out, role, state.prev_orientation, scale_value, state.prev_scale_value
        )
        if self._evidence_only:
            self._evidence.append(evidence)
        decided = self.component.orientation(evidence)
        for tag in tags:
            state.seen(tag.label, tag.subtype)
        state.prev_orientation = decided.orientation
        if scale_value is not None:
            state.prev_scale_value = scale_value
        return TagResult(
            orientation=Orientation(decided.orientation),
            tags=tuple(tags),
            is_question=analysis.is_question,
            scale_value=scale_value,
            orientation_cues=tuple(name for name, _ in decided.cues[:3]),
        )

    def evidence(
        self, items: Sequence[tuple[str, str | None]], prev_orientations: Sequence[str | None]
    ) -> list[dict[str, float]]:
        """The named orientation features of each utterance, with the given previous orientations (the gold
        ones, when fitting the orientation model: `tools/fit_orientation.py`)."""
        from tagger.orientation_model import features

        self._evidence_only, self._evidence = True, []
        try:
            self.tag_conversation(items)
            found = self._evidence
        finally:
            self._evidence_only, self._evidence = False, []
        return [
            features(replace(ev, prev_orientation=prev))
            for ev, prev in zip(found, prev_orientations, strict=True)
        ]


@functools.lru_cache(maxsize=8)
def _load(lang: str, extra: tuple[str, ...]) -> Tagger:
    return Tagger(build_pipeline(lang, [Path(p) for p in extra]))


def load_tagger(lang: str, extra_patterns: Sequence[Path] = ()) -> Tagger:
    """The tagger for `lang` ("nl" or "en") with optional organisation rule files; cached per arguments.

    spaCy is loaded without torch (`core.lazy`): a blank pipeline with a rule component never uses it, and
    its import alone would be most of the start-up of `spiegel tag` and `spiegel eval`."""
    from core.errors import UserError
    from core.lazy import import_without

    if lang not in ("nl", "en"):
        raise UserError("error.tag.lang", lang=lang)
    import_without("spacy", blocked=("torch",))
    return _load(lang, tuple(str(Path(p).resolve()) for p in extra_patterns))
