"""Amounts as people read them: ledger units shown in the program's currency or unit, exactly.

The ledger counts integers (uint256). A program says what one ledger unit is worth with two
settings: `display_unit`, an ISO 4217 code (EUR) or a unit name (points), and `display_decimals`,
ledger units per displayed unit as a power of ten (2: the ledger counts cents). Formatting works
on decimal digits, never on floats, so every uint256 shows exactly.

One style for every unit: digits grouped by thousands with commas, a point before the decimals,
then a space and the unit as configured. 123456 with 2 decimals in EUR reads "1,234.56 EUR";
1234 with no decimals in points reads "1,234 points". The plain form (CSV, spreadsheets) has
neither grouping nor unit: "1234.56".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ledger.errors import ConfigError

if TYPE_CHECKING:
    from ledger.config import Settings

MAX_DECIMALS = 18
MAX_UNIT_LENGTH = 24
CACHE_SIZE = 65_536  # formatted amounts kept per display: hot pages repeat the same few amounts
_CURRENCY = re.compile(r"[A-Z]{3}")


def group(digits: str) -> str:
    """Decimal digits grouped by thousands with commas: "1234567" -> "1,234,567"."""
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


class _Shown(dict[str, str]):
    """Amounts as shown, by their digits: each formatted once, then a lookup (hot pages repeat
    the same few amounts)."""

    def __init__(self, show: Callable[[str], str]) -> None:
        super().__init__()
        self.show = show

    def __missing__(self, digits: str) -> str:
        if len(self) >= CACHE_SIZE:
            self.clear()
        shown = self[digits] = self.show(digits)
        return shown


@dataclass(frozen=True)
class Display:
    """How a program shows its amounts: a unit and a number of decimals."""

    unit: str
    decimals: int
    _shown: _Shown = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unit = self.unit.strip()
        if not unit or len(unit) > MAX_UNIT_LENGTH or not unit.isprintable():
            raise ConfigError(
                f"display unit {self.unit!r} is not usable: give a currency code (EUR) or a unit name "
                f"(points) of 1 to {MAX_UNIT_LENGTH} printable characters"
            )
        if isinstance(self.decimals, bool) or not 0 <= self.decimals <= MAX_DECIMALS:
            raise ConfigError(
                f"display decimals {self.decimals!r} is not a whole number from 0 to {MAX_DECIMALS}"
            )
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "_shown", _Shown(self._text))

    @classmethod
    def from_settings(cls, settings: Settings) -> Display:
        """The display of `settings` (`LEDGER_DISPLAY_UNIT`, `LEDGER_DISPLAY_DECIMALS`)."""
        return cls(settings.display_unit, settings.display_decimals)

    @property
    def currency(self) -> bool:
        """Whether the unit is shaped like an ISO 4217 code (three capital letters)."""
        return _CURRENCY.fullmatch(self.unit) is not None

    def _split(self, amount: int | str) -> tuple[str, str, str]:
        """Sign, whole part and decimals of `amount` (an int, or decimal digits)."""
        if isinstance(amount, int):
            sign, digits = ("-", str(-amount)) if amount < 0 else ("", str(amount))
        elif amount.isascii() and amount.isdigit():
            sign, digits = "", amount
        else:
            raise ValueError(f"{amount!r:.40} is not an amount: expected decimal digits")
        digits = digits.lstrip("0") or "0"
        if not self.decimals:
            return sign, digits, ""
        digits = digits.rjust(self.decimals + 1, "0")
        return sign, digits[: -self.decimals], digits[-self.decimals :]

    def plain(self, amount: int | str) -> str:
        """The amount in display units, without grouping or unit: 123456 -> "1234.56"."""
        sign, whole, fraction = self._split(amount)
        return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"

    def text(self, amount: int | str) -> str:
        """The amount as a person reads it: 123456 -> "1,234.56 EUR"."""
        return self._shown[amount] if isinstance(amount, str) else self._text(amount)

    @property
    def show(self) -> Callable[[str], str]:
        """`text` for decimal digits, at the cost of a dictionary lookup once an amount was seen
        (what the hot routes call for every entry)."""
        return self._shown.__getitem__

    def _text(self, amount: int | str) -> str:
        sign, whole, fraction = self._split(amount)
        return f"{sign}{group(whole)}{'.' + fraction if fraction else ''} {self.unit}"
