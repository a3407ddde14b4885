"""The command lines' argument parser, in Norwegian: argparse's own words («usage», «error: the following
arguments are required») were the only English a user of `python -m loaders` or `python -m exports` met."""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

# argparse's headings and its help option, as it writes them
_HELP_WORDS = (
    ("usage: ", "bruk:  "),  # as long as «usage: »: the lines after it are indented to match
    ("positional arguments:", "argumenter:"),
    ("options:", "valg:"),
    ("show this help message and exit", "vis denne hjelpen og avslutt"),
)
# argparse's error messages, as patterns, with what to say instead
_ERRORS = (
    (r"the following arguments are required: (.*)", r"dette må oppgis: \1"),
    (r"unrecognized arguments: (.*)", r"ukjente argumenter: \1"),
    (r"argument (.*?): invalid choice: (.*) \(choose from (.*)\)", r"\1: ugyldig valg \2 (velg blant \3)"),
    (r"argument (.*?): invalid int value: (.*)", r"\1: forventet et heltall, fikk \2"),
    (r"argument (.*?): expected one argument", r"\1: mangler verdien sin"),
    (r"argument (.*?): expected at least one argument", r"\1: mangler minst én verdi"),
    (r"argument (.*?): ignored explicit argument (.*)", r"\1: tar ingen verdi, fikk \2"),
    (r"argument (.*?): not allowed with argument (.*)", r"\1: kan ikke brukes sammen med \2"),
)


def _norwegian(text: str) -> str:
    for english, norwegian in _HELP_WORDS:
        text = text.replace(english, norwegian)
    return text


def error_text(message: str) -> str:
    """argparse's error message in Norwegian (as it is, where no pattern knows it)."""
    for pattern, replacement in _ERRORS:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


class NorwegianArgumentParser(argparse.ArgumentParser):
    """argparse.ArgumentParser that writes its help, usage and errors in Norwegian (exit code 2 on an error, as
    argparse's)."""

    def format_usage(self) -> str:
        return _norwegian(super().format_usage())

    def format_help(self) -> str:
        return _norwegian(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: feil: {error_text(message)}\n")
