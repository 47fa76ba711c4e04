"""The games routes on SQLite and PostgreSQL: leaderboard pages with proofs the player's check
accepts against the chain, a player's standing, badges with evidence, the tier with progress."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from api.main import create_app
from ledger.chain.node import LocalNode
from ledger.config import Settings
from ledger.games.apiclaims import GamesApi
from ledger.games.check import Claim, check_standing, check_tier
from ledger.games.document import hash_of, parse_document
from ledger.games.facts import player_facts
from ledger.games.mirror import save_badge, save_standings, save_tier_table
from ledger.games.tiers import FORMAT as TIERS_FORMAT
from ledger.games.tiers import tier_table
from tests.conftest import random_player
from tests.games.conftest import GamesHarness
from tests.games.test_badges import award, define_all
from tests.games.world import finished, prizes
from tests.indexer.conftest import index
from tests.verify.server import serving

TOURNAMENT = b"api-week".ljust(32, b"\x00")
TIERS = {
    "format": TIERS_FORMAT,
    "base": "member",
    "tiers": [{"name": "silver", "min_earned": "100"}, {"name": "gold", "min_earned": "1000"}],
}


@pytest.fixture
async def api(
    games: GamesHarness, engine: Engine, anvil: LocalNode, tmp_path: Path, chain_snapshot: None
) -> AsyncIterator[tuple[httpx.AsyncClient, GamesHarness, dict[str, bytes]]]:
    final = finished(games, TOURNAMENT, count=8)
    table = tier_table(parse_document(json.dumps(TIERS), TIERS_FORMAT, "tiers"))
    games.send("publishTierTable", table.hash, table.thresholds, 0, 0, 0)
    player = random_player()
    games.ledger.issue(games.campaign, player, 150)
    badge = define_all(games)["earned-1000"]
    games.ledger.issue(games.campaign, player, 900)
    evidence = award(games, badge, player)
    index(games.ledger, engine)
    save_standings(engine, TOURNAMENT, final, 2, True)
    save_tier_table(engine, 1, table.hash, table.document.canonical)
    save_badge(engine, player, badge.key, badge.rule, evidence)
    settings = Settings(
        database_url=str(engine.url.render_as_string(hide_password=False)), rpc_url=anvil.url,
        data_dir=tmp_path, contract_address=games.ledger.client.address,
    )  # fmt: skip
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as client:
        yield client, games, {"player": player, "top": final.ranked[0].player}


async def test_leaderboard_pages_carry_proofs_the_players_check_accepts(
    api: tuple[httpx.AsyncClient, GamesHarness, dict[str, bytes]],
) -> None:
    client, games, _ = api
    lines: list[dict[str, object]] = []
    after = 0
    while True:
        reply = await client.get(f"/v1/games/tournaments/api-week/leaderboard?after_rank={after}&limit=3")
        assert reply.status_code == 200, reply.text
        page = reply.json()
        lines += page["entries"]
        if page["next_after_rank"] is None:
            break
        after = page["next_after_rank"]
    assert [line["rank"] for line in lines] == list(range(1, 9)) and page["final"] is True
    board = [
        Claim(bytes.fromhex(str(x["player"])[2:]), int(str(x["score"])), int(str(x["rank"])),
              [bytes.fromhex(p[2:]) for p in x["proof"]])  # type: ignore[attr-defined]
        for x in lines
    ]  # fmt: skip
    for claim in board:
        assert check_standing(games.games, TOURNAMENT, claim.player, board, prizes()) == []


async def test_a_players_standing_badges_and_tier(
    api: tuple[httpx.AsyncClient, GamesHarness, dict[str, bytes]],
) -> None:
    client, games, keys = api
    top = "0x" + keys["top"].hex()
    standing = (await client.get(f"/v1/games/tournaments/api-week/players/{top}")).json()
    assert (
        standing["entry"]["rank"] == 1
        and standing["root"] == "0x" + games.games.tournament(TOURNAMENT).final_root.hex()
    )
    player = "0x" + keys["player"].hex()
    tier = (await client.get(f"/v1/games/players/{player}/tier")).json()
    assert (tier["name"], tier["earned"], tier["rule"]) == ("gold", "1050", "lifetime earned >= 1000")
    assert tier["tier"] == games.games.tier_of(keys["player"])
    shelf = (await client.get(f"/v1/games/players/{player}/badges")).json()["badges"]
    (badge,) = shelf
    assert hash_of(badge["evidence"]) == games.games.badge_of(
        keys["player"], bytes.fromhex(badge["badge_id"][2:])
    )
    facts = player_facts(games.ledger.client, keys["player"], games.ledger.deploy_block)
    assert badge["evidence"]["reached_seq"] == facts[-1].seq


async def test_bad_requests_are_4xx_json(
    api: tuple[httpx.AsyncClient, GamesHarness, dict[str, bytes]],
) -> None:
    client = api[0]
    assert (await client.get("/v1/games/tournaments/nope/leaderboard")).status_code == 404
    assert (await client.get("/v1/games/tournaments/api-week/leaderboard?limit=0")).status_code == 422
    assert (await client.get("/v1/games/tournaments/api-week/leaderboard?limt=3")).status_code == 422
    stranger = "0x" + random_player().hex()
    missing = await client.get(f"/v1/games/tournaments/api-week/players/{stranger}")
    assert missing.status_code == 404 and "not in the standings" in missing.text
    assert (await client.get("/v1/games/players/0x12/tier")).status_code in (400, 422)


def test_the_players_check_reads_what_the_api_claims_and_catches_a_changed_tier(
    games: GamesHarness, engine: Engine, anvil: LocalNode, tmp_path: Path, chain_snapshot: None
) -> None:
    final = finished(games, TOURNAMENT, count=8)
    table = tier_table(parse_document(json.dumps(TIERS), TIERS_FORMAT, "tiers"))
    games.send("publishTierTable", table.hash, table.thresholds, 0, 0, 0)
    player = final.ranked[4].player
    games.ledger.issue(games.campaign, player, 150)
    badge = define_all(games)["earned-1000"]
    index(games.ledger, engine)
    save_standings(engine, TOURNAMENT, final, 2, True)
    save_tier_table(engine, 1, table.hash, table.document.canonical)
    settings = Settings(
        database_url=str(engine.url.render_as_string(hide_password=False)), rpc_url=anvil.url,
        data_dir=tmp_path, contract_address=games.ledger.client.address,
    )  # fmt: skip
    with serving(create_app(settings)) as base:
        api = GamesApi(base)
        try:
            claimed_table, claimed = api.tier(player)
            assert check_tier(games.games, player, claimed_table, claimed) == []
            board = api.board(TOURNAMENT, player)
            assert [c.rank for c in board] == [1, 2, 3, 4, 5]
            assert check_standing(games.games, TOURNAMENT, player, board, prizes()) == []
            assert api.badges(player) == ({}, [])
            # the operator's mirror now says gold for a player whose figures give silver
            with engine.begin() as conn:
                conn.execute(text("UPDATE players SET earned = :e WHERE player = :p"),
                             {"e": 5_000 if engine.dialect.name == "postgresql" else str(5_000).zfill(78),
                              "p": "0x" + player.hex()})  # fmt: skip
            claimed_table, claimed = api.tier(player)
            assert claimed == 2
            assert (
                "claimed gold, lifetime earned 150 gives silver"
                in check_tier(games.games, player, claimed_table, claimed)[0]
            )
            assert badge.id == "earned-1000"
        finally:
            api.close()
