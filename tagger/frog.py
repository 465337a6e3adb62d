"""Optional Dutch linguistics from Frog (Radboud University) as a spaCy component: `spiegel_frog`.

Frog tags each token with a CGN part-of-speech tag that carries tense, number and verb form
(`WW(pv,verl,ev)` = finite past singular), a lemma and, where its parser runs, a dependency head and
relation. This component fills `token.tag_` (the CGN tag), `token.pos_` (Universal POS), `token.lemma_`,
`token.morph` (Tense, VerbForm, Mood, Number, Degree, Person, PronType, Definite, Polarity, ...) and, with
`parser=True`, `token.head` / `token.dep_` (Frog's Alpino-style relations: su, obj1, vc, mod, ...; parts of a
multi-word unit hang from its first word as `mwp`). Without the parser it marks the sentence starts it used
(so `doc.sents` works); with it, spaCy takes the sentences from the heads.

    nlp = spacy.blank("nl")
    nlp.add_pipe("spiegel_frog", config={"parser": False})

Frog is GPL-3: it runs as a separate program (`frog -n --skip=t... --JSONout`, reading one pre-tokenised
sentence per line on stdin and writing one JSON line per sentence on stdout) and is never linked. One Frog
process serves the whole run: it starts on the first doc, is shared by every component with the same settings,
and ends when the interpreter exits (or on `close_all()`). Frog is not tokenising: it gets spaCy's tokens,
split into sentences at `.`, `!`, `?` (or `doc.sents` where a sentence splitter ran). Its multi-word units
("ten_opzichte_van") are split back into their words; a token that still does not line up with Frog's
tokens keeps no annotation.

Without `frog` on the PATH (or for a language other than Dutch) adding the component logs one warning and it
does nothing: the tagger works without it.

By job: `tagger/frog_process.py` runs the program, `tagger/frog_words.py` maps its answers (CGN tags, multi-word
units, alignment to spaCy's tokens); this module is the spaCy component that joins them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence

import numpy
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from core.texts import user_text
from tagger.frog_process import FrogError, FrogProcess, close_all, frog_available, shared_process
from tagger.frog_words import _AUX_LEMMAS, _COPULA_LEMMAS, FrogWord, align, cgn_to_ud, expand, parse_cgn

__all__ = [
    "FrogAnnotator",
    "FrogError",
    "FrogProcess",
    "FrogWord",
    "align",
    "cgn_to_ud",
    "close_all",
    "expand",
    "frog_available",
    "parse_cgn",
    "shared_process",
]

log = logging.getLogger(__name__)

#: A token made of these ends a sentence (when the doc has no sentence boundaries of its own).
_SENT_END = re.compile(r"^[.!?…]+$")
#: Longer sentences are cut into pieces of this many tokens (the parser is quadratic in sentence length).
MAX_SENTENCE_TOKENS = 120
#: Warnings already given in this run (each once: a missing program is said once, not per document).
_WARNED: set[str] = set()

# ---------------------------------------------------------------------------------------------------------
# The spaCy component


def _sentences(doc: Doc) -> list[list[Token]]:
    """The doc's tokens, whitespace tokens left out, cut into sentences."""
    sents: list[list[Token]] = []
    spans: Iterable[Span | Doc] = doc.sents if doc.has_annotation("SENT_START") else [doc]
    for span in spans:
        cur: list[Token] = []
        for tok in span:
            if not tok.text.strip() or any(c.isspace() for c in tok.text):
                continue
            if cur and _SENT_END.match(cur[-1].text) and not _SENT_END.match(tok.text):
                sents.append(cur)
                cur = []
            if len(cur) >= MAX_SENTENCE_TOKENS:
                sents.append(cur)
                cur = []
            cur.append(tok)
        if cur:
            sents.append(cur)
    return sents


class FrogAnnotator:
    """Fills tag_, pos_, lemma_, morph (and head/dep_ with `parser=True`) from Frog; see the module doc."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        binary: str = "frog",
        parser: bool = False,
        threads: int = 1,
        timeout_s: float = 60.0,
        batch_size: int = 256,
    ) -> None:
        self.name = name
        self.parser = parser
        self.batch_size = batch_size
        self.process: FrogProcess | None = None
        self.failures = 0
        if nlp.lang != "nl":
            self._warn("log.frog.not_dutch", lang=nlp.lang)
        elif not frog_available(binary):
            self._warn("log.frog.missing", binary=binary)
        else:
            self.process = shared_process(binary, parser=parser, threads=threads, timeout_s=timeout_s)

    @staticmethod
    def _warn(key: str, **fields: object) -> None:
        message = user_text(key, **fields)
        if message not in _WARNED:
            _WARNED.add(message)
            log.warning(message)

    @property
    def available(self) -> bool:
        return self.process is not None

    def start(self) -> float:
        """Start Frog now (otherwise the first doc does); the seconds its start-up took."""
        if self.process is None:
            return 0.0
        self.process.start()
        return self.process.startup_s or 0.0

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        size = max(1, batch_size or self.batch_size)
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= size:
                self._annotate(batch)
                yield from batch
                batch = []
        if batch:
            self._annotate(batch)
            yield from batch

    def _annotate(self, docs: Sequence[Doc]) -> None:
        if self.process is None:
            return
        per_doc = [_sentences(doc) for doc in docs]
        flat = [s for sents in per_doc for s in sents]
        try:
            answers = self.process.analyse([[t.text for t in s] for s in flat])
        except FrogError as e:
            self.failures += 1
            log.warning(user_text("log.frog.batch_failed", docs=len(docs), reason=str(e)))
            if self.failures >= 3:
                self._warn("log.frog.off")
                self.process = None
            return
        k = 0
        for doc, sents in zip(docs, per_doc, strict=True):
            heads = list(range(len(doc)))
            deps = [""] * len(doc)
            parsed = False
            for sent in sents:
                words = answers[k]
                k += 1
                if self._fill(sent, words, heads, deps):
                    parsed = True
            if parsed:
                self._set_heads(doc, heads, deps)
            elif not self.parser and sents and not doc.has_annotation("SENT_START"):
                starts = {sent[0].i for sent in sents}
                for tok in doc:
                    tok.is_sent_start = tok.i == 0 or tok.i in starts

    def _fill(self, sent: list[Token], words: list[FrogWord], heads: list[int], deps: list[str]) -> bool:
        idx = align([t.text for t in sent], words)
        token_of = {j: sent[i].i for i, j in enumerate(idx) if j is not None}
        parsed = False
        for tok, j in zip(sent, idx, strict=True):
            if j is None:
                continue
            w = words[j]
            pos, morph = cgn_to_ud(w.tag, w.lemma)
            tok.tag_ = w.tag
            tok.lemma_ = w.lemma
            if pos == "VERB" and (
                w.lemma in _COPULA_LEMMAS
                or (w.lemma in _AUX_LEMMAS and _governs_verb(j, words, parsed=self.parser))
            ):
                pos = "AUX"
            tok.pos_ = pos
            tok.set_morph(morph)
            if self.parser and w.head is not None:
                if w.head == -1:
                    deps[tok.i] = "ROOT"
                    parsed = True
                elif w.head in token_of:
                    heads[tok.i] = token_of[w.head]
                    deps[tok.i] = w.dep
                    parsed = True
        return parsed

    @staticmethod
    def _set_heads(doc: Doc, heads: list[int], deps: list[str]) -> None:
        for i in range(len(heads)):  # a head chain that loops (only after a mismatch) is cut where it closes
            path: set[int] = set()
            j = i
            while heads[j] != j:
                path.add(j)
                if heads[j] in path:
                    heads[j], deps[j] = j, ""
                    break
                j = heads[j]
        arr = numpy.empty((len(doc), 2), dtype="uint64")
        rel = numpy.array(heads, dtype="int64") - numpy.arange(len(doc), dtype="int64")
        arr[:, 0] = rel.astype("uint64")  # relative heads, negative ones wrapped as spaCy stores them
        arr[:, 1] = numpy.array([doc.vocab.strings.add(d) if d else 0 for d in deps], dtype="uint64")
        doc.from_array([HEAD, DEP], arr)


def _governs_verb(j: int, words: Sequence[FrogWord], *, parsed: bool) -> bool:
    """Whether Frog word j (an auxiliary or modal) has a verbal complement: a `vc` dependent where the parser
    ran, otherwise any infinitive or participle in the same sentence."""
    if parsed:
        return any(w.head == j and w.dep == "vc" for w in words)
    return any(w.tag.startswith(("WW(inf", "WW(vd")) for k, w in enumerate(words) if k != j)


@Language.factory(
    "spiegel_frog",
    assigns=[
        "token.tag",
        "token.pos",
        "token.lemma",
        "token.morph",
        "token.dep",
        "token.head",
        "token.is_sent_start",
    ],
    default_config={"binary": "frog", "parser": False, "threads": 1, "timeout_s": 60.0, "batch_size": 256},
)
def make_spiegel_frog(
    nlp: Language, name: str, binary: str, parser: bool, threads: int, timeout_s: float, batch_size: int
) -> FrogAnnotator:
    return FrogAnnotator(
        nlp, name, binary=binary, parser=parser, threads=threads, timeout_s=timeout_s, batch_size=batch_size
    )
