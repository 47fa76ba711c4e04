"""Reading a batch CSV and planning its batches: every row validated with its line number, and
a plan that depends on the rows alone, never on the file's bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_utils.crypto import keccak

from ledger.encoding import pack_rows, text_to_bytes
from ledger.errors import InputError
from ledger.ops.batch import BATCH_DOMAIN, batch_label, plan_batches
from ledger.ops.csvfile import BatchFileError, read_batch

P1, P2 = "0x" + "11" * 32, "0x" + "22" * 32
CID = text_to_bytes("c")


def write(tmp_path: Path, text: str, name: str = "rewards.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_valid_file_yields_its_rows_and_the_line_of_each_reference(tmp_path: Path) -> None:
    source = read_batch(write(tmp_path, f"player,amount,reference\n{P1},10,a\n{P2},20,b\n"))
    assert [(r.amount, r.ref) for r in source.rows] == [
        (10, text_to_bytes("a", 20)),
        (20, text_to_bytes("b", 20)),
    ]
    assert [source.line_of(r) for r in source.rows] == [2, 3]


def test_columns_may_come_in_any_order_with_any_case(tmp_path: Path) -> None:
    assert read_batch(write(tmp_path, f"Reference,AMOUNT,player\nx,5,{P1}\n")).rows[0].amount == 5


def test_every_invalid_row_is_reported_with_its_line_number(tmp_path: Path) -> None:
    text = (
        f"player,amount,reference\n{P1},10,a\n0x12,5,b\n{P2},-3,c\n{P2},1.5,d\n{P1},7,a\n{P1},7,{'r' * 21}\n"
        f"{P1},{'9' * 5000},e\n{P1},5,f,extra\n"
    )
    with pytest.raises(BatchFileError) as info:
        read_batch(write(tmp_path, text))
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in range(3, 10)]
    assert "repeats line 2" in problems[3]
    assert "larger than the maximum" in problems[5] and len(problems[5]) < 200
    assert "4 value(s), but the header has 3 columns" in problems[6]
    assert "nothing was sent" in str(info.value)


def test_a_line_separator_inside_a_value_neither_shifts_lines_nor_passes_as_a_reference(
    tmp_path: Path,
) -> None:
    text = f"player,amount,reference\n{P1},10,a\u2028b\n{P2},20,0x12\n{P1},7,ok\n"
    with pytest.raises(BatchFileError) as info:
        read_batch(write(tmp_path, text))
    assert [p.split(":")[0] for p in info.value.problems] == ["line 2"]
    assert "line-separator" in info.value.problems[0]


def test_an_unknown_or_repeated_column_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown column.*'note'"):
        read_batch(write(tmp_path, f"player,amount,reference,note\n{P1},1,a,hi\n"))
    with pytest.raises(InputError, match="amount appear twice"):
        read_batch(write(tmp_path, f"player,amount,reference,amount\n{P1},1,a,1\n"))


def test_a_missing_column_an_empty_file_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lacks column"):
        read_batch(write(tmp_path, "player,amount\n"))
    with pytest.raises(InputError, match="no rows"):
        read_batch(write(tmp_path, "player,amount,reference\n"))
    with pytest.raises(InputError, match="cannot read"):
        read_batch(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="not UTF-8"):
        read_batch(write(tmp_path, "player,amount,reference\n\xff", encoding="latin-1"))


def test_line_endings_a_bom_and_row_order_make_the_same_batches(tmp_path: Path) -> None:
    lines = [f"{P1 if i % 2 else P2},{i + 1},r{i:02d}" for i in range(10)]
    header = "player,amount,reference"
    variants = {
        "lf": header + "\n" + "\n".join(lines) + "\n",
        "crlf": header + "\r\n" + "\r\n".join(lines) + "\r\n",
        "bom": "\ufeff" + header + "\n" + "\n".join(lines),
        "reordered": header + "\n" + "\n".join(reversed(lines)) + "\n",
    }
    plans = {
        name: plan_batches(read_batch(write(tmp_path, text, f"{name}.csv")).rows, CID, 4, "rewards")
        for name, text in variants.items()
    }
    first = plans["lf"]
    assert all(plan == first for plan in plans.values())
    assert [len(b.rows) for b in first] == [4, 4, 2]
    # canonical order is by reference; each id is the label and a hash of campaign and rows
    assert [r.ref.rstrip(b"\0").decode() for r in first[0].rows] == ["r00", "r01", "r02", "r03"]
    digest = keccak(BATCH_DOMAIN + CID + pack_rows(first[0].rows)).hex()[:16]
    assert first[0].batch_id == f"rewards.{digest}".encode().ljust(32, b"\0")
    assert first[0].name == f"rewards.{digest}"


def test_a_batch_id_changes_with_the_campaign_and_with_any_row(tmp_path: Path) -> None:
    rows = read_batch(write(tmp_path, f"player,amount,reference\n{P1},10,a\n{P2},20,b\n")).rows
    base = plan_batches(rows, CID, 10, "x")[0].batch_id
    assert plan_batches(rows, text_to_bytes("d"), 10, "x")[0].batch_id != base
    assert plan_batches(rows[:1], CID, 10, "x")[0].batch_id != base


@pytest.mark.parametrize(
    ("name", "label"),
    [("Cashback Week 1.csv", "cashback-week-1"), ("données.csv", "donn-es"), ("...csv", "batch"),
     ("a-very-long-file-name-for-rewards.csv", "a-very-long-fil")],
)  # fmt: skip
def test_batch_labels_are_short_readable_text(name: str, label: str) -> None:
    assert batch_label(name) == label
