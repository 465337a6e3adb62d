"""Reading scale scores (0-10) from words: digits, Dutch and English number words, halves and ranges.

Whisper writes most numbers as digits ("ik zit op 6"), people say "een zesje", "zes en een half",
"tussen de vijf en zes" or "a six"; all of them become a float. Everything works on lower-case token
texts, so it can run on a spaCy Doc or on a plain split string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

#: Word lists and number words live in `tagger/data/numbers.json`, so a language or a word can be added
#: without touching code; this module keeps only the logic that reads them.
_DATA = json.loads(resources.files("tagger").joinpath("data/numbers.json").read_text(encoding="utf-8"))


def _words(key: str) -> frozenset[str]:
    return frozenset(_DATA[key])


def _number_table(key: str) -> dict[str, int | None]:
    return dict(_DATA[key])


_BASE = _number_table("base")
_DIMINUTIVE = _number_table("diminutive")
_DUTCH_STEMS = {
    k: v
    for k, v in _BASE.items()
    if k in ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien")
}

WORDS: dict[str, float] = {k: float(v) for k, v in _BASE.items()}
WORDS.update({k: float(v) for k, v in _DIMINUTIVE.items() if v is not None})
for _w, _v in list(_DUTCH_STEMS.items()):
    for _suffix in ("enhalf", "eneenhalf", "-en-een-half", "-en-half"):
        WORDS[_w + _suffix] = _v + 0.5
    WORDS[_w + "ënhalf"] = _v + 0.5
WORDS["anderhalf"] = 1.5
WORDS["eenenhalf"] = 1.5
WORDS["half"] = 0.5  # only used after "en"/"and"

#: One token that is a scale number (used by the `#scale` token of the pattern language).
SCALE_NUMBER_REGEX = (
    r"^(10|\d([.,]\d{1,2})?½?|\d[-–/]\d{1,2}|"
    + "|".join(sorted((re.escape(w) for w in WORDS if w != "half"), key=len, reverse=True))
    + ")$"
)

_DIGIT_RE = re.compile(r"^(\d{1,2})(?:[.,](\d{1,2}))?(½)?$")
_RANGE_RE = re.compile(r"^(\d{1,2}(?:[.,]\d)?)[-–/](\d{1,2}(?:[.,]\d)?)$")

#: Words that join two numbers into a range ("vijf à zes", "a five or six").
RANGE_JOINERS = _words("range_joiners")
#: Words after a number that show it is not a scale score ("6 jaar", "3 keer", "a two hour drive").
UNIT_WORDS = _words("unit_words")
#: Words before "one" / "eentje" that make it a pronoun ("that one", "in mijn eentje", "er eentje"), not a number.
_ONE_PRONOUN_BEFORE = _words("one_pronoun_before")


#: Words right before a bare number that make it a label, a school year or a time, not a score
#: ("groep 7", "klas 3", "om 8", "half 9", "room 4", "page 6").
NOT_SCALE_BEFORE = _words("not_scale_before")
#: Words before "at"/"rond" that make "at 8" a time ("home at 8", "up at 7").
_TIME_AT_BEFORE = _words("time_at_before")
#: Words after a number that make it a school year or a time ("3 havo", "8 's avonds").
_NOT_SCALE_AFTER = _words("not_scale_after")
#: School words near a number make it a grade ("een 4 voor wiskunde", "a 4 on my test").
_SCHOOL = _words("school")
#: Negation words: "geen tien", "not a ten", "een tien natuurlijk niet" are not a position.
_NEGATION = _words("negation")
#: Words that may stand between a negation and the number it negates ("niet meer op een 3", "not even a 2").
_NEG_GAP = _words("neg_gap")
#: Words that may stand between a number and a following "niet" ("een 10 is het natuurlijk niet").
_NEG_AFTER_GAP = _words("neg_after_gap")
#: Words that show a number is the current position when an earlier one was a past position
#: ("vorige week een 4, nu een 6").
_NOW = _words("now")


def _negated(words: Sequence[str], start: int, end: int) -> bool:
    """Whether the number at tokens [start, end) is denied ("geen tien", "not a 10", "een 10 niet")."""
    j = start - 1
    gaps = 0
    while j >= 0 and words[j] in _NEG_GAP and gaps < 3:
        j -= 1
        gaps += 1
    if j >= 0 and words[j] in _NEGATION:
        return True
    n = len(words)
    k = end
    gaps = 0
    while k < n and words[k] in _NEG_AFTER_GAP and gaps < 4:
        k += 1
        gaps += 1
    if k < n and words[k] in _NEGATION:
        nxt = words[k + 1] if k + 1 < n else ""
        # "een tien niet, maar ..." / "een 10 natuurlijk niet": the number is ruled out; "een 6, niet
        # slecht" has a comma in between and never gets here
        return nxt in (
            "",
            ".",
            ",",
            "!",
            "?",
            "…",
            "maar",
            "but",
            "hoor",
            "natuurlijk",
            "nee",
            "no",
            "hè",
            "he",
        )
    return False


def _not_scale_context(words: Sequence[str], i: int, end: int) -> bool:
    """A bare number that names a time, an age, a school year or a room ("om 8", "toen ik 8 was")."""
    prev = words[i - 1] if i > 0 else ""
    nxt = words[end] if end < len(words) else ""
    if prev in NOT_SCALE_BEFORE or nxt in _NOT_SCALE_AFTER:
        return True
    if prev in ("at", "rond", "around", "tegen") and i >= 2 and words[i - 2] in _TIME_AT_BEFORE:
        return True
    if prev in ("over", "voor", "past", "to") and i >= 2 and words[i - 2] in ("kwart", "quarter", "half"):
        return True
    # "een 4 voor mijn toets", "a 4 on my test": a school grade, not a scale position
    if not _SCHOOL.isdisjoint(words[max(0, i - 4) : end + 4]):
        return True
    # "toen ik 8 was", "when I was 8": an age (but "toen zat ik op een 3" is a position)
    window = words[max(0, i - 3) : i]
    return (
        any(w in ("toen", "when", "sinds", "since") for w in window)
        and prev not in ("een", "a", "an", "op", "at", "de", "the")
        and (nxt in ("was", "werd", "old", "oud") or prev in ("was", "werd", "turned"))
    )


@dataclass(frozen=True)
class NumberHit:
    """A number found in a token list: tokens [start, end) and its value."""

    start: int
    end: int
    value: float


def word_value(word: str) -> float | None:
    """The value of one token ("6", "6,5", "zesje", "vijfenhalf", "seven"), or None."""
    w = word.lower()
    if w in WORDS and w != "half":
        return WORDS[w]
    m = _DIGIT_RE.match(w)
    if m:
        value = float(m.group(1))
        if m.group(2):
            value += float("0." + m.group(2))
        if m.group(3):
            value += 0.5
        return value
    return None


def _range_token(word: str) -> float | None:
    m = _RANGE_RE.match(word)
    if not m:
        return None
    a, b = (float(x.replace(",", ".")) for x in m.groups())
    if b == 10 and "/" in word and a < 10:  # "7/10": seven out of ten
        return a
    if 0 < b - a <= 2:
        return (a + b) / 2
    return None


def _half_after(words: Sequence[str], i: int) -> int:
    """Number of tokens after position i that add a half ("en een half", "and a half", "komma vijf")."""
    n = len(words)
    if i < n and words[i] in ("en", "and", "'n", "n"):
        if i + 2 < n and words[i + 1] in ("een", "a") and words[i + 2] == "half":
            return 3
        if i + 1 < n and words[i + 1] == "half":
            return 2
    if i + 1 < n and words[i] in ("komma", "point") and words[i + 1] in ("vijf", "five", "5"):
        return 2
    if i < n and words[i] == "½":
        return 1
    return 0


def read_number(words: Sequence[str], i: int) -> tuple[float, int] | None:
    """Read a number expression starting at token i; returns (value, tokens used) or None.

    Handles "zes en een half", "six and a half", "zes komma vijf", "5-6", "vijf à zes", "a five or six",
    "tussen de vijf en zes" (when i points at "tussen"/"between").
    """
    n = len(words)
    w = words[i]
    if w in ("tussen", "between"):
        j = i + 1
        if j < n and words[j] in ("de", "the", "een", "a"):
            j += 1
        first = read_number(words, j) if j < n else None
        if first and j + first[1] + 1 < n and words[j + first[1]] in ("en", "and"):
            k = j + first[1] + 1
            if k < n and words[k] in ("een", "a"):
                k += 1
            second = read_number(words, k) if k < n else None
            if second and 0 < second[0] - first[0] <= 2:
                return (first[0] + second[0]) / 2, k + second[1] - i
        return None
    rng = _range_token(w)
    if rng is not None:
        return rng, 1
    value = word_value(w)
    if value is None:
        return None
    used = 1
    half = _half_after(words, i + 1)
    if half and value == int(value):
        return value + 0.5, used + half
    # ranges: "5 - 6", "vijf à zes", "a five or a six", "zes, zeven"
    j = i + 1
    if j < n and words[j] in RANGE_JOINERS and words[j] not in ("en", "and", "to", "tot"):
        k = j + 1
        if k < n and words[k] in ("een", "a", "an"):
            k += 1
        if k < n:
            other = word_value(words[k])
            if other is not None and 0 < other - value <= 1.5:
                return (value + other) / 2, k + 1 - i
    if j + 1 < n and words[j] == "," and value == int(value):
        # "zes, zeven" / "five, six": two neighbouring whole numbers said in one breath
        other = word_value(words[j + 1])
        if other is not None and other - value == 1 and (j + 2 >= n or words[j + 2] not in (",", "-")):
            return value + 0.5, 3
    return value, used


#: Words a number expression can start with (besides digits); other tokens are skipped without parsing.
_STARTS = frozenset(w for w in WORDS if w != "half") | {"tussen", "between"}


def find_numbers(words: Sequence[str]) -> list[NumberHit]:
    """All plausible scale numbers (0-10) in a lower-case token list, skipping units and scale definitions.

    "van 0 tot 10", "from 1 to 10", "0 being", "10 means" describe a scale, not a position; "6 jaar",
    "two drinks" are amounts; "that one" is a pronoun.
    """
    hits: list[NumberHit] = []
    n = len(words)
    i = 0
    starts = _STARTS
    while i < n:
        w = words[i]
        if w not in starts and not (w and w[0].isdigit()):
            i += 1
            continue
        read = read_number(words, i)
        if read is None:
            i += 1
            continue
        value, used = read
        end = i + used
        nxt = words[end] if end < n else ""
        prev = words[i - 1] if i > 0 else ""
        skip = False
        if nxt in UNIT_WORDS or not 0 <= value <= 10:
            skip = True
        elif nxt in ("tot", "to", "through", "-") and end + 1 < n and word_value(words[end + 1]) is not None:
            other = word_value(words[end + 1]) or 0.0
            if other - value > 2:  # a scale definition "0 tot 10"
                i = end + 2
                continue
            if other > value:  # "5 tot 6": a range answer
                value, end = (value + other) / 2, end + 2
        elif (
            (prev in ("tot", "to", "through") and i >= 2 and word_value(words[i - 2]) is not None)
            or (words[i] == "one" and (prev in _ONE_PRONOUN_BEFORE or nxt in ("of", "who", "that", "thing")))
            # "eentje" is a score only as a grade ("een eentje"); else a pronoun ("soms zelfs eentje")
            or (words[i] == "eentje" and (prev in _ONE_PRONOUN_BEFORE or prev not in ("een", "'n", "n")))
            or (
                nxt in ("being", "is", "means", "meaning", "staat", "betekent", "=")
                and prev
                in (
                    "",
                    ",",
                    "and",
                    "en",
                    "with",
                    "met",
                    "where",
                    "waarbij",
                    "waar",
                )
            )
            or re.match(r"^\d{3,}", nxt)
            or nxt.endswith("%")
        ):
            skip = True
        if not skip and (
            _not_scale_context(words, i, end)
            or _negated(words, i, end)
            # "7 op 10", "seven out of ten": the 10 is the scale's end
            or (prev in ("op", "of", "uit") and value == 10 and hits and hits[-1].end >= i - 2)
        ):
            skip = True
        if not skip:
            hits.append(NumberHit(i, end, value))
        i = end
    if len(hits) > 1 and not _NOW.isdisjoint(words):
        # "vorige week een 4, nu een 6": the position after "nu" is the current one
        now_at = max(k for k, w in enumerate(words) if w in _NOW)
        later = [h for h in hits if h.start > now_at]
        if later and len(later) < len(hits):
            hits = later
    return hits


def parse_number(text: str) -> float | None:
    """The first scale number in a short phrase ("zes en een half" -> 6.5, "a six" -> 6.0), or None."""
    words = re.findall(r"\d+(?:[.,]\d+)?(?:[-–/]\d+(?:[.,]\d+)?)?½?|[\w'’½-]+|[^\w\s]", text.lower())
    hits = find_numbers(words)
    return hits[0].value if hits else None
