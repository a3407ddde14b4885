"""Command line: `python -m loaders template|import|sample|init`.

    python -m loaders template skjema.xlsx          the blank reporting form
    python -m loaders import [--db PATH] FILE_OR_FOLDER...
    python -m loaders sample [--db PATH]            load the bundled sample sector
    python -m loaders init [--db PATH] [--sample-if-empty]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import duckdb

from loaders.arguments import NorwegianArgumentParser
from loaders.importer import FilePlan, import_into_store, reported, reported_at
from loaders.register import DATA_DIR, Reference, load_reference
from store import database

SAMPLE_DIR = DATA_DIR / "samples"
MAX_ERRORS_SHOWN = 200


# a folder's files read as reports: the form's formats, and the spreadsheets a report may come in and be refused as
REPORT_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".xls", ".xlsb", ".ods", ".fods", ".numbers")


def _files_in(paths: list[str]) -> tuple[list[tuple[str, bytes]], list[str], list[str]]:
    """The .xlsx and .csv files named or found in folders, with their bytes; what was not found or could not be
    read; what was passed over.

    A folder's spreadsheets of formats not read (.xls, .ods) are read, and so refused and counted; its other files
    and its subfolders are passed over, each said, so no agency's file goes missing unseen (a CSV saved as .txt, a
    folder per round). A file or folder that
    cannot be read (no access, a link to a file that is gone) is said as well, and the others are
    imported.
    """
    files: list[tuple[str, bytes]] = []
    not_read: list[str] = []
    skipped: list[str] = []

    def read(p: Path) -> None:
        try:
            files.append((_shown_name(p), p.read_bytes()))
        except OSError as exc:
            not_read.append(f"{_unreadable(_shown_name(p), exc)}; ingenting fra filen importeres")

    for raw in paths:
        path = Path(raw)
        try:  # is_dir and exists too fail where the user may not look
            found = sorted(path.iterdir()) if path.is_dir() else None
            exists = found is not None or path.exists()
        except OSError as exc:
            not_read.append(_unreadable(raw, exc))
            continue
        if found is not None:
            for p in found:
                if p.name.startswith(("~$", ".")):  # Excel's lock files and hidden files
                    continue
                try:
                    is_folder = p.is_dir()
                except OSError as exc:
                    not_read.append(_unreadable(_shown_name(p), exc))
                    continue
                if is_folder:
                    skipped.append(f"{_shown_name(p)}: en undermappe, som ikke leses; oppgi den for seg")
                elif p.suffix.lower() in REPORT_SUFFIXES:
                    read(p)  # a spreadsheet of a format not read is refused, as when named alone: «0 avvist» hid it
                else:
                    skipped.append(f"{_shown_name(p)}: ikke en .xlsx- eller .csv-fil; oppgi den direkte om den er "
                                   "en CSV med annen endelse")
        elif exists:
            read(path)  # a file, or what read_bytes says it is not
        else:
            not_read.append(f"{raw}: finnes ikke (verken fil eller mappe)")
    return files, not_read, skipped


def _unreadable(name: str, exc: OSError) -> str:
    """«name: kunne ikke leses (why)», for a file or folder the import could not read."""
    if isinstance(exc, PermissionError):
        why = "ingen tilgang; sjekk at brukeren som importerer har lov til å lese den"
    elif isinstance(exc, FileNotFoundError):
        why = "filen finnes ikke lenger, eller er en snarvei til en fil som er borte"
    else:
        why = exc.strerror or type(exc).__name__
    return f"{name}: kunne ikke leses ({why})"


def _shown_name(path: Path) -> str:
    """A file's name as text: a name that is not UTF-8 (unzipped from Windows) is read as Windows-1252."""
    raw = os.fsencode(path.name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def print_report(plans: list[FilePlan]) -> None:
    """One line per file, then its errors and warnings, each naming file, sheet, row and column (and, in a file of
    several agencies' reports, whose report the row belongs to)."""
    for plan in plans:
        print(plan.line)
        for line in plan.differences if plan.outcome == "imported" else ():
            print(f"  Endret: {line}")
        shown = plan.problems[:MAX_ERRORS_SHOWN]
        many = len(reported(plan.parsed)) > 1  # a CSV of many agencies: say whose row each problem is on
        for problem in shown:
            whose = reported_at(plan.parsed, problem) if many else ""
            print(f"  {whose} – {problem}" if whose else f"  {problem}")
        if len(plan.problems) > len(shown):
            print(f"  … og {len(plan.problems) - len(shown)} til")
    counts = {o: sum(1 for p in plans if p.outcome == o) for o in ("imported", "unchanged", "refused")}
    print(f"\n{counts['imported']} importert, {counts['unchanged']} uendret, {counts['refused']} avvist.")


def cmd_import(args: argparse.Namespace) -> int:
    """Import files and folders; exit 1 when any file was refused."""
    files, not_read, skipped = _files_in(args.paths)
    for line in not_read:
        print(line, file=sys.stderr)
    for line in skipped:
        print(f"Hoppet over {line}", file=sys.stderr)
    if not files:
        print("Ingen .xlsx- eller .csv-filer å importere.", file=sys.stderr)
        return 1
    reference = load_reference()
    _warn_of_unknown_requests(reference)
    # the sample is the sample; an import asks, as Importer does, before a file replaces a later version
    plans = import_into_store(database.db_path(args.db), files, reference,
                              hold_older=not getattr(args, "godta_eldre", True))
    if older := [p for p in plans if p.older and p.outcome in ("new", "replaces")]:
        one = len(older) == 1
        print(f"Importerte ingenting: {'filen er eldre' if one else 'filene er eldre'} enn versjonen "
              f"{'den' if one else 'de'} ville erstatte (en eldre kopi, eller en rad med feil virksomhet eller "
              "oppstartsår?):", file=sys.stderr)
        for plan in older:
            print(f"  {plan.name}: {'; '.join(plan.older)}", file=sys.stderr)
        print(f"Importer på nytt med --godta-eldre for å gjøre {'den' if one else 'dem'} gjeldende likevel "
              "(Importer-siden spør om det samme).", file=sys.stderr)
        return 1
    print_report(plans)
    return 1 if not_read or any(p.outcome == "refused" for p in plans) else 0


def _warn_of_unknown_requests(reference: Reference) -> None:
    """Name the requests of data/requests.csv that no agency of the register answers to (a typo, or a rename), and
    those for a round data/rounds.csv gives no deadline."""
    if reference.unknown_requests:
        print(f"Advarsel: data/requests.csv ber {', '.join(reference.unknown_requests)} om å rapportere, men "
              "registeret (data/agencies.csv) har ingen virksomhet med det navnet, forkortelsen eller det andre "
              "navnet. Rett navnet: ellers vises den som en egen virksomhet som ikke har levert.", file=sys.stderr)
    if reference.requests_without_deadline:
        print(f"Advarsel: data/requests.csv ber {', '.join(reference.requests_without_deadline)} om å rapportere for "
              "et oppstartsår som data/rounds.csv ikke har frist for. Legg runden og fristen inn i rounds.csv: til da "
              "står de som «Frist ikke ute» og følges ikke opp.", file=sys.stderr)


def cmd_sample(args: argparse.Namespace) -> int:
    """Import the bundled sample sector (its files, not the README beside them, which a folder's import names)."""
    args.paths = [str(p) for p in sorted(SAMPLE_DIR.iterdir()) if p.suffix.lower() in (".xlsx", ".csv")]
    return cmd_import(args)


def cmd_template(args: argparse.Namespace) -> int:
    """Write the blank reporting form."""
    from loaders.template import write_template

    out = Path(args.file)
    write_template(out, load_reference())
    print(f"Skrev skjemaet til {out}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Create the store and copy the reference data into it; load the sample if asked and empty."""
    reference = load_reference()
    _warn_of_unknown_requests(reference)
    path = database.db_path(args.db)
    with database.open_store(path) as con:
        database.sync_reference(con, reference)
        empty = database.submission_count(con) == 0
    print(f"Databasen {path} er klar (register, runder og innstillinger oppdatert).")
    if args.sample_if_empty and empty:
        print("Databasen er tom: laster eksempeldataene.")
        return cmd_sample(args)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = NorwegianArgumentParser(prog="python -m loaders", description="Pilotoversikt: skjema og import")
    sub = parser.add_subparsers(dest="command", required=True, metavar="kommando")
    p = sub.add_parser("template", help="skriv det tomme rapporteringsskjemaet")
    p.add_argument("file")
    p.set_defaults(func=cmd_template)
    p = sub.add_parser("import", help="importer .xlsx- og .csv-filer eller mapper")
    p.add_argument("--db", help="databasefil (ellers $PILOT_DB eller data/pilots.duckdb)")
    p.add_argument("--godta-eldre", action="store_true",
                   help="gjør en fil gjeldende også når den er eldre enn versjonen den erstatter")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("sample", help="last eksempelsektoren fra data/samples")
    p.add_argument("--db")
    p.set_defaults(func=cmd_sample)
    p = sub.add_parser("init", help="opprett databasen og oppdater registeret")
    p.add_argument("--db")
    p.add_argument("--sample-if-empty", action="store_true")
    p.set_defaults(func=cmd_init)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (database.StoreBusy, database.StoreUnreadable) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # the store opened, but a query on it failed (a damaged block)
        print(database.read_failure(database.db_path(getattr(args, "db", None)), exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
