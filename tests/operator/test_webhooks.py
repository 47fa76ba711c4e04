"""Webhooks: a receiver that is down gets every delivery once it is back, each signed; a tampered
or replayed delivery fails the documented check; entries arrive in sequence order; the delivery
log is readable by admin and auditor tokens."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ledger.db.engine import make_engine
from ledger.operator.dispatch import Dispatcher
from ledger.operator.signing import TOLERANCE, verify
from tests.conftest import free_port, wait_until
from tests.operator.conftest import Operator, player


class Receiver:
    """A webhook receiver on a free port that can be down (nothing listening) and up again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.down()


@pytest.mark.slow
def test_a_receiver_down_then_up_gets_every_delivery_signed_and_in_order(
    op: Operator, receiver: Receiver
) -> None:
    code, hook = op.post("webhooks", {"url": receiver.url}, scope="admin")
    assert code == 201 and hook["secret"].startswith("whsec_")
    key = player()
    rows = [{"player": key, "amount": "10", "reference": f"hook-{i}"} for i in range(5)]
    op.post("rewards", {"campaign": "welcome", "rows": rows})
    op.post("payouts", {"player": player(), "amount": "5", "reference": "hook-broke"}, scope="payer")
    op.send_all()
    op.ledger.w3.provider.make_request("anvil_mine", [hex(200)])  # type: ignore[arg-type]
    op.send_all()
    dispatcher = Dispatcher(make_engine(op.settings.effective_database_url), max_backoff=0.3)
    try:
        for _ in range(3):  # the receiver is down: attempts fail and are logged
            dispatcher.cycle()
        log = op.api.get(f"/v1/operator/webhooks/{hook['id']}/deliveries", headers=op.auth("auditor")).json()
        assert len(log) == 6 and {d["status"] for d in log} == {"pending"}
        assert any(d["attempts"] >= 1 and "ConnectError" in (d["last_error"] or "") for d in log)
        receiver.up()
        wait_until(lambda: dispatcher.cycle() is not None and len(receiver.received) >= 6, timeout=20)
    finally:
        dispatcher.close()
    events = [json.loads(body) for _, body in receiver.received]
    assert sorted(e["write"]["reference"] for e in events) == sorted(
        [*(r["reference"] for r in rows), "hook-broke"]
    )
    assert [e["write"]["seq"] for e in events if e["event"] == "write.final"] == [1, 2, 3, 4, 5]
    failed = next(e for e in events if e["event"] == "write.failed")
    assert failed["write"]["reference"] == "hook-broke" and failed["write"]["failure"]
    for headers, body in receiver.received:
        assert verify(hook["secret"], headers["x-ledger-timestamp"], body, headers["x-ledger-signature"])
        assert len(headers["x-ledger-delivery"]) == 32
    log = op.api.get(f"/v1/operator/webhooks/{hook['id']}/deliveries", headers=op.auth("admin")).json()
    assert {d["status"] for d in log} == {"delivered"}


def test_a_tampered_or_replayed_delivery_fails_the_documented_check() -> None:
    from ledger.operator.signing import sign

    body, secret, now = b'{"event": "write.final"}', "whsec_test", 1_800_000_000
    signature = sign(secret, now, body)
    assert verify(secret, str(now), body, signature, now=now + 5)
    assert not verify(secret, str(now), body.replace(b"final", b"faile"), signature, now=now)
    assert not verify(secret, str(now + 1), body, signature, now=now)  # the timestamp is signed too
    assert not verify("whsec_other", str(now), body, signature, now=now)
    assert not verify(secret, str(now), body, signature, now=now + TOLERANCE + 1)  # a replay, later
    assert not verify(secret, "1e9", body, signature, now=now)


def test_webhooks_are_admin_only_and_refuse_bad_urls(op: Operator) -> None:
    assert op.post("webhooks", {"url": "http://127.0.0.1:9/x"}, scope="issuer")[0] == 403
    for url in ("ftp://example.com/x", "not a url", "http://", "http://h/" + "x" * 3000):
        code, answer = op.post("webhooks", {"url": url}, scope="admin")
        assert 400 <= code < 500 and answer["error"], url
    code, hook = op.post("webhooks", {"url": "https://hooks.example/ledger"}, scope="admin")
    listed = op.api.get("/v1/operator/webhooks", headers=op.auth("admin")).json()
    assert [h["url"] for h in listed] == ["https://hooks.example/ledger"] and "secret" not in listed[0]
    removed = op.api.delete(f"/v1/operator/webhooks/{hook['id']}", headers=op.auth("admin"))
    assert removed.status_code == 200 and removed.json()["removed_at"] is not None
    assert op.api.get("/v1/operator/webhooks/999/deliveries", headers=op.auth("auditor")).status_code == 404
    assert (
        op.api.get(f"/v1/operator/webhooks/{hook['id']}/deliveries", headers=op.auth("payer")).status_code
        == 403
    )
