"""Wall time of ``tariffsim report examples/japan_us_2018`` and of its stages, as JSON.

Usage: TARIFFSIM_DATA=../shared/data python benchmarks/report_japan_us.py

1. ``command_first_run``: the command as a user runs it (a new process: Python start, imports, JAX
   compilation, everything), into an empty folder, so the game view is computed.
2. ``command_rerun``: the same command again into the same folder (game view reused from its cache).
3. ``stages_first_run``: ``build_report`` in this process into another empty folder, with the wall
   time of each stage from its own clock (the first stage to solve pays JAX's compilation).
The machine may be shared: each run records the 1-minute load average before it and CPU time.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

PACK = Path(__file__).resolve().parent.parent / "examples" / "japan_us_2018"


def command(out: Path) -> dict:
    """``tariffsim report PACK --out OUT`` in a new process: wall and CPU seconds."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    subprocess.run(["tariffsim", "report", str(PACK), "--out", str(out)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall_s": round(time.perf_counter() - clock, 2), "cpu_s": round(cpu, 2), "load_average_1min_before": load}


def stages(out: Path) -> dict:
    """``build_report`` in this process: wall time of each stage."""
    from tariffsim.report import build_report

    load = os.getloadavg()[0]
    clock = time.perf_counter()
    written = build_report(PACK, out)
    return {"wall_s": round(time.perf_counter() - clock, 2), "stages_s": written.seconds,
            "game_reused": written.game_reused, "files": len(written.files), "load_average_1min_before": load}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="report_japan_us_") as folder:
        first, staged = Path(folder) / "first", Path(folder) / "staged"
        result = {"pack": str(PACK), "cores": os.cpu_count(), "target_s": 120,
                  "command_first_run": command(first), "command_rerun": command(first),
                  "stages_first_run": stages(staged)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
