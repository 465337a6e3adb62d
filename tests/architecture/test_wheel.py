"""`pip install .` ships a working program: the built wheel holds every package, data file and the entry point.

The first test builds the wheel from the working tree and reads what it would install; the second installs it
into a fresh venv, offline (the dependencies from this venv, see its docstring), and runs the installed
`spiegel`. The full check with downloads (`pip install .` alone, then `spiegel process` on a two-voice
recording finds two speakers) is done by hand (README, "What is installed, and why").
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
    "dashboard/server.py",
    "dashboard/base_url.py",
    "dashboard/views/session.py",
    "dashboard/.streamlit/config.toml",
)


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of the working tree, built offline (no build isolation: setuptools from this venv)."""
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
    return wheel


def test_wheel_holds_every_package_data_file_and_the_spiegel_command(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
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


#: Run in the fresh venv: the diarizer's encoder embeds a second of sound with resemblyzer made unimportable.
_VOICE_CHECK = """
import sys
sys.modules["resemblyzer"] = None  # any `import resemblyzer` now fails
import numpy as np
import cli
from pipeline.diarize.embedding import embed_windows
tone = np.sin(np.linspace(0, 2000 * np.pi, 32000)).astype(np.float32) * 0.1
vectors = embed_windows(tone, [(0.0, 1.5)])
print(cli.__file__)
print(vectors.shape, round(float(np.linalg.norm(vectors[0])), 3))
"""


#: The bundled sample of two (synthetic) voices, made by setup.sh (samples/make_audio.py).
TWO_VOICES = Path(__file__).resolve().parents[2] / "samples" / "audio" / "nl_eerste_gesprek.wav"
_SPEAKER_COUNT = (
    "import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
    "print(con.execute('SELECT count(DISTINCT speaker) FROM utterances').fetchone()[0])"
)


def test_pip_install_of_the_wheel_gives_a_working_spiegel(tmp_path: Path) -> None:
    """A fresh venv, `pip install` of the wheel (offline: `--no-deps --no-index`), then the installed command.

    The dependencies come from this venv's site-packages through a `.pth` path line added after the install,
    so nothing is downloaded; that line does not run this venv's editable-install hook, so our packages can
    only come from the wheel (checked: `cli.__file__` lies in the fresh venv).
    """
    import sysconfig

    wheel = build_wheel(tmp_path)
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    spiegel = fresh / "bin" / "spiegel"
    work = tmp_path / "elsewhere"  # not the checkout: nothing of ours on the path but the wheel
    work.mkdir()

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(command), cwd=work, capture_output=True, text=True, timeout=600, check=False
        )

    helped = run(str(spiegel), "--help")
    assert helped.returncode == 0 and "process" in helped.stdout, helped.stderr[-2000:]
    source = work / "in.jsonl"
    source.write_text(
        '{"text": "Wat gaat er al goed?", "lang": "nl", "speaker": "practitioner"}\n', encoding="utf-8"
    )
    tagged = run(str(spiegel), "tag", "--input", str(source), "--output", str(work / "uit.jsonl"))
    assert tagged.returncode == 0, tagged.stderr[-2000:]
    assert '"labels"' in (work / "uit.jsonl").read_text(encoding="utf-8")
    missing = run(
        str(spiegel), "process", str(work / "weg.wav"), "--no-progress", "--db", str(work / "s.duckdb")
    )
    assert missing.returncode == 1 and missing.stderr.strip() == "weg.wav: het bestand bestaat niet."
    voice = run(str(python), "-c", _VOICE_CHECK)
    assert voice.returncode == 0, voice.stderr[-2000:]
    where, shape = voice.stdout.split("\n")[:2]
    assert where.startswith(str(site))  # our code from the wheel, not the checkout
    assert shape == "(1, 256) 1.0"
    # the whole pipeline from the wheel alone: a two-voice recording comes out as two speakers
    db = work / "twee.duckdb"
    processed = run(str(spiegel), "process", str(TWO_VOICES), "--no-progress", "--db", str(db))
    assert processed.returncode == 0, processed.stderr[-2000:]
    counted = run(str(python), "-c", _SPEAKER_COUNT, str(db))
    assert counted.stdout.strip() == "2", counted.stderr[-2000:]
