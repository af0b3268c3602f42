"""Coded errors: a user who pastes the message can search for the code."""
from __future__ import annotations


class ClaimcheckError(Exception):
    """Base error. Messages are one line and start with a code like [CC101]."""

    code = "CC000"

    def __init__(self, message: str, code: str | None = None):
        if code:
            self.code = code
        self.message = message
        super().__init__(f"[{self.code}] {message}")


class InputError(ClaimcheckError):
    """The user's input cannot be audited (empty, binary, too large, undecodable, missing)."""

    code = "CC100"


class ChecklistError(ClaimcheckError):
    """A checklist entry is invalid; the message names the file."""

    code = "CC200"


class DataError(ClaimcheckError):
    """Bundled data (evidence base, context rules, lexicon, bibliography) is invalid."""

    code = "CC300"
