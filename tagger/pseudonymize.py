"""Pseudonymised sharing: names, places, dates, phone numbers, e-mail, BSN … become stable placeholders.

`Pseudonymizer` keeps one table per export or report, so the same person is `[PERSOON-1]` everywhere in it: in
utterance text, in speaker labels and in the practitioner column. Dutch text goes through `deduce` (Dutch
clinical de-identification, UMC Utrecht, lookup lists bundled, offline); English text through the rule set
below, which reuses deduce's first-name list. Recall and precision on our own annotated session sentences are
measured in `tests/trust/test_pseudonymize.py` (figures in the CHANGELOG).

Placeholders use deduce's Dutch category names: PERSOON, LOCATIE, INSTELLING, DATUM, LEEFTIJD, TELEFOONNUMMER,
EMAILADRES, URL, BSN, NUMMER.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources

from core.records import Session

#: deduce's tags → our placeholder categories.
DEDUCE_TAGS = {
    "persoon": "PERSOON",
    "patient": "PERSOON",
    "locatie": "LOCATIE",
    "instelling": "INSTELLING",
    "ziekenhuis": "INSTELLING",
    "datum": "DATUM",
    "leeftijd": "LEEFTIJD",
    "telefoonnummer": "TELEFOONNUMMER",
    "emailadres": "EMAILADRES",
    "url": "URL",
    "bsn": "BSN",
    "patientnummer": "NUMMER",
    "id": "NUMMER",
}


@dataclass(frozen=True, order=True)
class Span:
    """One piece of identifying text: characters [start, end) of a category."""

    start: int
    end: int
    category: str


@functools.lru_cache(maxsize=1)
def _deduce():  # -> deduce.Deduce
    """Loaded once (about 15 s; the very first run after installing builds deduce's lookup tables, ~2 min)."""
    from deduce import Deduce

    return Deduce()


_MAANDEN = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
#: What deduce 3.0.6 leaves in spoken Dutch (seen on tests/trust/data/pii_nl.jsonl): a day and month without a
#: year, an age as "15 jaar" or "is 11 en", an international phone number, a school by its type, a city part.
_DUTCH_EXTRA: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("DATUM", re.compile(rf"\b\d{{1,2}} (?:{_MAANDEN})\b(?: \d{{4}})?", re.IGNORECASE)),
    (
        "LEEFTIJD",
        re.compile(
            r"\b\d{1,3} jaar\b(?! geleden| lang)|(?:(?<=\bis )|(?<=\bben )|(?<=\bwas ))\d{1,2}(?= en\b|[,.])"
        ),
    ),
    ("TELEFOONNUMMER", re.compile(r"\+\d{2}[ -]?\d(?:[ -]?\d){7,9}\b")),
    (
        "INSTELLING",
        re.compile(r"\b(?:[A-Z][\w'-]+ ){1,3}(?:College|Gymnasium|Lyceum|Academie|Ziekenhuis|Kliniek)\b"),
    ),
    ("LOCATIE", re.compile(r"\b[A-Z][a-z]+-(?:Noord|Zuid|Oost|West|Centrum)\b")),
)


def dutch_spans(text: str) -> list[Span]:
    doc = _deduce().deidentify(text)
    spans = [
        Span(a.start_char, a.end_char, DEDUCE_TAGS.get(a.tag.split("+")[0], a.tag.upper()))
        for a in doc.annotations
    ]
    for category, pattern in _DUTCH_EXTRA:
        spans += [Span(m.start(), m.end(), category) for m in pattern.finditer(text)]
    return _merge(spans)


# ------------------------------------------------------------------------------------------------- English

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_ENGLISH_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAILADRES", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("URL", re.compile(r"\b(?:https?://|www\.)\S+\b")),
    ("BSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b\d{9}\b")),
    ("NUMMER", re.compile(r"\b\d{3} \d{3} \d{4}\b")),
    ("TELEFOONNUMMER", re.compile(r"(?<![\w-])(?:\+\d{1,3}[ -]?)?\(?\d{2,5}\)?[ -]?\d{3,4}[ -]?\d{3,4}\b")),
    (
        "DATUM",
        re.compile(
            rf"\b(?:{_DAY} (?:of )?(?:{_MONTHS})(?:,? \d{{4}})?|(?:{_MONTHS}) {_DAY}(?:,? \d{{4}})?|"
            rf"(?:{_MONTHS}) \d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}})\b"
        ),
    ),
    (
        "LEEFTIJD",
        re.compile(
            r"\b\d{1,3}(?= years? old\b|-year-old\b)|(?<=\baged )\d{1,3}\b|(?<=\bis )\d{1,2}(?= and\b|[,.])"
        ),
    ),
    (
        "INSTELLING",
        re.compile(
            r"\b(?:St\.? )?(?:[A-Z][\w'-]+ ){1,3}(?:School|College|University|Hospital|Clinic|Centre|Center|"
            r"Academy|Surgery|Trust)\b"
        ),
    ),
    (
        "LOCATIE",
        re.compile(r"\b\d{1,4} (?:[A-Z][\w'-]+ ){1,2}(?:Street|Road|Avenue|Lane|Drive|Close|Way|St|Rd)\b"),
    ),
)
_TITLE_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Doctor|Uncle|Aunt|Auntie|Nan|Grandma|Grandpa)\.? ([A-Z][\w'-]+)"
)
_CALLED = re.compile(r"\b(?:[Mm]y name is|[Cc]alled|[Nn]amed|[Cc]all me|I'm|I am) ([A-Z][\w'-]+)")
_PLACE_AFTER = re.compile(
    r"\b(?:in|from|to|near|around|outside|moved to|live in|lives in|grew up in) ((?:[A-Z][\w'-]+)(?: [A-Z][\w'-]+)?)"
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z'][\w'-]*")
#: Capitalised words that are far more often not a name in English speech.
_NOT_NAMES = frozenset(
    """i i'm i've i'd i'll ok okay yes no so and but or the a an what when where why how who which well
    may will mark grace hope bill joy faith rose april june august summer dawn sunny art frank rich
    christmas easter monday tuesday wednesday thursday friday saturday sunday mum mom dad god english dutch
    this that there then they we you he she it my your our their his her maybe really sure right thanks
    thank please sorry just like good great nice yeah um uh oh hi hello mister miss doctor
    on in at to for of is as be do go if me us am by up""".split()  # noqa: SIM905 (a word list)
)


@functools.lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """deduce's first-name list (Dutch registry, many international names), lower-cased."""
    root = resources.files("deduce").joinpath("data/lookup/src/names/lst_first_name/items.txt")
    names = {
        line.strip().casefold() for line in root.read_text(encoding="utf-8").splitlines() if line.strip()
    }
    return frozenset(names - _NOT_NAMES)


def english_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for category, pattern in _ENGLISH_PATTERNS:
        spans += [Span(m.start(), m.end(), category) for m in pattern.finditer(text)]
    for pattern in (_TITLE_NAME, _CALLED):
        spans += [Span(m.start(1), m.end(1), "PERSOON") for m in pattern.finditer(text)]
    names = _first_names()
    for match in _CAPITALISED.finditer(text):
        if match.group().casefold() in names:
            end = match.end()
            surname = re.match(r" ([A-Z][\w'-]+)", text[end:])
            if surname and surname.group(1).casefold() not in _NOT_NAMES:
                end += surname.end()
            spans.append(Span(match.start(), end, "PERSOON"))
    for match in _PLACE_AFTER.finditer(text):
        words = match.group(1)
        first = words.split()[0].casefold()
        if first not in _NOT_NAMES and first not in names and not re.match(_MONTHS, words):
            spans.append(Span(match.start(1), match.end(1), "LOCATIE"))
    return _merge(spans)


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping spans become one, keeping the category of the longest."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                longer = span if span.end - span.start > last.end - last.start else last
                merged[-1] = Span(last.start, span.end, longer.category)
            continue
        merged.append(span)
    return merged


def find_spans(text: str, language: str) -> list[Span]:
    """The identifying spans of `text` ("nl" through deduce, anything else through the English rules)."""
    if not text or not text.strip():
        return []
    return dutch_spans(text) if language == "nl" else english_spans(text)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _word_key(word: str) -> str:
    return word.strip(".,;:!?'\"()[]").casefold()


@dataclass(frozen=True)
class Replaced:
    """A text after replacement: `edits` are (old start, old end, new start, new end) of each placeholder."""

    text: str
    edits: tuple[tuple[int, int, int, int], ...]
    tokens: dict[str, str]

    def offset(self, old: int) -> int:
        """Where character `old` of the original text is now (inside a replaced span: its placeholder)."""
        shift = 0
        for old_start, old_end, new_start, new_end in self.edits:
            if old < old_start:
                break
            if old < old_end:
                return new_start if old == old_start else new_end
            shift = new_end - old_end
        return old + shift

    def word(self, text: str) -> str:
        """A word row of this utterance: its placeholder when it was part of a replaced span."""
        return self.tokens.get(_word_key(text), text)


@dataclass
class Pseudonymizer:
    """One table of placeholders for one export or report: the same value always gets the same placeholder."""

    table: dict[tuple[str, str], str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def placeholder(self, value: str, category: str) -> str:
        key = (category, _key(value))
        if key not in self.table:
            self.counts[category] = self.counts.get(category, 0) + 1
            self.table[key] = f"[{category}-{self.counts[category]}]"
        return self.table[key]

    def name(self, value: str | None, category: str = "PERSOON") -> str | None:
        """A name given as a field (speaker label, practitioner, client code)."""
        return None if value is None or not str(value).strip() else self.placeholder(str(value), category)

    def text(self, text: str | None, language: str) -> str | None:
        """`text` with every identifying span replaced; a known name (a speaker label) is replaced too."""
        return None if text is None else self.replace(text, language).text

    def replace(self, text: str, language: str) -> Replaced:
        """The replaced text with where each replacement went (to move tag offsets and word rows along)."""
        spans = _merge([*find_spans(text, language), *self._known_names(text)])
        out: list[str] = []
        edits: list[tuple[int, int, int, int]] = []
        tokens: dict[str, str] = {}
        cursor = length = 0
        for span in spans:
            out.append(text[cursor : span.start])
            length += span.start - cursor
            original = text[span.start : span.end]
            placeholder = self.placeholder(original, span.category)
            edits.append((span.start, span.end, length, length + len(placeholder)))
            tokens.update({_word_key(word): placeholder for word in original.split() if _word_key(word)})
            out.append(placeholder)
            length += len(placeholder)
            cursor = span.end
        out.append(text[cursor:])
        return Replaced("".join(out), tuple(edits), tokens)

    def _known_names(self, text: str) -> list[Span]:
        """Names already in the table (a speaker called "Sanne") wherever they occur as a whole word."""
        spans = []
        for (category, key), _ in self.table.items():
            if category != "PERSOON" or len(key) < 2:
                continue
            for match in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", text, flags=re.IGNORECASE):
                spans.append(Span(match.start(), match.end(), category))
        return spans


_MACHINE_SPEAKER = re.compile(r"^SPEAKER_\d+$|^CH\d+$")


def pseudonymize_session(session: Session, p: Pseudonymizer) -> Session:
    """A stored session with names, codes, places, dates … replaced; tag offsets and word rows moved along.

    The practitioner and speaker labels that are names enter the table first, so the same name inside the
    text gets the same placeholder. The recording date is left out; the file name and the hash are replaced.
    Only what the store writes is kept: the raw segments and diarization turns (times only) stay, the role
    decision is carried over with the speaker labels replaced.
    """
    for utterance in session.utterances:
        if not _MACHINE_SPEAKER.match(utterance.speaker):
            p.name(utterance.speaker)

    def speaker(label: str) -> str:
        return label if _MACHINE_SPEAKER.match(label) else p.name(label) or label

    utterances, results = [], []
    for u, r in zip(session.utterances, session.results or [None] * len(session.utterances), strict=True):
        done = p.replace(u.text, session.language)
        words = tuple(dataclasses.replace(w, text=done.word(w.text)) for w in u.words)
        utterances.append(dataclasses.replace(u, text=done.text, speaker=speaker(u.speaker), words=words))
        if r is not None:
            tags = tuple(
                dataclasses.replace(g, start_char=done.offset(g.start_char), end_char=done.offset(g.end_char))
                for g in r.tags
            )
            results.append(dataclasses.replace(r, tags=tags))
    roles = session.roles
    if roles is not None:
        roles = dataclasses.replace(
            roles,
            roles={speaker(k): v for k, v in roles.roles.items()},
            sources={speaker(k): v for k, v in roles.sources.items()},
        )
    return dataclasses.replace(
        session,
        practitioner=p.name(session.practitioner),
        client_code=p.name(session.client_code, "CLIENT"),
        source_name=p.placeholder(session.source_name, "BESTAND"),
        # A new identity that cannot be traced back to the recording (the stored id is a hash of it).
        source_sha256=hashlib.sha256(p.placeholder(session.source_sha256, "SESSIE").encode()).hexdigest(),
        recorded_at=None,
        utterances=tuple(utterances),
        results=tuple(results),
        roles=roles,
        segments=(),
    )
