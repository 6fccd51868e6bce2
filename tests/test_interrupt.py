"""Ctrl-C on a real ``tariffsim`` process: exit 130, "interrupted; nothing written", and no output file.

Each command gets SIGINT at several moments of its run (while Python starts, while JAX compiles, while it
solves or plays); the process must still be running when the signal is sent, so every case is a real
interrupt and none a finished run. Output targets live in their own folder, which must end up empty:
no result file, no hidden temporary.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _interrupt(args: list[str], after: float, out: Path, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TARIFFSIM_DATA": str(data_dir)}
    process = subprocess.Popen([sys.executable, "-m", "tariffsim", *args], cwd=out.parent, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(after)
    assert process.poll() is None, f"finished before the interrupt at {after} s: {process.communicate()}"
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C does: to every process of the command
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def _check(done: subprocess.CompletedProcess, out: Path) -> None:
    assert done.returncode == 130, (done.returncode, done.stderr[-2000:])
    assert done.stderr.strip().endswith("interrupted; nothing written"), done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr[-2000:]
    assert sorted(p.name for p in out.rglob("*")) == [], "something was written"


COMMANDS = {
    "solve": (["solve", "--data", "ossa2014", "--scenario", str(EXAMPLES / "us_autos_japan.toml"),
               "--json", "{out}/r.json", "--csv", "{out}/csv"], (0.3, 1.5, 3.0)),
    "optimal": (["optimal", "--data", "ossa2014", "--purge", "--country", "JPN", "--no-cache",
                 "--json", "{out}/r.json"], (1.0, 4.0)),
    "nash": (["nash", "--data", "ossa2014", "--purge", "--net-exports", "zero", "--countries", "USA,JPN",
              "--mfn", "--no-cache", "--json", "{out}/r.json"], (2.0, 8.0)),
    "replicate": (["replicate", "ossa2014", "--data", "ossa2014", "--versions", "main", "--tables", "3",
                   "--out", "{out}/replication"], (1.5, 6.0)),
    "report": (["report", str(EXAMPLES / "japan_us_2018"), "--data", "ossa2014", "--frontier-points", "2",
                "--out", "{out}/report"], (1.0, 1.5, 2.0, 6.0)),
}


@pytest.mark.parametrize(("command", "after"), [(name, t) for name, (_, moments) in COMMANDS.items() for t in moments])
def test_ctrl_c_stops_the_command_and_writes_nothing(tmp_path, data_dir, command, after):
    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace("{out}", str(out)) for a in COMMANDS[command][0]]
    _check(_interrupt(args, after, out, data_dir), out)


_PROBE = """
import signal
from tariffsim import parallel

def blocked_in_worker():
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])

if __name__ == "__main__":
    with parallel.client("local", workers=1) as client:
        print(all(client.run(blocked_in_worker).values()))
"""


def test_cluster_workers_started_by_a_fresh_process_block_sigint(tmp_path):
    """In a fresh process (no resource tracker yet), the workers still never see Ctrl-C: starting the
    tracker inside the shielded block unblocked SIGINT in dask's event-loop thread, and so in the
    workers it spawned (the cause of a worker traceback after Ctrl-C on ``nash``)."""
    script = tmp_path / "probe.py"
    script.write_text(_PROBE)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True", done.stdout
