"""Before/after timings of the solve benchmarks, in one run on one machine: each benchmark script of
an earlier commit runs against that commit's code, then the current script against the current code,
alternating, so machine load hits both alike.

Prints JSON: for every benchmark the key figures of both versions and after/before ratios.

Usage: TARIFFSIM_DATA=../shared/data python benchmarks/before_after.py [--before COMMIT] [--rounds 2]
(default COMMIT: 3733f4a, the last commit before the one-model contract; checked out with
``git worktree`` into a hidden folder beside the repository, so that its scripts find ``../shared`` as
the current ones do, and removed at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# benchmark -> (arguments, figures to report: name -> path in its JSON)
BENCHMARKS = {
    "solve_ossa.py": (["--repeat", "300"], {"solve_median_ms": ("tariffsim", "solve_median_ms"),
                                            "first_solve_including_compile_s": ("tariffsim",
                                                                                "first_solve_including_compile_s")}),
    "solve_scaling.py": ([], {f"{size}_solve_median_s": ("results", k, "solve_median_s") for k, size in
                              enumerate(("50x50", "100x65", "200x65"))}),
    "cp2015_nafta.py": ([], {"nafta_data_solve_s": ("nafta", "data", "solve_s_median"),
                             "nafta_zero_solve_s": ("nafta", "zero", "solve_s_median"),
                             "compile_and_first_calibration_s": ("compile_and_first_calibration_s",)}),
    "gravity_nafta_vs_gegravity.py": ([], {"tariffsim_full_ge_s_best_of_5": ("tariffsim_full_ge_seconds_best_of_5",),
                                           "tariffsim_full_ge_s_median_of_5": ("tariffsim_full_ge_seconds_median_of_5",)}),
}


def run(tree: Path, script: str, arguments: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run([sys.executable, str(tree / "benchmarks" / script), *arguments], env=env,
                          capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(done.stdout)


def pick(document: dict, path: tuple) -> float | None:
    value = document
    for key in path:
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="3733f4a")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", help="comma-separated benchmark scripts")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(BENCHMARKS)
    before = HERE.parent / f".before-{args.before}"  # beside the repository: its scripts find ../shared
    subprocess.run(["git", "-C", str(HERE), "worktree", "add", "--detach", str(before), args.before],
                   check=True, capture_output=True)
    try:
        report = {"before": args.before, "after": subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
            "rounds": args.rounds, "benchmarks": {}}
        for script in chosen:
            arguments, figures = BENCHMARKS[script]
            best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
            for _ in range(args.rounds):
                for label, tree in (("before", before), ("after", HERE)):
                    document = run(tree, script, arguments)
                    for name, path in figures.items():
                        value = pick(document, path)
                        if value is not None:
                            best[label][name] = min(value, best[label].get(name, float("inf")))
                    print(f"{script} {label}: {best[label]}", file=sys.stderr)
            ratios = {name: best["after"][name] / best["before"][name] for name in best["after"]
                      if best["before"].get(name)}
            report["benchmarks"][script] = {**best, "after_over_before": ratios}
        report["load_average_1min_at_end"] = os.getloadavg()[0]
    finally:
        subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(before)], check=False)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
