"""Amounts for people: the exact formatter, the `_display` fields of every route, `/v1/display`."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import example, given
from hypothesis import strategies as st

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from ledger.display import Display
from ledger.errors import ConfigError
from tests.api.world import World

U256 = st.integers(min_value=0, max_value=2**256 - 1)


def by_decimal(amount: int, decimals: int, grouped: bool) -> str:
    """The same figure through Python's exact decimal arithmetic, an independent statement of it."""
    with localcontext() as ctx:
        ctx.prec = 200
        return format(Decimal(amount).scaleb(-decimals), f"{',' if grouped else ''}.{decimals}f")


@given(amount=U256, decimals=st.integers(min_value=0, max_value=18))
@example(amount=2**256 - 1, decimals=18).via("the largest amount, the most decimals")
@example(amount=5, decimals=18).via("less than one unit")
def test_amounts_show_exactly_as_decimal_arithmetic_states_them(amount: int, decimals: int) -> None:
    display = Display("EUR", decimals)
    shown = f"{by_decimal(amount, decimals, True)} EUR"
    assert display.text(amount) == display.text(str(amount)) == display.show(str(amount)) == shown
    assert display.plain(amount) == display.plain(str(amount)) == by_decimal(amount, decimals, False)


@given(amount=st.integers(min_value=-(2**256), max_value=-1))
def test_a_negative_figure_keeps_its_sign(amount: int) -> None:
    assert Display("points", 3).text(amount) == f"{by_decimal(amount, 3, True)} points"


def test_the_documented_examples() -> None:
    assert Display("EUR", 2).text(123456) == "1,234.56 EUR"
    assert Display("EUR", 2).plain("1234567") == "12345.67"
    assert Display("points", 0).text(1234) == "1,234 points"
    assert Display("EUR", 2).text("000000000000000100") == "1.00 EUR"  # zero-padded as SQLite stores it
    assert Display(" EUR ", 2).unit == "EUR"
    assert Display("USD", 2).currency and not Display("points", 0).currency and not Display("eur", 2).currency


@pytest.mark.parametrize(
    ("unit", "decimals"),
    [
        ("", 2),
        ("   ", 2),
        ("x" * 25, 2),
        ("E\nUR", 2),
        ("a\u2028b", 2),
        ("EUR", -1),
        ("EUR", 19),
        ("EUR", True),
    ],
)
def test_an_unusable_display_setting_is_one_config_error(unit: str, decimals: int) -> None:
    with pytest.raises(ConfigError) as caught:
        Display(unit, decimals)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("value", ["12a", "-5", "1.5", "", "١٢"])
def test_text_that_is_not_decimal_digits_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        Display("EUR", 2).text(value)


def test_an_api_with_an_unusable_unit_does_not_start(world: World, anvil: LocalNode, tmp_path: Any) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}", display_unit="\u2028")
    with pytest.raises(ConfigError, match="display unit"):
        create_app(settings)


def displayed_pairs(value: Any) -> list[tuple[str, str, str]]:
    """Every (name, raw, shown) pair of `<name>` and `<name>_display` fields anywhere in an answer."""
    found: list[tuple[str, str, str]] = []
    if isinstance(value, list):
        for item in value:
            found += displayed_pairs(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_display"):
                name = key.removesuffix("_display")
                found.append((name, value[name], item))
            else:
                found += displayed_pairs(item)
    return found


async def test_every_amount_of_every_route_shows_in_euros_beside_its_raw_figure(
    euro: httpx.AsyncClient, world: World
) -> None:
    alice = world.key("alice")
    expected = {
        f"/v1/players/{alice}/balance": {"available", "earned", "paid", "reversed", "expired"},
        f"/v1/players/{alice}/history": {"amount"},
        f"/v1/players/{alice}/entries/by-ref?ref=a-1": {"amount"},
        "/v1/campaigns": {"budget", "issued", "reversed", "remaining"},
        "/v1/campaigns/welcome": {"budget", "issued", "reversed", "remaining"},
        "/v1/audit/summary": {"issued", "paid", "reversed", "expired", "outstanding"},
        "/v1/audit/campaigns": {"budget", "issued", "reversed", "remaining"},
        "/v1/audit/entries": {"amount"},
    }
    for path, names in expected.items():
        reply = await euro.get(path)
        pairs = displayed_pairs(reply.json())
        assert {name for name, _, _ in pairs} == names, path
        for name, raw, shown in pairs:
            assert shown == f"{by_decimal(int(raw), 2, True)} EUR", (path, name, raw)
    balance = (await euro.get(f"/v1/players/{alice}/balance")).json()
    assert (balance["available"], balance["available_display"]) == ("320", "3.20 EUR")


async def test_the_display_settings_are_published(euro: httpx.AsyncClient, client: httpx.AsyncClient) -> None:
    assert (await euro.get("/v1/display")).json() == {
        "unit": "EUR", "decimals": 2, "currency": True, "example": "1,234.56 EUR",
    }  # fmt: skip
    assert (await client.get("/v1/display")).json() == {
        "unit": "points", "decimals": 0, "currency": False, "example": "123,456 points",
    }  # fmt: skip


def test_every_amount_in_the_schema_has_its_display_field_beside_it(euro_app: FastAPI) -> None:
    """One rule for every route; the balance proof alone states raw storage, as the slot holds it."""
    schemas = euro_app.openapi()["components"]["schemas"]
    amounts = {
        (model, name)
        for model, schema in schemas.items()
        for name, field in schema.get("properties", {}).items()
        if field.get("pattern") == "^[0-9]+$"
    }
    missing = {(m, n) for m, n in amounts if f"{n}_display" not in schemas[m]["properties"]}
    assert len(amounts) > 15 and missing == {
        ("BalanceProofPublic", "balance"),
        ("BalanceProofPublic", "earned"),
    }
