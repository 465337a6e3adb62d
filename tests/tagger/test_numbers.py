"""Scale numbers from digits, Dutch and English words, halves and ranges."""

import pytest

from tagger.numbers import find_numbers, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6", 6.0),
        ("ik zit op 6", 6.0),
        ("6,5", 6.5),
        ("7.5", 7.5),
        ("zes en een half", 6.5),
        ("zes komma vijf", 6.5),
        ("vijfenhalf", 5.5),
        ("een zesje", 6.0),
        ("een tientje", 10.0),
        ("tussen de vijf en zes", 5.5),
        ("tussen 5 en 6", 5.5),
        ("vier à vijf", 4.5),
        ("5-6", 5.5),
        ("een 6 of een 7", 6.5),
        ("a six", 6.0),
        ("six and a half", 6.5),
        ("a five or six", 5.5),
        ("I am probably a two", 2.0),
        ("nul", 0.0),
        ("10", 10.0),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["11", "6 jaar", "3 keer per week", "that one", "een punt hoger", "twee kinderen", "100%", ""]
)
def test_not_a_scale_number(text: str) -> None:
    assert parse_number(text) is None


def test_scale_definition_is_skipped() -> None:
    words = ["op", "een", "schaal", "van", "0", "tot", "10", "zou", "ik", "zeggen", "7"]
    assert [h.value for h in find_numbers(words)] == [7.0]
