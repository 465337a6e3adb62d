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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # ranges and halves as clients say them
        ("een 6 à 7", 6.5),
        ("6 a 7", 6.5),
        ("zes, zeven", 6.5),
        ("5, 6 denk ik", 5.5),
        ("tussen 6 en 7", 6.5),
        ("zes tot zeven", 6.5),
        ("zesenhalf", 6.5),
        ("zes komma vijf", 6.5),
        # hedges and qualifiers keep the whole number
        ("zo'n zeven", 7.0),
        ("ongeveer een 5", 5.0),
        ("ruim een zes", 6.0),
        ("een krappe vijf", 5.0),
        ("een dikke zeven", 7.0),
        ("een acht min", 8.0),
        ("een zeventje", 7.0),
        ("achtje", 8.0),
        ("op de 4", 4.0),
        ("ik zit op 3 nu", 3.0),
        ("ik geef mezelf een 8", 8.0),
        ("nul", 0.0),
        ("tien", 10.0),
        # speech-recognition digits
        ("ik denk 6", 6.0),
        ("6 denk ik", 6.0),
        ("ik zou zeggen 7", 7.0),
        ("een 7 op 10", 7.0),
        # English
        ("about a six", 6.0),
        ("six or seven", 6.5),
        ("five, six", 5.5),
        ("somewhere around 5", 5.0),
        ("a solid 7", 7.0),
        ("maybe a 4", 4.0),
        ("I'd give it a 3", 3.0),
        ("seven out of ten", 7.0),
        ("7/10", 7.0),
        ("six point five", 6.5),
    ],
)
def test_spoken_scale_forms(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "een halfje hoger dan vorige keer",
        "een 10 natuurlijk niet",
        "geen tien",
        "definitely not a 10",
        "I'm not at a 10 yet",
        "ik zit niet meer op een 3",
        "ik ben 34 jaar",
        "om 8 uur",
        "ik kom om 8 thuis",
        "om half 8",
        "mijn zoon zit in groep 7",
        "hij zit in 3 havo",
        "toen ik 8 was",
        "when I was 8",
        "I get home at 8",
        "I wake up at 7",
        "ik had een 4 voor wiskunde",
        "I got a 4 on my test",
        "2 kinderen",
        "3 keer",
    ],
)
def test_not_a_scale_position(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("een 10 natuurlijk niet, maar wel een 6", 6.0),
        ("geen tien, eerder een zes", 6.0),
        ("not a ten, maybe a seven", 7.0),
        ("ik zit niet meer op een 3 maar op een 5", 5.0),
        ("vorige week een 4, nu een 6", 6.0),
        ("I was at 3 last week and now I'm at 5", 5.0),
        ("een 5, nu ik erover nadenk", 5.0),
        ("een zes, niet slecht", 6.0),
    ],
)
def test_denied_and_past_positions_give_way(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_a_list_of_numbers_is_not_a_range() -> None:
    assert next(h.value for h in find_numbers(["1", ",", "2", ",", "3"])) == 1.0
