"""The one text catalogue of the program, Dutch first, English available: `core/texts/<lang>.json`.

The dashboard (`dashboard.i18n.t`), the report (`report.*` keys) and anything else that talks to people read
the same file, so a label, a warning or an orientation has one name everywhere. Keys are flat and dotted:
`label.<label>`, `subtype.<subtype>`, `orientation.<orientation>`, `warning.<code>`, `report.<part>`,
`cue.<feature>` (an orientation's cues in words: `tagger/cue_names.py`), and the dashboard's own (`app.*`,
`session.*`, ...). A key missing in English falls back to Dutch; a key missing in both is shown as it is, so
a missing text never breaks a page or a report.

The command line talks in the user's language (`user_lang`): `spiegel --lang en`, else `SPIEGEL_LANG`, else
Dutch. Its messages are `cli.*` keys and its errors `error.*` keys (`core.errors.UserError`). Below the CLI
the same language is spoken with `user_text`: warning log lines (`log.*`, shown without `-v`), the problems
of a rule file (`rules.*`, `core.errors.InvalidValue`) and the figures of `spiegel eval` (`eval.*`). Info
and debug log lines stay English: diagnostics shown only with `-v`, for a bug report.
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from typing import Any

LANGS: tuple[str, ...] = ("nl", "en")
DEFAULT_LANG = "nl"
#: The language of the command line's messages when `--lang` is not given.
LANG_ENV = "SPIEGEL_LANG"
_chosen: str | None = None


def lang_code(value: str | None) -> str | None:
    """`"en"`, `"EN"`, `"en_GB.UTF-8"` → `"en"`; None for a language we have no texts for."""
    code = (value or "").strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if code in LANGS else None


def user_lang() -> str:
    """The language of this run's messages: the one chosen (`use_lang`), else `SPIEGEL_LANG`, else Dutch."""
    return _chosen or lang_code(os.environ.get(LANG_ENV)) or DEFAULT_LANG


def use_lang(lang: str | None) -> str:
    """Choose this run's language (None: back to `SPIEGEL_LANG` or Dutch); returns the language in force."""
    global _chosen
    _chosen = lang_code(lang)
    return user_lang()


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language (empty for a language we have no file for)."""
    if lang not in LANGS:
        return {}
    path = resources.files("core").joinpath(f"texts/{lang}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang) or key in catalogue(DEFAULT_LANG)


def text(key: str, lang: str = DEFAULT_LANG, /, **kw: Any) -> str:
    """The text for `key`, formatted with `kw` (a text whose fields do not fit is shown unformatted)."""
    found = catalogue(lang).get(key)
    if found is None:
        found = catalogue(DEFAULT_LANG).get(key, key)
    if kw:
        try:
            return found.format(**kw)
        except (KeyError, IndexError, ValueError):
            return found
    return found


def user_text(key: str, /, **kw: Any) -> str:
    """The text for `key` in this run's language: for log lines and progress labels below the CLI (the tagger,
    the store and the pipeline may not import `cli.lang`, yet speak the user's language too)."""
    return text(key, user_lang(), **kw)


def label_name(label: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a tag label; the machine name in words when the catalogue has none."""
    key = f"label.{label}"
    return text(key, lang) if has(key, lang) else label.replace("_", " ")


def subtype_name(subtype: str | None, lang: str = DEFAULT_LANG) -> str:
    if not isinstance(subtype, str) or not subtype:
        return ""
    key = f"subtype.{subtype}"
    return text(key, lang) if has(key, lang) else subtype.replace("_", " ")


def warning_text(code: str, lang: str = DEFAULT_LANG) -> str:
    """A `sessions.warnings` code in words (with its time range or count); unknown codes are shown as they are."""
    from core.warnings import parse_warning

    name, fields = parse_warning(code)
    key = f"warning.{name}"
    return text(key, lang, **fields) if has(key, lang) else text("warning.unknown", lang, code=code)
