"""The exceptions of domopt, each carrying the stable code of the error.

Every error of the library is a :class:`DomoptError`; its ``code`` is the
code the CLI prints (``E100`` a malformed file, ``E120`` a bad setting,
``E121`` a file that cannot be read, ...; docs/format.md lists them all).
A scenario that fails validation raises :class:`ValidationError`, whose
``issues`` list every problem found (errors and warnings) as records with
``code``, ``severity``, ``record``, ``field``, ``message`` and ``action``;
its ``code`` is the first error's. A reservation ledger that refuses or
fails raises :class:`LedgerError` with the ledger's code.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "DomoptError",
    "ValidationError",
    "ParseError",
    "FileError",
    "SettingsError",
    "SolveError",
    "LedgerError",
]


class DomoptError(Exception):
    """An error of domopt, with its stable code (``None`` where the library
    gives none, e.g. a solve that made no plan)."""

    code: Optional[str]
    issues: list[dict[str, Any]]

    def __init__(
        self,
        message: str,
        code: Optional[str] = None,
        issues: Optional[list[dict[str, Any]]] = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.issues = list(issues or [])

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.code}: {text}" if self.code else text

    def __reduce__(self):  # picklable across processes (Dask workers)
        return (type(self), (self.args[0], self.code, self.issues))


class ValidationError(DomoptError):
    """The input has errors (codes E101-E131 for a scenario, E190-E197 for a
    tune's grid or a simulation's options); ``issues`` lists them all."""


class ParseError(DomoptError):
    """A file or table is not well-formed for its type (E100), or a scenario
    folder lacks a table another one needs (E118)."""


class FileError(DomoptError):
    """A file cannot be read or written (E121), or a folder cannot take a
    plan (E122)."""


class SettingsError(DomoptError):
    """An argument out of range or unknown (E120: a time limit, a strategy,
    a candidate mode, a preset, an override) or an unknown cost model
    (E119)."""


class SolveError(DomoptError):
    """No plan could be made (the solver failed and no fallback plan exists)."""


class LedgerError(DomoptError):
    """The reservation ledger refused or failed, and nothing was committed;
    ``code`` is the ledger's (docs/format.md): E147 when its file or
    database cannot be opened or was not free within the store timeout,
    E150 when the stock kept changing through every retry of a commit,
    E151 a malformed ledger URL, E140-E146, E148, E149 (and E102, E128 for
    an unknown node, SKU or channel) a refusal."""
