"""A synthetic Gespreksspiegel database of any size, in the real schema, generated inside DuckDB.

    .venv/bin/python bench/make_big_db.py /tmp/big.duckdb                      # 10,000 sessions, 2,000,000 utterances
    .venv/bin/python bench/make_big_db.py /tmp/small.duckdb --sessions 200 --per-session 50

Every row is made by one SQL statement per table (`range()` plus hashes for variety), not by Python loops, so
10,000 sessions take seconds to generate. The content is deterministic: the same arguments give the same
database. Sessions alternate two speakers (practitioner S1, client S2) every one or two utterances, carry
orientations, questions, scale answers and tags of every label; one session in ten is imported text without
times. Words are not generated (the dashboard does not read them). The stored session figures are computed
once at the end, in bulk, the way a store written session by session would hold them.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from core.taxonomy import CLIENT_LABELS, LABEL_SUBTYPES, PRACTITIONER_LABELS  # noqa: E402

log = logging.getLogger("bench.make_big_db")

SENTENCES = (
    "Wat gaat er al goed sinds de vorige keer?",
    "Ik slaap nog steeds slecht en maak me veel zorgen.",
    "Op een schaal van nul tot tien, waar sta je nu?",
    "Een zes denk ik, het gaat iets beter.",
    "Wat zou er anders zijn als het probleem weg is?",
    "Vorige week had ik een dag zonder ruzie.",
    "Knap dat je dat zo hebt aangepakt.",
    "Hoe heb je dat voor elkaar gekregen?",
    "Ik weet het eigenlijk niet zo goed.",
    "Wat nog meer?",
    "Waarom gaat het steeds mis op je werk?",
    "Mijn moeder zou zeggen dat ik rustiger ben.",
    "Ja, dat klopt.",
    "Wat wil je dat er over een maand bereikt is?",
    "Het is allemaal te veel op dit moment.",
    "Hoe houd je het vol?",
)


def _sql_list(values: object) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def generate(path: Path, sessions: int = 10_000, per_session: int = 200) -> dict[str, float]:
    """Write the database at `path` (replaced if present); returns the seconds each step took."""
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    p_labels = sorted(PRACTITIONER_LABELS)
    c_labels = sorted(CLIENT_LABELS)
    subtype_sql = (
        "CASE label "
        + " ".join(
            f"WHEN '{label}' THEN {_sql_list(values)}[1 + (h // 29) % {len(values)}]"
            for label, values in LABEL_SUBTYPES.items()
            if values
        )
        + " END"
    )
    timings: dict[str, float] = {}
    with store.connect(path) as con:
        con.execute("SET preserve_insertion_order = true")
        begin = time.perf_counter()
        con.execute(
            """INSERT INTO sessions (session_id, source_sha256, source_name, recorded_at, practitioner,
                   client_code, language, duration_s, asr_model, created_at, source_kind, has_times,
                   asr_options, num_speakers, role_confidence, warnings, record)
               SELECT printf('%012x', i), md5(i::VARCHAR) || md5((i + 7)::VARCHAR), printf('opname-%05d.wav', i),
                   DATE '2021-01-04' + CAST(i * 3 // 10 AS INTEGER), printf('Begeleider %02d', i % 40),
                   printf('C%04d', (i * 7919) % 2000), 'nl',
                   CASE WHEN i % 10 = 9 THEN NULL ELSE $per * 12.0 + 30 END, 'synthetic',
                   TIMESTAMP '2026-01-01' + to_seconds(i),
                   CASE WHEN i % 10 = 9 THEN 'transcript' ELSE 'audio' END, i % 10 <> 9,
                   '{}', 2, 0.8 + (i % 20) / 100.0, CASE WHEN i % 50 = 0 THEN ['roles_uncertain'] ELSE [] END,
                   NULL
               FROM range($n) t(i)""",
            {"n": sessions, "per": per_session},
        )
        timings["sessions"] = time.perf_counter() - begin
        begin = time.perf_counter()
        con.execute(
            f"""INSERT INTO utterances (session_id, idx, speaker, role, start_s, end_s, text, orientation,
                   is_question, scale_value)
               WITH u AS (
                   SELECT i // $per AS s, (i % $per)::INTEGER AS idx, CAST(hash(i) >> 2 AS BIGINT) AS h FROM range($n * $per) t(i)
               ), spk AS (
                   SELECT *, CASE WHEN (idx + (h % 5 = 0)::INTEGER) % 2 = 0 THEN 'S1' ELSE 'S2' END AS speaker FROM u
               )
               SELECT printf('%012x', s), idx, speaker,
                   CASE WHEN speaker = 'S1' THEN 'practitioner' ELSE 'client' END,
                   CASE WHEN s % 10 = 9 THEN NULL ELSE idx * 12.0 END,
                   CASE WHEN s % 10 = 9 THEN NULL ELSE idx * 12.0 + 2 + (h % 9) END,
                   {_sql_list(SENTENCES)}[1 + (h // 7) % {len(SENTENCES)}],
                   ['solution', 'problem', 'neutral'][1 + (h // 11) % 3],
                   speaker = 'S1' AND (h // 13) % 3 = 0,
                   CASE WHEN speaker = 'S2' AND (h // 17) % 40 = 0 THEN ((h // 19) % 11)::DOUBLE END
               FROM spk ORDER BY s, idx""",
            {"n": sessions, "per": per_session},
        )
        timings["utterances"] = time.perf_counter() - begin
        begin = time.perf_counter()
        con.execute(
            f"""INSERT INTO tags
               WITH u AS (
                   SELECT session_id, idx, role, text, scale_value, CAST(hash(session_id || idx::VARCHAR) >> 2 AS BIGINT) AS h
                   FROM utterances
               ), picked AS (
                   SELECT *, CASE
                       WHEN scale_value IS NOT NULL THEN 'scale_answer'
                       WHEN role = 'practitioner' AND h % 5 < 2 THEN
                           {_sql_list(p_labels)}[1 + (h // 23) % {len(p_labels)}]
                       WHEN role = 'client' AND h % 9 = 0 THEN
                           {_sql_list(c_labels)}[1 + (h // 23) % {len(c_labels)}]
                   END AS label
                   FROM u
               )
               SELECT session_id, idx, label,
                   {subtype_sql},
                   CASE WHEN label = 'scale_answer' THEN scale_value END,
                   0, least(length(text), 12), label || '.synthetic.01'
               FROM picked WHERE label IS NOT NULL ORDER BY session_id, idx""",
        )
        timings["tags"] = time.perf_counter() - begin
        con.execute(
            """INSERT INTO speakers
               SELECT session_id, speaker, any_value(role), 'auto' FROM utterances GROUP BY ALL"""
        )
        begin = time.perf_counter()
        store.refresh_all_metrics(con)
        timings["metrics"] = time.perf_counter() - begin
        con.execute("CHECKPOINT")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--per-session", type=int, default=200)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    timings = generate(args.path, args.sessions, args.per_session)
    log.info(
        "%s: %d sessions, %d utterances; %s",
        args.path,
        args.sessions,
        args.sessions * args.per_session,
        ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
