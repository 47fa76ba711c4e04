"""`make demo`: the whole system on the embedded default, resumable, stopped by Ctrl-C."""

from __future__ import annotations

import shutil

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ledger.chain.managed import rpc_answers
from ledger.config import Settings, load_settings
from ledger.demo import seed, story
from ledger.demo.chain import (
    DemoChain,
    DemoNode,
    ensure_campaigns,
    ensure_ledger,
    operator_sender,
    secret_file,
    trickle,
)
from ledger.demo.history import Clock, Writer, blocks_on_demand, play
from ledger.demo.rules_period import write_rules_period
from ledger.demo.services import Services, child_env
from ledger.demo.stopping import Shutdown
from ledger.encoding import text_to_bytes
from ledger.errors import LedgerError
from ledger.playerkey import derive_player_key

console = Console(highlight=False, soft_wrap=True)
BLOCK_TIME = 1
CROWD_FILES = ("welcome", "cashback-week-1", "tournament-1")


def stop_message(doing: str) -> str:
    return (
        f"stopped while {doing}: the node, the indexer and the API are down, the chain is saved; "
        "`make demo` again resumes"
    )


STOP = Shutdown(message=stop_message)  # the demo's one stop (main installs its handlers)


def say(message: str) -> None:
    _print(f"[bold green]>[/] {message}")


def echo(line: str) -> None:
    _print(line, markup=False)


def _print(text: str, markup: bool = True) -> None:
    # A Ctrl-C between rich writing a line and emptying its buffer would print the line again
    # with the next one (a reward said twice): a line is written whole, then the stop interrupts.
    with STOP.deferred():
        console.print(text, markup=markup)


def run(cfg: Settings, stop: Shutdown) -> None:
    node = DemoNode(cfg.node_dir, port=cfg.node_port, block_time=BLOCK_TIME, gas_limit=100_000_000,
                    history_days=7 * story.WEEKS)  # fmt: skip
    services = Services(cfg.data_dir / "logs", child_env(_child_settings(cfg, node.url)), stop.deferred)
    stop.track(lambda: [node.process])
    stop.track(services.all)
    try:
        stop.phase("starting the node")
        if rpc_answers(node.url):
            raise LedgerError(
                f"something already answers on {node.url}: stop it (`ledger node stop`) or set LEDGER_NODE_PORT"
            )
        with stop.deferred():
            node.start()
        stop.phase("opening the operator's keystore")
        say(f"local node on {node.url}, one-second blocks, state in {node.state_file}")
        chain = seed_chain(cfg, node.url, stop)
        base = start_services(cfg, services, stop)
        show_links(chain, base, node.url)

        def beat() -> None:
            services.check()
            if node.process is None or node.process.poll() is not None:
                raise LedgerError(f"the node stopped; see {node.log_file}")

        trickle(chain, cfg.data_dir / "locks", beat, say, stop.phase)
    finally:
        with stop.cleaning_up():
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()  # it saves its state while the others stop
            services.stop()
            node.stop(timeout=2.0)
            shutil.rmtree(node.state_cache, ignore_errors=True)


def start_services(cfg: Settings, services: Services, stop: Shutdown) -> str:
    """Mirrors the chain, starts the indexer and the API, proves the mirror; returns the API's URL."""
    stop.phase("starting the API")  # it starts while the mirror catches up, and serves once it has
    services.ledger("api", "serve", "--port", str(cfg.api_port))
    stop.phase("mirroring the ledger")
    say("mirroring the ledger into SQLite (catching up to the chain head)")
    services.run("index", "--until-head", "--quiet", echo=echo)
    stop.phase("starting the indexer")
    services.ledger("indexer", "index")
    stop.phase("waiting for the API")
    base = f"http://127.0.0.1:{cfg.api_port}"
    services.wait_for_http(f"{base}/ready")
    stop.phase("checking the mirror against the chain")
    services.run("audit", "reconcile", echo=echo)
    return base


def seed_chain(cfg: Settings, url: str, stop: Shutdown) -> DemoChain:
    """Deploys (once) and writes the eight weeks of rewards; every step skips what landed."""
    sender = operator_sender(cfg, url, stop.deferred)
    say(f"operator account {sender.address} (encrypted keystore {cfg.keystore_path})")
    with blocks_on_demand(sender.w3, BLOCK_TIME):
        stop.phase("deploying the ledger")
        client, deploy_block = ensure_ledger(cfg, sender, say, stop.deferred)
        # A ledger an earlier demo made (without the long histories) has campaigns too small for them.
        older = (
            client.campaign(text_to_bytes("welcome-bonus")).exists
            and not client.campaign(text_to_bytes("daily-missions")).exists
        )
        if not older:
            stop.phase("creating the campaigns")
            ensure_campaigns(cfg, client, sender, say)
        secret = secret_file(cfg.data_dir / "keys" / "player-key.secret", guard=stop.deferred)
        players = max(cfg.demo_players, seed.MIN_PLAYERS)
        regulars = [derive_player_key(secret, pid) for pid in story.regular_ids()]
        chain = DemoChain(
            client, sender, seed.player_keys(secret, players), [] if older else regulars, deploy_block
        )
        if older:
            say("this data comes from an older demo, without long histories: delete data/ to start over")
        else:
            stop.phase("writing eight weeks of rewards")
            write_history(cfg, chain)
            stop.phase("paying a week of cashback on published rules")
            write_rules_period(cfg, chain, secret, say)
    totals, (count, head) = client.totals(), client.chain_state()
    say(
        f"ledger: {count:,} entries, issued {totals.issued:,}, paid {totals.paid:,}, outstanding {totals.outstanding:,}"
    )
    say(f"hash-chain head 0x{head.hex()}")
    return chain


def write_history(cfg: Settings, chain: DemoChain) -> None:
    weeks = story.plan(chain.keys, chain.regulars)
    acts = [act for week in weeks for act in week.acts]
    say(
        f"eight weeks of play: {len(chain.keys):,} players and {len(chain.regulars)} regulars with long "
        "histories (what landed before is skipped)"
    )
    columns = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        crowd = {
            act.name: bar.add_task(act.name, total=len(act.rows))
            for act in acts
            if isinstance(act, story.BatchFile) and act.name in CROWD_FILES
        }
        rest = sum(story.entries(a) for a in acts if not (isinstance(a, story.BatchFile) and a.name in crowd))
        others = bar.add_task("everything else", total=rest)

        def progress(act: story.Act, n: int) -> None:
            bar.advance(crowd.get(act.name, others) if isinstance(act, story.BatchFile) else others, n)

        genesis = int(chain.client.w3.eth.get_block(0)["timestamp"])
        writer = Writer(chain.client, chain.sender, cfg.data_dir / "demo", cfg.plans_dir, chain.deploy_block,
                        progress, cfg.batch_rows)  # fmt: skip
        tally = play(weeks, Clock(chain.client.w3, genesis), writer)
    say(f"{tally.sent:,} entries written now, {tally.landed:,} had landed before")


def show_links(chain: DemoChain, base: str, node_url: str) -> None:
    named = f"   ({story.regular_ids()[0]})" if chain.regulars else ""
    _print("")
    _print(f"[bold]player page[/]   {base}/?player=0x{chain.featured.hex()}{named}")
    _print(f"[bold]audit page[/]    {base}/audit")
    _print(f"[bold]API docs[/]      {base}/docs")
    _print(
        f"[bold]node[/]          {node_url} (chain {chain.client.chain_id}, ledger {chain.client.address})"
    )
    if chain.regulars:
        _print("players with long histories (`ledger player-key regular-01` gives the first):")
        for pid, key in zip(story.regular_ids(), chain.regulars, strict=True):
            _print(f"  {pid}  0x{key.hex()}")
    _print(f"and {len(chain.keys):,} more (player-00001 …), e.g. 0x{chain.keys[0].hex()}")
    _print("a new reward arrives every few seconds; Ctrl-C stops everything\n")


def _child_settings(cfg: Settings, node_url: str) -> dict[str, str]:
    """What the indexer and the API need to find this demo's node, keys and mirror."""
    return {
        "LEDGER_DATA_DIR": str(cfg.data_dir.resolve()),
        "LEDGER_RPC_URL": node_url,
        "LEDGER_PUBLIC_RPC_URL": cfg.public_rpc_url or node_url,
    }


def main() -> int:
    stop = STOP
    stop.install()
    try:
        try:
            run(load_settings(), stop)
        except LedgerError as exc:
            if not stop.requested.is_set():
                _print(f"error: {exc}", markup=False)
                return 1
        except Exception:
            if not stop.requested.is_set():
                raise
    except KeyboardInterrupt:
        pass
    say(stop.message)
    return 130
