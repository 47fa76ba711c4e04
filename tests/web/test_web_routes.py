"""The pages' own routes over HTTP: assets, headers, configuration and the exact time series."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.main import create_app
from api.web.series import MONDAY, Period, _sums_in_python, _sums_in_sql, choose_period, series
from ledger.chain.node import LocalNode
from ledger.db import tables as t
from ledger.db.engine import make_engine
from tests.api.conftest import settings_for
from tests.api.world import index_into
from tests.conftest import fresh_database, needs_postgres
from tests.verify.server import serving
from tests.web.conftest import TOKEN, Site


def get(site: Site, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(site.base + path, headers=headers)


def test_the_pages_are_served_with_a_policy_that_keeps_them_to_this_host_and_the_node(site: Site) -> None:
    for path in ("/", "/audit"):
        response = get(site, path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "default-src 'none'" in csp
        assert response.headers["referrer-policy"] == "no-referrer"  # player keys stay out of Referer
    assert get(site, "/web/player.js").headers["content-type"].startswith("text/javascript")
    assert "@license MIT" in get(site, "/web/sha3.min.js").text


@pytest.mark.parametrize("name", ["nothing.js", "..%2Froutes.py", "%2E%2E%2F%2E%2E%2Fmain.py", "series.py"])
def test_only_the_static_assets_are_reachable_under_web(site: Site, name: str) -> None:
    assert get(site, f"/web/{name}").status_code == 404


def test_the_config_publishes_the_node_chain_and_contract(site: Site) -> None:
    config = get(site, "/web/config.json").json()
    assert config == {
        "rpc_url": site.rpc, "chain_id": 31337, "contract": site.world.address.lower(), "audit_token_required": True,
        "display": {"unit": "points", "decimals": 0},
    }  # fmt: skip


def test_the_config_prefers_the_public_rpc_url_the_operator_sets(site: Site, anvil: LocalNode) -> None:
    # Sync on purpose: this package's Playwright owns the event loop while its fixtures live.
    settings = settings_for(site.url, site.world, anvil).model_copy(
        update={
            "public_rpc_url": "https://rpc.example.org/ledger",
            "display_unit": "EUR",
            "display_decimals": 2,
        }
    )
    with serving(create_app(settings)) as base:
        config = httpx.get(f"{base}/web/config.json").json()
    assert config["rpc_url"] == "https://rpc.example.org/ledger"
    assert config["audit_token_required"] is False
    assert config["display"] == {"unit": "EUR", "decimals": 2}  # how the pages show amounts


def test_the_series_needs_the_audit_token(site: Site) -> None:
    assert get(site, "/web/audit/series").status_code == 401
    assert get(site, "/web/audit/series", token="wrong").status_code == 401
    assert get(site, "/web/audit/series?buckets=1", token=TOKEN).status_code == 422


def test_the_series_sums_every_entry_by_kind_into_aligned_periods(site: Site) -> None:
    series = get(site, "/web/audit/series?buckets=30", token=TOKEN).json()
    summary = site.api("/v1/audit/summary")
    for kind in ("issued", "paid", "reversed", "expired"):
        assert sum(int(p[kind]) for p in series["points"]) == int(summary[kind])
    assert (series["unit"], series["step"]) == ("day", 1)  # 16+ days of history in at most 30 periods
    times = [p["time"] for p in series["points"]]
    assert all(time % 86_400 == 0 for time in times) and times == list(range(times[0], times[-1] + 1, 86_400))
    assert [p["end"] for p in series["points"][:-1]] == times[1:]
    assert len(times) <= 30


def test_the_series_sums_in_sql_and_in_python_agree(site: Site) -> None:
    with site.engine.connect() as conn:
        first = conn.execute(select(func.min(t.entries.c.block_time))).scalar_one()
        assert _sums_in_sql(conn, first, 3600) == dict(_sums_in_python(conn, first, 3600))


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("first", "last", "buckets", "period"),
    [("2026-03-10 09:00:00", "2026-03-10 09:00:00", 60, ("second", 1)),
     ("2026-03-10 09:00:00", "2026-03-10 09:00:59", 60, ("second", 1)),
     ("2026-03-10 09:00:00", "2026-03-10 09:01:00", 60, ("second", 5)),
     ("2026-03-10 09:00:00", "2026-03-10 09:40:00", 60, ("minute", 1)),
     ("2026-03-10 09:00:00", "2026-03-10 09:40:00", 24, ("minute", 5)),
     ("2026-03-10 09:00:00", "2026-03-11 05:00:00", 60, ("minute", 30)),
     ("2026-03-10 09:00:00", "2026-03-30 09:00:00", 60, ("hour", 12)),
     ("2026-03-10 09:00:00", "2026-03-30 09:00:00", 24, ("day", 1)),
     ("2026-03-10 09:00:00", "2026-07-01 00:00:00", 24, ("week", 1)),
     ("2026-03-10 09:00:00", "2027-01-01 00:00:00", 24, ("month", 1)),
     ("2020-01-01 00:00:00", "2029-12-31 00:00:00", 60, ("month", 3)),
     ("1990-01-01 00:00:00", "2029-12-31 00:00:00", 24, ("month", 24))],
)  # fmt: skip
def test_periods_are_the_finest_a_reader_counts_in_that_fit(
    first: str, last: str, buckets: int, period: tuple[str, int]
) -> None:
    chosen = choose_period(ts(first), ts(last), buckets)
    assert (chosen.unit, chosen.step) == period
    assert chosen.count(ts(first), ts(last)) <= buckets


def test_periods_start_on_round_utc_times_and_follow_each_other() -> None:
    t = ts("2026-03-11 17:42:13")  # a Wednesday
    assert Period("minute", 15).floor(t) == ts("2026-03-11 17:30:00")
    assert Period("hour", 6).floor(t) == ts("2026-03-11 12:00:00")
    assert Period("day", 1).floor(t) == ts("2026-03-11 00:00:00")
    week = Period("week", 1).floor(t)
    assert week == ts("2026-03-09 00:00:00") and datetime.fromtimestamp(week, UTC).weekday() == 0  # Monday
    assert (week - MONDAY) % (7 * 86_400) == 0
    assert Period("month", 1).floor(t) == ts("2026-03-01 00:00:00")
    assert Period("month", 3).floor(t) == ts("2026-01-01 00:00:00")
    assert Period("month", 1).after(ts("2026-01-01 00:00:00")) == ts("2026-02-01 00:00:00")
    assert Period("month", 6).after(ts("2026-07-01 00:00:00")) == ts("2027-01-01 00:00:00")
    assert Period("month", 1).after(ts("2026-02-01 00:00:00")) - ts("2026-02-01 00:00:00") == 28 * 86_400


@needs_postgres
def test_the_series_sums_the_same_on_postgresql(site: Site, tmp_path: Path) -> None:
    with fresh_database("postgresql", tmp_path) as url:
        index_into(site.world, url)
        engine = make_engine(url)
        try:
            with engine.connect() as pg:
                totals = pg.execute(select(t.totals)).one()
                points = series(pg, 30).points
                for kind in ("issued", "paid", "reversed", "expired"):
                    assert sum(int(getattr(p, kind)) for p in points) == getattr(totals, kind)
                first = pg.execute(select(func.min(t.entries.c.block_time))).scalar_one()
                assert _sums_in_sql(pg, first, 3600) == dict(_sums_in_python(pg, first, 3600))
        finally:
            engine.dispose()
