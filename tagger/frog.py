"""Optional Dutch linguistics from Frog (Radboud University) as a spaCy component: `spiegel_frog`.

Frog tags each token with a CGN part-of-speech tag that carries tense, number and verb form
(`WW(pv,verl,ev)` = finite past singular), a lemma and, where its parser runs, a dependency head and
relation. This component fills `token.tag_` (the CGN tag), `token.pos_` (Universal POS), `token.lemma_`,
`token.morph` (Tense, VerbForm, Mood, Number, Degree, Person, PronType, Definite, Polarity, ...) and, with
`parser=True`, `token.head` / `token.dep_` (Frog's Alpino-style relations: su, obj1, vc, mod, ...; parts of a
multi-word unit hang from its first word as `mwp`). Without the parser it marks the sentence starts it used
(so `doc.sents` works); with it, spaCy takes the sentences from the heads.

    nlp = spacy.blank("nl")
    nlp.add_pipe("spiegel_frog", config={"parser": False})

Frog is GPL-3: it runs as a separate program (`frog -n --skip=t... --JSONout`, reading one pre-tokenised
sentence per line on stdin and writing one JSON line per sentence on stdout) and is never linked. One Frog
process serves the whole run: it starts on the first doc, is shared by every component with the same settings,
and ends when the interpreter exits (or on `close_all()`). Frog is not tokenising: it gets spaCy's tokens,
split into sentences at `.`, `!`, `?` (or `doc.sents` where a sentence splitter ran). Its multi-word units
("ten_opzichte_van") are split back into their words; a token that still does not line up with Frog's
tokens keeps no annotation.

Without `frog` on the PATH (or for a language other than Dutch) adding the component logs one warning and it
does nothing: the tagger works without it.
"""

from __future__ import annotations

import atexit
import difflib
import json
import logging
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import DEP, HEAD
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

#: Frog modules that never run here: t = tokeniser (spaCy's tokens are used), a = morphological analyser,
#: c = chunker, n = named entities. m = multi-word units is skipped too unless the parser runs (it needs them).
SKIP_ALWAYS = "tacn"
#: A token made of these ends a sentence (when the doc has no sentence boundaries of its own).
_SENT_END = re.compile(r"^[.!?…]+$")
#: Longer sentences are cut into pieces of this many tokens (the parser is quadratic in sentence length).
MAX_SENTENCE_TOKENS = 120
#: Bytes of input written before reading the answers: stays below the pipe buffer, so Frog never blocks.
_CHUNK_BYTES = 16_000

# ---------------------------------------------------------------------------------------------------------
# CGN tag -> Universal POS and morphological features


_UPOS = {
    "ADJ": "ADJ",
    "BW": "ADV",
    "LET": "PUNCT",
    "LID": "DET",
    "TSW": "INTJ",
    "VZ": "ADP",
    "WW": "VERB",
}
_PRONTYPE = {
    "pers": "Prs",
    "refl": "Prs",
    "pr": "Prs",
    "recip": "Rcp",
    "bez": "Prs",
    "vb": "Int",
    "vrag": "Int",
    "aanw": "Dem",
    "betr": "Rel",
    "onbep": "Ind",
    "excl": "Exc",
}
_PERSON = {"1": "1", "2": "2", "2v": "2", "2b": "2", "3": "3", "3p": "3", "3m": "3", "3v": "3", "3o": "3"}
_DEGREE = {"basis": "Pos", "comp": "Cmp", "sup": "Sup"}
_NUMBER = {"ev": "Sing", "mv": "Plur", "met-t": "Sing"}
#: The few Dutch lemmas the mapping needs (auxiliaries, copulas, negations) live in `tagger/data/frog.json`.
_DATA = json.loads(resources.files("tagger").joinpath("data/frog.json").read_text(encoding="utf-8"))
_AUX_LEMMAS = frozenset(_DATA["aux_lemmas"])
_COPULA_LEMMAS = frozenset(_DATA["copula_lemmas"])
_NEGATIVE_LEMMAS = frozenset(_DATA["negative_lemmas"])


def parse_cgn(tag: str) -> tuple[str, list[str]]:
    """`"WW(pv,verl,ev)"` -> `("WW", ["pv", "verl", "ev"])`."""
    head, _, rest = tag.partition("(")
    feats = [f.strip() for f in rest.rstrip(")").split(",") if f.strip()]
    return head.strip(), feats


def cgn_to_ud(tag: str, lemma: str = "") -> tuple[str, dict[str, str]]:
    """Universal POS and UD features of one CGN tag (a verb is `VERB`; `FrogAnnotator` decides `AUX`)."""
    head, feats = parse_cgn(tag)
    fs = set(feats)
    morph: dict[str, str] = {}
    if head == "N":
        pos = "PROPN" if "eigen" in fs else "NOUN"
    elif head == "VNW":
        pos = "DET" if "prenom" in fs or "det" in fs else "PRON"
    elif head == "TW":
        pos = "ADJ" if "rang" in fs else "NUM"
        morph["NumType"] = "Ord" if "rang" in fs else "Card"
    elif head == "VG":
        pos = "SCONJ" if "onder" in fs else "CCONJ"
    elif head == "SPEC":
        pos = {"deeleigen": "PROPN", "symb": "SYM"}.get(feats[0] if feats else "", "X")
        if "afk" in fs:
            morph["Abbr"] = "Yes"
        if "vreemd" in fs:
            morph["Foreign"] = "Yes"
    else:
        pos = _UPOS.get(head, "X")
    if head == "WW":
        if "pv" in fs:
            morph["VerbForm"] = "Fin"
            if "verl" in fs:
                morph["Tense"], morph["Mood"] = "Past", "Ind"
            elif "conj" in fs:
                morph["Tense"], morph["Mood"] = "Pres", "Sub"
            else:
                morph["Tense"], morph["Mood"] = "Pres", "Ind"
        elif "inf" in fs:
            morph["VerbForm"] = "Inf"
        elif "vd" in fs:
            morph["VerbForm"], morph["Tense"] = "Part", "Past"
        elif "od" in fs:
            morph["VerbForm"], morph["Tense"] = "Part", "Pres"
    if head in ("N", "WW", "VNW", "LID"):
        for f in feats:
            if f in _NUMBER:
                morph["Number"] = _NUMBER[f]
        if "zijd" in fs:
            morph["Gender"] = "Com"
        elif "onz" in fs:
            morph["Gender"] = "Neut"
    if head in ("ADJ", "VNW", "BW"):
        for f in feats:
            if f in _DEGREE and head != "VNW":
                morph["Degree"] = _DEGREE[f]
    if head == "VNW":
        for f in feats:
            if f in _PRONTYPE:
                morph["PronType"] = _PRONTYPE[f]
                break
        for f in feats:
            if f in _PERSON:
                morph["Person"] = _PERSON[f]
        if "bez" in fs:
            morph["Poss"] = "Yes"
        if "refl" in fs:
            morph["Reflex"] = "Yes"
        if "nomin" in fs:
            morph["Case"] = "Nom"
    if head == "LID":
        morph["PronType"] = "Art"
        if "bep" in fs:
            morph["Definite"] = "Def"
        elif "onbep" in fs:
            morph["Definite"] = "Ind"
    if lemma.lower() in _NEGATIVE_LEMMAS:
        morph["Polarity"] = "Neg"
    return pos, morph


# ---------------------------------------------------------------------------------------------------------
# Frog's answer for one sentence, multi-word units split back into words


@dataclass(slots=True)
class FrogWord:
    text: str
    lemma: str
    tag: str
    confidence: float
    head: int | None  # index into the sentence's FrogWords; -1 = root; None = not parsed
    dep: str


def expand(answer: Sequence[dict[str, Any]]) -> list[FrogWord]:
    """Frog's JSON words of one sentence as words, a multi-word unit ("New_York", tag
    "SPEC(deeleigen)_SPEC(deeleigen)") split into its parts (the first part carries the unit's head and
    relation, the others hang from it as `mwp`). A unit whose parts do not split evenly stays whole."""
    parts_of: list[list[tuple[str, str, str]]] = []
    for w in answer:
        text, lemma, tag = (
            str(w.get("word", "")),
            str(w.get("lemma", "")),
            str(w.get("pos", {}).get("tag", "")),
        )
        ps = text.split("_")
        tags = tag.split("_")
        if len(ps) > 1 and len(tags) == len(ps) and all(ps):
            lemmas = lemma.split("_")
            if len(lemmas) != len(ps):
                lemmas = ps
            parts_of.append(list(zip(ps, lemmas, tags, strict=True)))
        else:
            parts_of.append([(text, lemma, tag)])
    first: list[int] = []
    n = 0
    for parts in parts_of:
        first.append(n)
        n += len(parts)
    words: list[FrogWord] = []
    for i, (w, parts) in enumerate(zip(answer, parts_of, strict=True)):
        parse = w.get("parse") or {}
        head: int | None = None
        dep = ""
        if "parse_index" in parse:
            h = int(parse["parse_index"])
            head = -1 if h == 0 or not 0 < h <= len(first) else first[h - 1]
            dep = str(parse.get("parse_role", ""))
            if dep in ("", "None"):  # Frog writes "None" where it found a head but no relation
                dep = "dep"
        conf = float((w.get("pos") or {}).get("confidence", 0.0))
        for k, (text, lemma, tag) in enumerate(parts):
            if k == 0:
                words.append(FrogWord(text, lemma, tag, conf, head, dep))
            else:
                words.append(FrogWord(text, lemma, tag, conf, None if head is None else first[i], "mwp"))
    return words


def align(tokens: Sequence[str], words: Sequence[FrogWord]) -> list[int | None]:
    """For each token, the index of the Frog word with the same text in the matching stretch of both
    sequences, or None where they differ."""
    out: list[int | None] = [None] * len(tokens)
    texts = [w.text for w in words]
    if list(tokens) == texts:
        return list(range(len(tokens)))
    sm = difflib.SequenceMatcher(None, list(tokens), texts, autojunk=False)
    for a, b, size in sm.get_matching_blocks():
        for k in range(size):
            out[a + k] = b + k
    return out


# ---------------------------------------------------------------------------------------------------------
# The Frog process


class FrogError(RuntimeError):
    pass


class FrogProcess:
    """One long-lived `frog` process reading pre-tokenised sentences on stdin, answering JSON on stdout."""

    starts = 0  # processes started in this interpreter (all instances)

    def __init__(
        self,
        binary: str = "frog",
        *,
        parser: bool = False,
        threads: int = 1,
        timeout_s: float = 60.0,
        startup_timeout_s: float = 300.0,
    ) -> None:
        self.binary = binary
        self.parser = parser
        self.threads = threads
        self.timeout_s = timeout_s
        self.startup_timeout_s = startup_timeout_s
        self.startup_s: float | None = None
        self.proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._lock = threading.Lock()

    @property
    def command(self) -> list[str]:
        skip = SKIP_ALWAYS if self.parser else SKIP_ALWAYS + "m" + "p"
        return [self.binary, "-n", f"--skip={skip}", "--JSONout", f"--threads={self.threads}"]

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        """Start Frog and wait until it has answered a first sentence (its start-up takes seconds)."""
        if self.alive():
            return
        self.close()
        self._dir = tempfile.TemporaryDirectory(prefix="spiegel-frog-")
        stderr = (Path(self._dir.name) / "stderr.txt").open("w", encoding="utf-8")
        t0 = time.perf_counter()
        try:
            self.proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=self._dir.name,  # Frog looks for (and may write) debug files in its working directory
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as e:
            stderr.close()
            raise FrogError(f"Frog could not be started: {e}") from e
        stderr.close()
        FrogProcess.starts += 1
        self._lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self._lines), daemon=True).start()
        self._ask([["start"]], self.startup_timeout_s)
        self.startup_s = time.perf_counter() - t0
        log.info("Frog started in %.1f s (pid %s): %s", self.startup_s, self.proc.pid, " ".join(self.command))

    @staticmethod
    def _read(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                lines.put(line)
        except (OSError, ValueError):  # stdout closed by close()
            pass
        lines.put(None)

    def stderr_tail(self, n: int = 800) -> str:
        if self._dir is None:
            return ""
        try:
            return (Path(self._dir.name) / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-n:]
        except OSError:
            return ""

    def _ask(self, sentences: Sequence[Sequence[str]], timeout_s: float) -> list[list[dict[str, Any]]]:
        assert self.proc is not None and self.proc.stdin is not None
        answers: list[list[dict[str, Any]]] = []
        i = 0
        while i < len(sentences):
            chunk: list[str] = []
            size = 0
            while i < len(sentences) and (not chunk or size < _CHUNK_BYTES):
                line = " ".join(sentences[i]) + "\n"
                chunk.append(line)
                size += len(line.encode("utf-8"))
                i += 1
            try:
                self.proc.stdin.write("".join(chunk))
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise FrogError(f"Frog stopped: {e}; {self.stderr_tail()}") from e
            deadline = time.monotonic() + timeout_s
            for _ in chunk:
                try:
                    line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    raise FrogError(f"Frog gave no answer within {timeout_s:.0f} s") from None
                if line is None:
                    raise FrogError(f"Frog stopped (exit {self.proc.poll()}): {self.stderr_tail()}")
                try:
                    answer = json.loads(line)
                except json.JSONDecodeError as e:
                    raise FrogError(f"Frog answered a line that is not JSON ({len(line)} characters)") from e
                answers.append(answer if isinstance(answer, list) else [])
        return answers

    def analyse(self, sentences: Sequence[Sequence[str]]) -> list[list[FrogWord]]:
        """Frog's words for each sentence (a list of token texts without whitespace)."""
        if not sentences:
            return []
        with self._lock:
            try:
                self.start()
                answers = self._ask(sentences, self.timeout_s)
            except FrogError:
                self.close()  # a later call starts a fresh process
                raise
        return [expand(a) for a in answers]

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


_PROCESSES: dict[tuple[Any, ...], FrogProcess] = {}
_WARNED: set[str] = set()


def shared_process(binary: str, *, parser: bool, threads: int, timeout_s: float) -> FrogProcess:
    """The one Frog process of this run for these settings (not started until it is first asked)."""
    key = (binary, parser, threads)
    proc = _PROCESSES.get(key)
    if proc is None:
        proc = _PROCESSES[key] = FrogProcess(binary, parser=parser, threads=threads, timeout_s=timeout_s)
    return proc


@atexit.register
def close_all() -> None:
    """End every Frog process of this run."""
    for proc in list(_PROCESSES.values()):
        proc.close()
    _PROCESSES.clear()


def frog_available(binary: str = "frog") -> bool:
    return shutil.which(binary) is not None


# ---------------------------------------------------------------------------------------------------------
# The spaCy component


def _sentences(doc: Doc) -> list[list[Token]]:
    """The doc's tokens, whitespace tokens left out, cut into sentences."""
    sents: list[list[Token]] = []
    spans: Iterable[Span | Doc] = doc.sents if doc.has_annotation("SENT_START") else [doc]
    for span in spans:
        cur: list[Token] = []
        for tok in span:
            if not tok.text.strip() or any(c.isspace() for c in tok.text):
                continue
            if cur and _SENT_END.match(cur[-1].text) and not _SENT_END.match(tok.text):
                sents.append(cur)
                cur = []
            if len(cur) >= MAX_SENTENCE_TOKENS:
                sents.append(cur)
                cur = []
            cur.append(tok)
        if cur:
            sents.append(cur)
    return sents


class FrogAnnotator:
    """Fills tag_, pos_, lemma_, morph (and head/dep_ with `parser=True`) from Frog; see the module doc."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        binary: str = "frog",
        parser: bool = False,
        threads: int = 1,
        timeout_s: float = 60.0,
        batch_size: int = 256,
    ) -> None:
        self.name = name
        self.parser = parser
        self.batch_size = batch_size
        self.process: FrogProcess | None = None
        self.failures = 0
        if nlp.lang != "nl":
            self._warn(f"{nlp.lang}: Frog analyses Dutch only; the spiegel_frog component does nothing here")
        elif not frog_available(binary):
            self._warn(
                f"{binary!r} not found: the spiegel_frog component does nothing "
                "(install Debian packages frog and frogdata to use it)"
            )
        else:
            self.process = shared_process(binary, parser=parser, threads=threads, timeout_s=timeout_s)

    @staticmethod
    def _warn(message: str) -> None:
        if message not in _WARNED:
            _WARNED.add(message)
            log.warning(message)

    @property
    def available(self) -> bool:
        return self.process is not None

    def start(self) -> float:
        """Start Frog now (otherwise the first doc does); the seconds its start-up took."""
        if self.process is None:
            return 0.0
        self.process.start()
        return self.process.startup_s or 0.0

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        size = max(1, batch_size or self.batch_size)
        batch: list[Doc] = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= size:
                self._annotate(batch)
                yield from batch
                batch = []
        if batch:
            self._annotate(batch)
            yield from batch

    def _annotate(self, docs: Sequence[Doc]) -> None:
        if self.process is None:
            return
        per_doc = [_sentences(doc) for doc in docs]
        flat = [s for sents in per_doc for s in sents]
        try:
            answers = self.process.analyse([[t.text for t in s] for s in flat])
        except FrogError as e:
            self.failures += 1
            log.warning("Frog failed on a batch of %d docs, left without its annotation: %s", len(docs), e)
            if self.failures >= 3:
                self._warn("Frog failed three times: the spiegel_frog component is switched off for this run")
                self.process = None
            return
        k = 0
        for doc, sents in zip(docs, per_doc, strict=True):
            heads = list(range(len(doc)))
            deps = [""] * len(doc)
            parsed = False
            for sent in sents:
                words = answers[k]
                k += 1
                if self._fill(sent, words, heads, deps):
                    parsed = True
            if parsed:
                self._set_heads(doc, heads, deps)
            elif not self.parser and sents and not doc.has_annotation("SENT_START"):
                starts = {sent[0].i for sent in sents}
                for tok in doc:
                    tok.is_sent_start = tok.i == 0 or tok.i in starts

    def _fill(self, sent: list[Token], words: list[FrogWord], heads: list[int], deps: list[str]) -> bool:
        idx = align([t.text for t in sent], words)
        token_of = {j: sent[i].i for i, j in enumerate(idx) if j is not None}
        parsed = False
        for tok, j in zip(sent, idx, strict=True):
            if j is None:
                continue
            w = words[j]
            pos, morph = cgn_to_ud(w.tag, w.lemma)
            tok.tag_ = w.tag
            tok.lemma_ = w.lemma
            if pos == "VERB" and (
                w.lemma in _COPULA_LEMMAS
                or (w.lemma in _AUX_LEMMAS and _governs_verb(j, words, parsed=self.parser))
            ):
                pos = "AUX"
            tok.pos_ = pos
            tok.set_morph(morph)
            if self.parser and w.head is not None:
                if w.head == -1:
                    deps[tok.i] = "ROOT"
                    parsed = True
                elif w.head in token_of:
                    heads[tok.i] = token_of[w.head]
                    deps[tok.i] = w.dep
                    parsed = True
        return parsed

    @staticmethod
    def _set_heads(doc: Doc, heads: list[int], deps: list[str]) -> None:
        for i in range(len(heads)):  # a head chain that loops (only after a mismatch) is cut where it closes
            path: set[int] = set()
            j = i
            while heads[j] != j:
                path.add(j)
                if heads[j] in path:
                    heads[j], deps[j] = j, ""
                    break
                j = heads[j]
        arr = numpy.empty((len(doc), 2), dtype="uint64")
        rel = numpy.array(heads, dtype="int64") - numpy.arange(len(doc), dtype="int64")
        arr[:, 0] = rel.astype("uint64")  # relative heads, negative ones wrapped as spaCy stores them
        arr[:, 1] = numpy.array([doc.vocab.strings.add(d) if d else 0 for d in deps], dtype="uint64")
        doc.from_array([HEAD, DEP], arr)


def _governs_verb(j: int, words: Sequence[FrogWord], *, parsed: bool) -> bool:
    """Whether Frog word j (an auxiliary or modal) has a verbal complement: a `vc` dependent where the parser
    ran, otherwise any infinitive or participle in the same sentence."""
    if parsed:
        return any(w.head == j and w.dep == "vc" for w in words)
    return any(w.tag.startswith(("WW(inf", "WW(vd")) for k, w in enumerate(words) if k != j)


@Language.factory(
    "spiegel_frog",
    assigns=[
        "token.tag",
        "token.pos",
        "token.lemma",
        "token.morph",
        "token.dep",
        "token.head",
        "token.is_sent_start",
    ],
    default_config={"binary": "frog", "parser": False, "threads": 1, "timeout_s": 60.0, "batch_size": 256},
)
def make_spiegel_frog(
    nlp: Language, name: str, binary: str, parser: bool, threads: int, timeout_s: float, batch_size: int
) -> FrogAnnotator:
    return FrogAnnotator(
        nlp, name, binary=binary, parser=parser, threads=threads, timeout_s=timeout_s, batch_size=batch_size
    )
