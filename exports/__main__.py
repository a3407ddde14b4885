"""Command line: `python -m exports deck|excel`.

    python -m exports deck  [--db PATH] --out FILE.pptx [--virksomhet NAME ...] [--aar YEAR]
    python -m exports excel [--db PATH] --out FILE.xlsx [--virksomhet NAME ...] [--aar YEAR]

--virksomhet may be repeated and takes a name, an abbreviation or an alias (HB, Statens
kartverk). An unknown agency, or a year with no round, is an error (exit 2) and nothing is
written. The store is opened read-only, so the dashboard may keep running.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from loaders.arguments import NorwegianArgumentParser
from loaders.register import load_reference
from store import database, queries
from store.queries import PilotFilter

KINDS = {"deck": ("presentasjonen", ".pptx"), "excel": ("Excel-uttrekket", ".xlsx")}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: a sub-command (deck or excel) with the same options for both."""
    common = NorwegianArgumentParser(add_help=False)
    common.add_argument("--db", help="databasefilen (standard: $PILOT_DB eller data/pilots.duckdb)")
    common.add_argument("--out", required=True, help="filen som skal skrives")
    common.add_argument("--virksomhet", action="append", default=[], metavar="NAVN",
                        help="bare denne virksomheten (navn, forkortelse eller alias); kan gjentas")
    common.add_argument("--aar", type=int, metavar="ÅR", help="bare denne runden (oppstartsår), f.eks. 2024")
    parser = NorwegianArgumentParser(prog="python -m exports",
                                     description="Lag presentasjon eller Excel-uttrekk fra Pilotoversikt.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="kommando")
    sub.add_parser("deck", parents=[common], help="presentasjon (.pptx) for utvalget")
    sub.add_parser("excel", parents=[common], help="Excel-uttrekk (.xlsx) for utvalget")
    return parser.parse_args(argv)


def resolve_agencies(texts: list[str]) -> tuple[str, ...]:
    """The register's names for agencies written any way; ValueError naming the unknown ones."""
    reference = load_reference()
    names: list[str] = []
    for text in texts:
        try:
            name = reference.match_agency(text).name
        except ValueError as exc:
            raise ValueError(f"Ukjent virksomhet: «{text}». Forventet {exc}.") from None
        if name not in names:
            names.append(name)
    return tuple(names)


def main(argv: list[str] | None = None) -> int:
    """Write the deck or the workbook for the filter given; the exit code (0 ok, 1 no store, 2 bad input)."""
    args = parse_args(argv)
    try:
        agencies = resolve_agencies(args.virksomhet)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    f = PilotFilter(agencies=agencies, start_year=args.aar)
    what, suffix = KINDS[args.command]
    out = Path(args.out)
    if out.suffix.lower() != suffix:
        print(f"Merk: {what} er en {suffix}-fil, men navnet {out.name} slutter ikke på {suffix}.", file=sys.stderr)
    started = time.monotonic()
    try:
        with database.open_store(database.db_path(args.db), read_only=True) as con:
            if not database.has_schema(con):
                print("Databasen er tom (ikke initialisert). Kjør først: python -m loaders init", file=sys.stderr)
                return 1
            if args.aar is not None:
                known = [int(y) for y in queries.rounds(con)["start_year"]]
                if args.aar not in known:  # a typo, most likely: an empty file would pass for a report
                    rounds = (f"Forventet et av de kjente oppstartsårene: {', '.join(map(str, sorted(known)))}"
                              if known else "Databasen har ingen runder ennå (python -m loaders init)")
                    print(f"Ingen runde har oppstartsår {args.aar}. {rounds}. Ingenting er skrevet.", file=sys.stderr)
                    return 2
            if args.command == "deck":
                from exports.deck import build_deck

                content = build_deck(con, f)
            else:
                from exports.excel import excel_bytes

                content = excel_bytes(con, f)
    except (database.StoreMissing, database.StoreBusy, database.StoreUnreadable) as exc:
        print(exc, file=sys.stderr)
        return 1
    except duckdb.Error as exc:  # the store opened, but a query on it failed (a damaged block)
        print(database.read_failure(database.db_path(args.db), exc), file=sys.stderr)
        return 1
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    from exports.common import filter_text
    from ui.formatting import number

    print(f"Skrev {what} til {out} (utvalg: {filter_text(f)}; {number(time.monotonic() - started, 1)} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
