"""The one exception type users see: its message is a single plain sentence, printed without a traceback.

The sentence lives in the text catalogue (`core/texts/<lang>.json`), so a bad input is told in the user's
language: raise `UserError("error.audio.empty", name=path.name)` and the CLI prints the Dutch or English text
with the fields filled in. `str(error)` is the text in the language of this run (`core.texts.user_lang`); the
dashboard asks for its page's language with `error.message(lang)`. A first argument that is not a catalogue
key is shown as it is (tests/architecture/test_messages.py keeps our own code from relying on that).
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """A problem the user can act on (bad input, missing file, wrong key).

    The CLI prints `str(error)` as one line on stderr and exits non-zero; nothing is written half-way.
    """

    #: The language `str(error)` uses when set (`in_lang`); None: the language of this run.
    lang: str | None = None

    def __init__(self, key: str, /, **fields: Any) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def message(self, lang: str | None = None) -> str:
        """The sentence in `lang` (default: the language given by `in_lang`, else that of this run)."""
        from core.texts import has, text, user_lang

        lang = lang or self.lang or user_lang()
        return text(self.key, lang, **self.fields) if has(self.key, lang) else self.key

    def in_lang(self, lang: str) -> UserError:
        """Pin the language of `str(error)`: a dashboard page raises in its own language, which may differ
        from the process's (`SPIEGEL_LANG`), and Streamlit shows a raised error by its `str`."""
        self.lang = lang
        return self

    def __str__(self) -> str:
        return self.message()

    def __reduce__(self) -> tuple[Any, ...]:
        # keeps key and fields across processes (`spiegel process --jobs N` sends errors back from workers)
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[UserError], state: dict[str, Any]) -> UserError:
    error = cls.__new__(cls)
    Exception.__init__(error, state["key"])
    error.__dict__.update(state)
    return error


class InvalidValue(ValueError):
    """A `ValueError` whose sentence is a catalogue key, like `UserError`: for checks whose problem a caller
    collects and shows (`spiegel patterns check` lists every bad line of a rule file as `file:line: problem`),
    where an exception that ends the command would be wrong. `str(error)` is the text in this run's language.
    """

    def __init__(self, key: str, /, **fields: Any) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def message(self, lang: str | None = None) -> str:
        from core.texts import text, user_lang

        return text(self.key, lang or user_lang(), **self.fields)

    def __str__(self) -> str:
        return self.message()
