"""How long one correction in the dashboard takes, beside storing the same session, measured in the same run.

    .venv/bin/python bench/bench_corrections.py            # sessions of 100 and 800 utterances
    .venv/bin/python bench/bench_corrections.py --sizes 200

A correction (store/corrections.py) keeps the machine's original, re-tags the changed utterances in their
conversation and rewrites the session's current rows and stored figures in one transaction; the baseline is
`store.save_session` of the same session into a fresh file (what `spiegel import` writes). Printed per size:
the median of five text corrections (wall and CPU time), of five undos, of five saves, the ratio correction /
save, and five text corrections while a cut inside an utterance stands (then the rows are written anew).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from core.corrections import Correction  # noqa: E402
from core.records import Role, TaggedUtterance, Utterance  # noqa: E402
from tagger import load_tagger  # noqa: E402
from tests.records import make_session  # noqa: E402

LINES = [
    (Role.PRACTITIONER, "Wat gaat er al een beetje beter sinds de vorige keer?"),
    (Role.CLIENT, "Het gaat slecht, ik slaap nauwelijks en ik maak steeds ruzie."),
    (Role.PRACTITIONER, "Op een schaal van 0 tot 10, waar sta je nu?"),
    (Role.CLIENT, "Ik denk een vier, misschien een vijf."),
]


def build(n: int, name: str):
    tagger = load_tagger("nl")
    rows = [LINES[i % len(LINES)] for i in range(n)]
    results = tagger.tag_conversation([(text, str(role)) for role, text in rows])
    tagged = [
        TaggedUtterance(
            Utterance(i, "S1" if role == Role.PRACTITIONER else "S2", role, text, i * 4.0, i * 4.0 + 3.5), r
        )
        for i, ((role, text), r) in enumerate(zip(rows, results, strict=True))
    ]
    return make_session(
        tagged, source_name=name, source_sha256=hashlib.sha256(name.encode()).hexdigest(), duration_s=n * 4.0
    )


def measure(n: int) -> dict[str, float]:
    retag_for = lambda lang: load_tagger(lang).tag_conversation  # noqa: E731
    session = build(n, f"bench-{n}.wav")
    saves, edits, undos, cut_edits, cpu = [], [], [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for k in range(5):
            with store.connect(Path(folder) / f"save{k}.duckdb") as con:
                started = time.perf_counter()
                store.save_session(con, session)
                saves.append(time.perf_counter() - started)
        db = Path(folder) / "save0.duckdb"
        with store.connect(db) as con:
            sid = store.session_id_for(session.source_sha256)
            for k in range(5):
                change = Correction(
                    "text", {"text": f"Het gaat beter, nummer {k}."}, utterance_idx=1 + 4 * k, author="b"
                )
                started, cpu_started = time.perf_counter(), time.process_time()
                store.corrections.add(con, sid, change, retag_for)
                edits.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            for _ in range(5):
                started = time.perf_counter()
                store.corrections.undo(con, sid, "b", retag_for)
                undos.append(time.perf_counter() - started)
            # while a cut inside an utterance stands, every change rewrites the session's rows and words
            cut = Correction("speaker", {"speaker": "S2", "at": LINES[0][1].index("sinds")}, 0, "b")
            store.corrections.add(con, sid, cut, retag_for)
            for k in range(5):
                change = Correction(
                    "text", {"text": f"Het gaat beter, {k}."}, utterance_idx=2 + 4 * k, author="b"
                )
                started = time.perf_counter()
                store.corrections.add(con, sid, change, retag_for)
                cut_edits.append(time.perf_counter() - started)
    save, edit, undo, cut_edit, edit_cpu = (
        statistics.median(x) for x in (saves, edits, undos, cut_edits, cpu)
    )
    return {
        "utterances": n,
        "save_s": save,
        "correction_s": edit,
        "correction_cpu_s": edit_cpu,
        "undo_s": undo,
        "cut_correction_s": cut_edit,
        "ratio": edit / save,
        "cut_ratio": cut_edit / save,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 800])
    args = parser.parse_args(argv)
    print(
        "| utterances | save (baseline) | one correction (CPU) | one undo | correction / save "
        "| one correction while a cut stands | that / save |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        r = measure(n)
        print(
            f"| {n} | {r['save_s']:.3f} s | {r['correction_s']:.3f} s ({r['correction_cpu_s']:.3f} s) "
            f"| {r['undo_s']:.3f} s | {r['ratio']:.1f}× | {r['cut_correction_s']:.3f} s | {r['cut_ratio']:.1f}× |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
