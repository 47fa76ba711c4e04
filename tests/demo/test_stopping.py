"""The demo's stop machinery on its own, in a child process: a Ctrl-C that some code swallows
still ends everything by the deadline; a Ctrl-C inside a guarded stretch waits for its end."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from tests.conftest import wait_until
from tests.demo.harness import PROJECT

SWALLOWED = """
import subprocess, sys, time
from ledger.demo.stopping import Shutdown
stop = Shutdown(deadline=1.0)
stop.install()
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
stop.track(lambda: [child])
stop.phase("waiting for a receipt")
announced = False
while True:  # code that swallows KeyboardInterrupt, as a retry loop might
    try:
        if not announced:  # said from inside the loop: a Ctrl-C sent once it is read is swallowed
            announced = True
            print(child.pid, flush=True)
        time.sleep(10)
    except KeyboardInterrupt:
        pass
"""

DEFERRED = """
import time
from ledger.demo.stopping import Shutdown
stop = Shutdown()
stop.install()
try:
    with stop.deferred():
        print("writing", flush=True)
        time.sleep(1.0)
        print("written", flush=True)
    print("after the stretch", flush=True)
except KeyboardInterrupt:
    with stop.cleaning_up():
        print("interrupted right after it", flush=True)
"""

# A terminal on which Ctrl-C lands just after the demo has written a line (before rich has
# emptied its buffer): the line must not come out a second time with the stop message.
LINE_CUT = """
import os, signal
from ledger.demo import run

class Terminal:
    cut = False

    def write(self, text):
        os.write(1, text.encode())
        if not self.cut and "new reward" in text:
            self.cut = True
            os.kill(os.getpid(), signal.SIGINT)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

run.console.file = Terminal()
run.STOP.install()
run.STOP.phase("sending a reward")
try:
    run.say("new reward: entry 7, 5 points")
    run.say("never said: the stop comes first")
except KeyboardInterrupt:
    pass
run.STOP.finished.set()
run.say(run.STOP.message)
"""


def start(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT, stdout=subprocess.PIPE, text=True
    )


def test_a_swallowed_ctrl_c_still_ends_everything_by_the_deadline() -> None:
    process = start(SWALLOWED)
    assert process.stdout is not None
    child = int(process.stdout.readline())
    signalled = time.monotonic()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 130
    assert time.monotonic() - signalled < 3.0  # the deadline, half a second of SIGTERM, the exit
    assert process.stdout.read() == "> stopped while waiting for a receipt (forced)\n"
    wait_until(lambda: not _alive(child), timeout=10, what="the tracked child gone")


def test_a_ctrl_c_inside_a_guarded_stretch_interrupts_right_after_it() -> None:
    process = start(DEFERRED)
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert process.stdout.read() == "written\ninterrupted right after it\n"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_ctrl_c_just_after_a_line_is_written_never_prints_that_line_twice() -> None:
    process = start(LINE_CUT)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert out.splitlines() == [
        "> new reward: entry 7, 5 points",
        "> stopped while sending a reward: the node, the indexer and the API are down, the chain is "
        "saved; `make demo` again resumes",
    ]
