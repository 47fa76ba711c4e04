"""The pages' own routes over HTTP: assets, headers, configuration and the exact time series."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.main import create_app
from api.web.series import _sums_in_python, _sums_in_sql, bucket_width, series
from ledger.chain.node import LocalNode
from ledger.db import tables as t
from ledger.db.engine import make_engine
from tests.api.conftest import settings_for
from tests.api.world import index_into
from tests.conftest import fresh_database
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
    }  # fmt: skip


def test_the_config_prefers_the_public_rpc_url_the_operator_sets(site: Site, anvil: LocalNode) -> None:
    # Sync on purpose: this package's Playwright owns the event loop while its fixtures live.
    settings = settings_for(site.url, site.world, anvil).model_copy(
        update={"public_rpc_url": "https://rpc.example.org/ledger"}
    )
    with serving(create_app(settings)) as base:
        config = httpx.get(f"{base}/web/config.json").json()
    assert config["rpc_url"] == "https://rpc.example.org/ledger"
    assert config["audit_token_required"] is False


def test_the_series_needs_the_audit_token(site: Site) -> None:
    assert get(site, "/web/audit/series").status_code == 401
    assert get(site, "/web/audit/series", token="wrong").status_code == 401
    assert get(site, "/web/audit/series?buckets=1", token=TOKEN).status_code == 422


def test_the_series_sums_every_entry_by_kind_into_aligned_buckets(site: Site) -> None:
    series = get(site, "/web/audit/series?buckets=30", token=TOKEN).json()
    summary = site.api("/v1/audit/summary")
    for kind in ("issued", "paid", "reversed", "expired"):
        assert sum(int(p[kind]) for p in series["points"]) == int(summary[kind])
    width = series["bucket_seconds"]
    assert width == 86_400  # 16+ days of history in at most 30 buckets: a day each
    times = [p["time"] for p in series["points"]]
    assert all(time % width == 0 for time in times) and times == list(range(times[0], times[-1] + 1, width))
    assert len(times) <= 30


def test_the_series_sums_in_sql_and_in_python_agree(site: Site) -> None:
    with site.engine.connect() as conn:
        first = conn.execute(select(func.min(t.entries.c.block_time))).scalar_one()
        assert _sums_in_sql(conn, first, 3600) == dict(_sums_in_python(conn, first, 3600))


@pytest.mark.parametrize(
    ("first", "last", "buckets", "width"),
    [(0, 0, 60, 1), (0, 59, 60, 1), (0, 60, 60, 5), (1_000, 1_000 + 86_400 * 20, 60, 12 * 3600),
     (0, 86_400 * 365 * 10, 60, 86_400 * 90)],
)  # fmt: skip
def test_buckets_take_the_smallest_round_width_that_fits(
    first: int, last: int, buckets: int, width: int
) -> None:
    assert bucket_width(first, last, buckets) == width
    got = bucket_width(first, last, buckets)
    assert last // got - first // got < buckets


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
