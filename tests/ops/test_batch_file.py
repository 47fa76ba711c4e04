"""Reading a batch CSV: every row validated before anything is sent, with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.encoding import text_to_bytes
from ledger.errors import InputError
from ledger.ops.batch import BatchFileError, load_or_save_plan, make_plan, read_batch_file

P1, P2 = "0x" + "11" * 32, "0x" + "22" * 32


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rewards.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_yields_its_rows_and_digest(tmp_path: Path) -> None:
    rows, digest = read_batch_file(write(tmp_path, f"player,amount,reference\n{P1},10,a\n{P2},20,b\n"))
    assert [(r.amount, r.ref) for r in rows] == [(10, text_to_bytes("a", 20)), (20, text_to_bytes("b", 20))]
    assert len(digest) == 64


def test_columns_may_come_in_any_order_with_any_case(tmp_path: Path) -> None:
    rows, _ = read_batch_file(write(tmp_path, f"Reference,AMOUNT,player\nx,5,{P1}\n"))
    assert rows[0].amount == 5


def test_every_invalid_row_is_reported_with_its_line_number(tmp_path: Path) -> None:
    text = (
        f"player,amount,reference\n{P1},10,a\n0x12,5,b\n{P2},-3,c\n{P2},1.5,d\n{P1},7,a\n{P1},7,{'r' * 21}\n"
    )
    with pytest.raises(BatchFileError) as info:
        read_batch_file(write(tmp_path, text))
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5", "line 6", "line 7"]
    assert "repeats line 2" in problems[3]
    assert "nothing was sent" in str(info.value)


def test_a_missing_column_or_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lacks column"):
        read_batch_file(write(tmp_path, "player,amount\n"))
    with pytest.raises(InputError, match="no rows"):
        read_batch_file(write(tmp_path, "player,amount,reference\n"))
    with pytest.raises(InputError, match="cannot read"):
        read_batch_file(tmp_path / "missing.csv")


def test_a_plan_is_deterministic_and_the_saved_one_wins(tmp_path: Path) -> None:
    lines = "".join(f"{P1},{i + 1},r{i}\n" for i in range(10))
    rows, digest = read_batch_file(write(tmp_path, "player,amount,reference\n" + lines))
    cid = text_to_bytes("c")
    plan = make_plan(rows, digest, cid, 4)
    assert [(c.start, c.end) for c in plan.chunks] == [(0, 4), (4, 8), (8, 10)]
    assert plan == make_plan(rows, digest, cid, 4)
    assert len({c.batch_id for c in plan.chunks}) == 3
    saved = load_or_save_plan(tmp_path / "plans", plan)
    assert load_or_save_plan(tmp_path / "plans", make_plan(rows, digest, cid, 3)) == saved
