"""The one exception type users see: its message is a single plain sentence, printed without a traceback."""


class UserError(Exception):
    """A problem the user can act on (bad input, missing file, wrong key).

    The CLI prints `str(error)` as one line on stderr and exits non-zero; nothing is written half-way.
    """
