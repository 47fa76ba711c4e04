"""The demo's tiers, badges and weekly tournament: written once, resumed without sending again,
and every regular's standing checks out against the chain."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account.signers.local import LocalAccount
from sqlalchemy import create_engine, text
from web3 import Web3

from ledger.config import Settings
from ledger.demo import games as demo
from ledger.demo.chain import DemoChain
from ledger.encoding import text_to_bytes
from ledger.games.check import Claim, check_standing, check_tier
from ledger.games.contract import GamesClient, load_games
from ledger.games.document import parse_document
from ledger.games.standings import PRIZES_FORMAT, prize_table
from ledger.games.tiers import FORMAT, tier_table
from tests.conftest import deploy_on, random_player


def test_the_demo_games_land_once_and_check_out(w3: Web3, operator: LocalAccount, tmp_path: Path) -> None:
    ledger = deploy_on(w3, operator)
    ledger.campaign(demo.CAMPAIGN)
    regulars = [random_player() for _ in range(3)]
    for index, player in enumerate(regulars):
        ledger.issue(ledger.campaign(f"c{index}"), player, 2_000 * (index + 1) ** 3)
    chain = DemoChain(
        ledger.client, ledger.sender, [random_player() for _ in range(10)], regulars, ledger.deploy_block
    )
    cfg = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'mirror.db'}", _env_file=None)  # type: ignore[call-arg]
    demo.write_games(cfg, chain, lambda line: None)
    nonce = w3.eth.get_transaction_count(operator.address)
    demo.write_games(cfg, chain, lambda line: None)  # resumed: nothing sent again
    assert w3.eth.get_transaction_count(operator.address) == nonce
    games = GamesClient(w3, load_games(cfg.deployments_dir, ledger.client.chain_id).address)
    table = tier_table(parse_document(json.dumps(demo.TIERS), FORMAT, "tiers"))
    assert [games.tier_of(p) for p in regulars] == [1, 2, 3]
    assert all(check_tier(games, p, table, games.tier_of(p)) == [] for p in regulars)
    saved = json.loads((tmp_path / "demo" / "games" / "tournament.json").read_text())
    assert saved["participants"] == 13
    prizes = prize_table(parse_document(json.dumps(demo.PRIZES), PRIZES_FORMAT, "prizes"))
    state = games.tournament(text_to_bytes(demo.TOURNAMENT))
    assert state.final and state.prizes_issued and "0x" + state.final_root.hex() == saved["root"]
    engine = create_engine(str(cfg.database_url))
    with engine.connect() as conn:
        lines = [
            json.loads(row[0]) for row in conn.execute(text("SELECT line FROM games_standings ORDER BY rank"))
        ]
    engine.dispose()
    board = [
        Claim(
            bytes.fromhex(x["player"][2:]),
            int(x["score"]),
            x["rank"],
            [bytes.fromhex(n[2:]) for n in x["proof"]],
        )
        for x in lines
    ]
    for claim in board:
        assert check_standing(games, text_to_bytes(demo.TOURNAMENT), claim.player, board, prizes) == []
