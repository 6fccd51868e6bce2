"""Wall time of ``tariffsim from-news`` on the seed article; prints one JSON object.

Usage: python benchmarks/from_news.py [SEED_FOLDER_OR_FILE]  (default: $TARIFFSIM_SEED, else ../shared/seed
beside the repo). Measures the library call (after imports, best and median of repeats) and the whole
command in a fresh process (Python start-up and imports included). Target: under 1 second.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "000_7cada958b4131956.txt"
REPEATS = 20


def seed_path(argument: str | None) -> Path:
    path = Path(argument or os.environ.get("TARIFFSIM_SEED") or REPO.parent / "shared" / "seed")
    return path / SEED_NAME if path.is_dir() else path


def main() -> None:
    seed = seed_path(sys.argv[1] if len(sys.argv) > 1 else None)
    started = time.perf_counter()
    from tariffsim.news import draft_from_news

    import_seconds = time.perf_counter() - started
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        draft = draft_from_news(seed)
        times.append(time.perf_counter() - started)
    command = [sys.executable, "-m", "tariffsim", "from-news", str(seed),
               "--json", os.devnull, "--out", os.devnull]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    process_seconds = time.perf_counter() - started
    print(json.dumps({
        "benchmark": "from_news_seed", "article": str(seed), "repeats": REPEATS,
        "import_seconds": round(import_seconds, 4), "first_call_seconds": round(times[0], 4),
        "best_seconds": round(min(times), 4), "median_seconds": round(statistics.median(times), 4),
        "command_seconds": round(process_seconds, 4), "target_seconds": 1.0,
        "measures": len(draft.findings.measures), "items": len(draft.items),
    }, indent=2))


if __name__ == "__main__":
    main()
