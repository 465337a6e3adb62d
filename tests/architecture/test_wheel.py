"""`pip install .` ships a working program: the built wheel holds every package, data file and the entry point.

The full check (a fresh venv, `pip install .`, `spiegel process` on a two-voice recording finds two speakers)
downloads every dependency, so it is done by hand (README, "What is installed, and why"); this test builds
the wheel from the working tree and reads what it would install.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Files the program reads at run time: without one of them an installed `spiegel` fails.
NEEDED = (
    "cli/main.py",
    "core/texts/nl.json",
    "core/texts/en.json",
    "store/sql/schema.sql",
    "models/bundled.json",
    "models/voice/ge2e_encoder.npz",
    "models/voice/LICENSE",
    "pipeline/diarize/voices.py",
    "pipeline/language_cues.json",
    "tagger/patterns/nl/compliment.jsonl",
    "tagger/patterns/en/compliment.jsonl",
    "tagger/data/numbers.json",
    "dashboard/app.py",
    "dashboard/views/session.py",
    "dashboard/.streamlit/config.toml",
)


def test_wheel_holds_every_package_data_file_and_the_spiegel_command(tmp_path: Path) -> None:
    # Build from a copy of the tracked tree, so no build/ folder is left in the checkout.
    source = tmp_path / "src"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((ROOT / name).read_bytes())
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("gespreksspiegel-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "spiegel = cli.main:main" in archive.read(entry_points).decode()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    missing = [name for name in NEEDED if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert not any(n.startswith(("tests/", "bench/", "samples/")) for n in names)
    requires = {
        line.split(" ")[1].split("=")[0].split("<")[0].split(">")[0]
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert {"torch", "scipy", "faster-whisper", "duckdb", "spacy", "streamlit"} <= requires
    assert "resemblyzer" not in requires  # its weights ship in models/voice, its broken deps are not needed
