"""World-scale Nash tariff wars by Newton on the stacked system (games/world_nash.py, issue 13 item 1).

Cases (each in its own process, so compile time is a cold start and peak memory belongs to it; JAX's
persistent compilation cache is off, TARIFFSIM_JAX_CACHE=off, unless --warm-cache):

- uniform Nash (one import tariff per country) on wiod2014 (44 x 16), icio2022 (81 x 28) and ilms2025
  (194 x 1), elasticity set U4: in the tariffwar convention (model "tariffwar": conventions.prepare, the
  armington model, 100% cap; the peer's run takes about 1.7 s on wiod2014 and 24 s on icio2022 on this
  machine under GNU Octave, as the issue measured), and armington and krugman purged of trade imbalances
  first (by the same model);
- sector-specific MFN Nash on wiod2014 and icio2022 (armington);
- discriminatory Nash on ossa2014 (7 x 33, krugman, purged), and the refusal for wiod2014 (its size).

For each: purge seconds; the first world_nash call (compilation included) and a second one (compiled),
each split into the stacked solve and the verification (equilibrium re-solved, first- and second-order
conditions, best-response re-optimisation of ``--check`` players); Newton steps, unknowns, residuals,
the largest remaining best-response gain; peak memory (ru_maxrss); the machine's load average (the
machine is shared: numbers under load are slower). Prints JSON.

Usage: python benchmarks/world_nash.py [--cases uniform,mfn,discriminatory] [--worlds wiod2014,...]
       [--models armington,krugman] [--check 8] [--timeout 3600] [--warm-cache]
(needs TARIFFSIM_DATA with tariffwar/, ilms2025/ and ossa2014/)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

UNIFORM = [(world, model) for world in ("wiod2014", "icio2022", "ilms2025")
           for model in ("tariffwar", "armington", "krugman")]
MFN = [("wiod2014", "armington"), ("icio2022", "armington")]
DISCRIMINATORY = [("ossa2014", "krugman"), ("wiod2014", "armington")]


def run_case(world_name: str, model_name: str, mode: str, check: int) -> dict:
    import numpy as np

    from tariffsim.conventions import TARIFFWAR, prepare
    from tariffsim.errors import OptionError
    from tariffsim.games.world_nash import world_nash
    from tariffsim.io import read_world
    from tariffsim.models import Armington, Krugman
    from tariffsim.purge import purge

    out: dict = {"world": world_name, "model": model_name, "mode": mode, "load_before": os.getloadavg()[0]}
    model = {"armington": Armington(), "krugman": Krugman(), "tariffwar": Armington()}[model_name]
    start = time.perf_counter()
    world = read_world(world_name)
    if "U4" in world.elasticities:
        world = world.with_elasticity("U4")
    out["read_seconds"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    # compilation of the model's solve included
    purged = prepare(world, TARIFFWAR) if model_name == "tariffwar" else purge(world, model)
    out["purge_seconds"] = round(time.perf_counter() - start, 3)
    upper = TARIFFWAR.tariff_cap if model_name == "tariffwar" else 10.0
    calibration = model.calibrate(purged)
    out["size"] = f"{world.n_countries} x {world.n_sectors}"
    for label in ("first_call", "compiled"):
        start = time.perf_counter()
        try:
            war = world_nash(calibration, mode=mode, check=check, upper=upper, net_exports="zero")
        except OptionError as error:
            out["refused"] = str(error)
            break
        total = time.perf_counter() - start
        out[label] = {"solve_seconds": round(war.solve_seconds, 3), "verify_seconds": round(war.verify_seconds, 3),
                      "total_seconds": round(total, 3)}
    else:
        facts = war.facts()
        out.update({
            "unknowns": war.unknowns, "newton_steps": war.newton_steps, "jacobians": war.jacobians,
            "equilibrium_residual": facts["equilibrium_residual"], "foc_residual": facts["foc_residual"],
            "foc_residual_scaled": facts["foc_residual_scaled"], "second_order": facts["second_order"],
            "checked_players": len(war.best_response_gains), "max_best_response_gain": facts["max_gain"],
            "at_lower_bound": len(war.at_lower_bound), "at_upper_bound": len(war.at_upper_bound),
            "inactive": len(war.inactive),
            "mean_tariff_pct": round(float(np.nanmean(war.mean_tariff_pct()[[world.country_index(p) for p in war.players]])), 4),
            "median_welfare_pct": round(float(np.median(100 * (war.welfare_hat - 1))), 4),
            "usa": {"tariff_pct": round(float(war.mean_tariff_pct()[world.country_index("USA")]), 4),
                    "welfare_pct": round(float(100 * (war.welfare_hat[world.country_index("USA")] - 1)), 4)},
        })
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_after"] = os.getloadavg()[0]
    return out


def in_fresh_process(case: tuple[str, str, str], check: int, timeout: float, cache: str) -> dict:
    world, model, mode = case
    env = {**os.environ, "TARIFFSIM_JAX_CACHE": cache}
    command = [sys.executable, __file__, "--one", world, model, mode, "--check", str(check)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"world": world, "model": model, "mode": mode, "error": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"world": world, "model": model, "mode": mode, "error": done.stderr.strip().splitlines()[-1:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - start, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="uniform,mfn,discriminatory")
    parser.add_argument("--worlds", default="")
    parser.add_argument("--models", default="")
    parser.add_argument("--check", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--warm-cache", action="store_true",
                        help="also run each case twice against one persistent compilation cache (second: warm)")
    parser.add_argument("--one", nargs=3, metavar=("WORLD", "MODEL", "MODE"))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(*args.one, check=args.check)))
        return
    cases = []
    wanted = args.cases.split(",")
    for mode, table in (("uniform", UNIFORM), ("mfn", MFN), ("discriminatory", DISCRIMINATORY)):
        if mode in wanted:
            cases += [(w, m, mode) for w, m in table
                      if (not args.worlds or w in args.worlds.split(",")) and (not args.models or m in args.models.split(","))]
    results = []
    for case in cases:
        print(f"running {' '.join(case)} ...", file=sys.stderr, flush=True)
        result = in_fresh_process(case, args.check, args.timeout, "off")
        if args.warm_cache and "error" not in result:
            with tempfile.TemporaryDirectory() as folder:
                in_fresh_process(case, args.check, args.timeout, folder)  # fills the cache
                warm = in_fresh_process(case, args.check, args.timeout, folder)
            result["warm_cache_first_call"] = warm.get("first_call")
        results.append(result)
        print(json.dumps(result), file=sys.stderr, flush=True)
    print(json.dumps({"benchmark": "world_nash", "machine_cpus": os.cpu_count(), "cases": results}, indent=1))


if __name__ == "__main__":
    main()
