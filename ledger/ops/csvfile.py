"""Reading a batch file: a `player,amount,reference` CSV, every row validated before anything is sent.

The file is read with the csv module's own newline handling (LF, CRLF or CR, a UTF-8 BOM or
none), so a line separator inside a value (U+2028, say) never shifts the line numbers, and the
same rows saved by another editor read the same. Unknown columns, and rows with more values
than the header has columns, are refused by name rather than ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ledger.encoding import (
    MAX_ROW_AMOUNT,
    ROW_REF_BYTES,
    Row,
    bytes_to_text,
    parse_amount,
    parse_player_key,
    row_ref_word,
    shown,
    text_to_bytes,
)
from ledger.errors import InputError

REQUIRED_COLUMNS = ("player", "amount", "reference")
MAX_REPORTED_PROBLEMS = 20
MAX_FILE_BYTES = 1 << 30


@dataclass(frozen=True)
class BatchFile:
    """The valid rows of a batch file, in file order, and the line each reference is on."""

    name: str
    rows: list[Row]
    lines: dict[bytes, int]  # 32-byte reference word -> line number

    def line_of(self, row: Row) -> int:
        return self.lines[row_ref_word(row.ref)]


class BatchFileError(InputError):
    """A batch file with invalid rows; `problems` lists them with line numbers."""

    def __init__(self, path: Path | str, problems: list[str], what: str = "invalid row(s)") -> None:
        self.problems = problems
        shown_ = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown_)
        lines = "\n".join(f"  {p}" for p in shown_) + (f"\n  ... and {more} more" if more else "")
        name = path.name if isinstance(path, Path) else path
        super().__init__(f"{name}: {len(problems)} {what}, nothing was sent\n{lines}")


def read_batch(path: Path) -> BatchFile:
    """Every row of a batch file, validated; all problems are reported at once, with line numbers."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path.name} is larger than {MAX_FILE_BYTES >> 20} MiB: split it")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {shown(str(path))}: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path.name} is not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = _header(path, next(reader, []))
        return _rows(path, reader, columns)
    except csv.Error as exc:
        raise InputError(f"{path.name}: line {reader.line_num} is not valid CSV: {exc}") from exc


def _header(path: Path, header: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in header]
    unknown = [c for c in names if c not in REQUIRED_COLUMNS]
    if unknown:
        raise InputError(
            f"{path.name}: unknown column(s) {', '.join(shown(c) for c in unknown)} in the header "
            f"(expected {','.join(REQUIRED_COLUMNS)})"
        )
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise InputError(f"{path.name}: column(s) {', '.join(twice)} appear twice in the header")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InputError(
            f"{path.name}: the header lacks column(s) {', '.join(missing)} (need player,amount,reference)"
        )
    return {name: names.index(name) for name in REQUIRED_COLUMNS}


def _rows(path: Path, reader: csv._reader, columns: dict[str, int]) -> BatchFile:  # type: ignore[name-defined]
    rows: list[Row] = []
    problems: list[str] = []
    lines: dict[bytes, int] = {}
    line = reader.line_num
    for values in reader:
        first, line = line + 1, reader.line_num  # a quoted value may span lines: name the first
        if not values or values == [""]:
            continue
        try:
            row = _row(values, columns)
        except InputError as exc:
            problems.append(f"line {first}: {exc}")
            continue
        word = row_ref_word(row.ref)
        if word in lines:
            problems.append(f"line {first}: reference {bytes_to_text(row.ref)!r} repeats line {lines[word]}")
            continue
        lines[word] = first
        rows.append(row)
    if problems:
        raise BatchFileError(path, problems)
    if not rows:
        raise InputError(f"{path.name} has no rows")
    return BatchFile(path.name, rows, lines)


def _row(values: list[str], columns: dict[str, int]) -> Row:
    if len(values) != len(columns):
        raise InputError(f"{len(values)} value(s), but the header has {len(columns)} columns")
    return parse_row(values[columns["player"]], values[columns["amount"]], values[columns["reference"]])


def parse_row(player: str, amount: str, reference: str) -> Row:
    """One reward row as a batch carries it, validated (the CSV reader and the operator API share it)."""
    key = parse_player_key(player)
    value = parse_amount(amount, maximum=MAX_ROW_AMOUNT)
    ref = text_to_bytes(reference, ROW_REF_BYTES, what="reference")
    return Row(key, value, ref)
