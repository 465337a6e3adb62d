"""Regression cases as data: `cases_<lang>.jsonl` (our own sentences), one pytest parameter each.

A case lists the labels it must get (exactly), subtypes per label and the scale value. Known failures are
listed in KNOWN_FAILURES and run as `xfail(strict=True)`, so a fix shows up as an unexpected pass.
"""

import json
from pathlib import Path

import pytest

from tagger import load_tagger

HERE = Path(__file__).parent
KNOWN_FAILURES: dict[str, str] = {
    "reg-nl-030": "the real corpus's annotators read 'wat heeft geholpen?' as an exception question",
    "reg-nl-031": "the real corpus's annotators read 'wat werkte er?' as an exception question",
}


def _params() -> list:
    params = []
    for path in sorted(HERE.glob("cases_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            marks = []
            if case["id"] in KNOWN_FAILURES:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[case["id"]]))
            params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_case(case: dict) -> None:
    tagger = load_tagger(case["lang"])
    ctx = [
        (c["text"], c.get("speaker")) if isinstance(c, dict) else (c, "practitioner")
        for c in case.get("context", [])
    ]
    result = tagger.tag_conversation([*ctx, (case["text"], case.get("speaker"))])[-1]
    assert result.labels == case["labels"]
    subtypes = {t.label: t.subtype for t in result.tags}
    for label, subtype in case.get("subtypes", {}).items():
        assert subtypes.get(label) == subtype
    assert result.scale_value == case.get("scale_value")
    if "orientation" in case:
        assert result.orientation == case["orientation"]
