"""Load a data set and calibrate a model to it, for commands that solve scenarios (solve, compare)."""

from __future__ import annotations

from tariffsim.cli._common import load_world, status


def calibrated(model: str, data: str | None, fallback: str | None, purge: bool):
    """(model, world, calibration) for ``--model``, ``--data`` (or the scenario's world) and ``--purge``.

    The caliendo_parro model reads the input-output tables too (``read_io_world``), and its purge is
    CP's own step (the model's baseline with zero deficits, ``CaliendoParro.balance``).
    """
    from tariffsim.io.detect import read_io_world
    from tariffsim.models import CaliendoParro, get_model
    from tariffsim.purge import purge as purge_world

    solver = get_model(model)
    if isinstance(solver, CaliendoParro):
        spec = data or fallback
        with status(f"reading {spec}"):
            io_world = read_io_world(spec) if spec is not None else load_world(None)
        with status("removing aggregate deficits" if purge else "calibrating the model baseline"):
            calibration = solver.calibrate(solver.balance(io_world) if purge else io_world)
        return solver, calibration.world, calibration
    world = load_world(data, fallback)
    with status("purging trade imbalances" if purge else "calibrating"):
        if purge:
            world = purge_world(world)
        calibration = solver.calibrate(world)
    return solver, world, calibration
