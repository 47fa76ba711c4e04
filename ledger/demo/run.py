"""`make demo`: the whole system on the embedded default, resumable, stopped by Ctrl-C."""

from __future__ import annotations

import sys

from rich.console import Console

from ledger.chain.managed import rpc_answers
from ledger.chain.node import LocalNode
from ledger.config import Settings, load_settings
from ledger.demo import seed
from ledger.demo.chain import (
    DemoChain,
    ensure_campaigns,
    ensure_ledger,
    issue_stream,
    operator_sender,
    record_payouts,
    reverse_and_expire,
    secret_file,
    trickle,
)
from ledger.demo.services import Services, child_env
from ledger.errors import LedgerError

console = Console(highlight=False, soft_wrap=True)


def say(message: str) -> None:
    console.print(f"[bold green]>[/] {message}")


def start_node(cfg: Settings) -> LocalNode:
    """The managed anvil with one-second blocks and state kept in the data directory."""
    node = LocalNode(cfg.node_dir, port=cfg.node_port, block_time=1, gas_limit=100_000_000)
    if rpc_answers(node.url):
        raise LedgerError(
            f"something already answers on {node.url}: stop it (`ledger node stop`) or set LEDGER_NODE_PORT"
        )
    node.start()
    say(f"local node on {node.url}, one-second blocks, state in {node.state_file}")
    return node


def run(cfg: Settings) -> None:
    node = start_node(cfg)
    services = Services(cfg.data_dir / "logs", child_env(_child_settings(cfg, node.url)))
    try:
        chain = seed_chain(cfg, node)
        say("mirroring the ledger into SQLite (catching up to the chain head)")
        services.run("index", "--until-head", "--quiet")
        services.ledger("indexer", "index")
        services.ledger("api", "serve", "--port", str(cfg.api_port))
        base = f"http://127.0.0.1:{cfg.api_port}"
        services.wait_for_http(f"{base}/ready")
        services.run("audit", "reconcile")
        console.print()
        console.print(f"[bold]player page[/]   {base}/?player=0x{chain.keys[0].hex()}")
        console.print(f"[bold]audit page[/]    {base}/audit")
        console.print(f"[bold]API docs[/]      {base}/docs")
        console.print(
            f"[bold]node[/]          {node.url} (chain {chain.client.chain_id}, ledger {chain.client.address})"
        )
        console.print("sample player keys:")
        for key in chain.keys[:3]:
            console.print(f"  0x{key.hex()}")
        console.print("a new reward arrives every few seconds; Ctrl-C stops everything\n")
        trickle(chain, services.check, say)
    finally:
        services.stop()
        node.stop()


def seed_chain(cfg: Settings, node: LocalNode) -> DemoChain:
    """Deploys (once) and issues the sample stream; every step skips what already landed."""
    sender = operator_sender(cfg, node.url)
    say(f"operator account {sender.address} (encrypted keystore {cfg.keystore_path})")
    client, deploy_block = ensure_ledger(cfg, sender, say)
    ensure_campaigns(cfg, client, sender, say)
    keys = seed.player_keys(secret_file(cfg.data_dir / "keys" / "player-key.secret"), cfg.demo_players)
    chain = DemoChain(client, sender, keys, deploy_block)
    say(
        f"issuing rewards to {cfg.demo_players:,} players in batches (batches that landed before are skipped)"
    )
    issue_stream(cfg, chain, console)
    sent = record_payouts(chain)
    say(f"recorded {sent} payouts" if sent else "payouts already recorded")
    reverse_and_expire(chain, say)
    totals, (count, head) = client.totals(), client.chain_state()
    say(
        f"ledger: {count:,} entries, issued {totals.issued:,}, paid {totals.paid:,}, outstanding {totals.outstanding:,}"
    )
    say(f"hash-chain head 0x{head.hex()}")
    return chain


def _child_settings(cfg: Settings, node_url: str) -> dict[str, str]:
    """What the indexer and the API need to find this demo's node, keys and mirror."""
    return {
        "LEDGER_DATA_DIR": str(cfg.data_dir.resolve()),
        "LEDGER_RPC_URL": node_url,
        "LEDGER_PUBLIC_RPC_URL": cfg.public_rpc_url or node_url,
    }


def main() -> int:
    try:
        run(load_settings())
    except LedgerError as exc:
        console.print(f"error: {exc}", markup=False)
        return 1
    except KeyboardInterrupt:
        say("stopped the indexer, the API and the node (state saved); run `make demo` again to resume")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
