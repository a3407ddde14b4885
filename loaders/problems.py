"""Errors and warnings about an imported file, phrased for the person who filled it in."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.contract import SUBMISSION
from loaders.values import shown


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a look) in a file: where it is, what was found, what was expected.

    An error refuses the whole file; a warning is reported and the file is imported.
    """

    file: str
    expected: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    is_warning: bool = False

    @property
    def where(self) -> str:
        """File › sheet › row › column (on the Innsending sheet, the field), as far as known."""
        parts = [self.file]
        if self.sheet:
            parts.append(self.sheet)
        if self.row:
            parts.append(f"rad {self.row}")
        if self.column:
            # the Innsending sheet holds a field per row (Felt, Verdi): «kolonne «Virksomhet»» named no column of it
            parts.append(f"{'feltet' if self.sheet == SUBMISSION.sheet else 'kolonne'} «{self.column}»")
        return " › ".join(parts)

    @property
    def message(self) -> str:
        """What was found and what was expected."""
        if self.value is None:
            return self.expected
        return f"fant «{shown(self.value)}», forventet {self.expected}"

    def __str__(self) -> str:
        label = "Advarsel" if self.is_warning else "Feil"
        return f"{label}: {self.where}: {self.message}"
