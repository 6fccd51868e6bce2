"""Load a data set and calibrate a model to it, for commands that solve scenarios (solve, compare)."""

from __future__ import annotations

from tariffsim.cli._common import load_world, status

NO_IO_LINKS_HELP = ("caliendo_parro only: drop the input-output links (value added = sales), to see how much "
                    "the supply-chain channel changes the answer.")


def calibrated(model: str, data: str | None, fallback: str | None, purge: bool, io_links: bool = True, *,
               year: int | None = None, elasticity: str | None = None):
    """(model, world, calibration) for ``--model``, ``--data`` (or the scenario's world), ``--purge``,
    ``--no-io-links`` (``io_links=False``), ``--year`` and ``--elasticity``.

    The caliendo_parro model reads the input-output tables too (``read_io_world``), and its purge is
    CP's own step (the model's baseline with zero deficits, ``CaliendoParro.balance``).
    """
    from tariffsim.errors import OptionError
    from tariffsim.io.detect import read_io_world
    from tariffsim.models import get_model
    from tariffsim.purge import purge as purge_world

    solver = get_model(model)
    if getattr(solver, "needs_input_output", False):
        solver = type(solver)(io_links=io_links)
        spec = data or fallback
        with status(f"reading {spec}"):
            io_world = read_io_world(spec) if spec is not None else load_world(None)
        with status("removing aggregate deficits" if purge else "calibrating the model baseline"):
            calibration = solver.calibrate(solver.balance(io_world) if purge else io_world)
        return solver, calibration.world, calibration
    if not io_links:
        raise OptionError(f"--no-io-links applies to --model caliendo_parro only; the {solver.name} model has no "
                          "input-output links to drop")
    world = load_world(data, fallback, year=year, elasticity=elasticity)
    with status("purging trade imbalances" if purge else "calibrating"):
        if purge:
            world = purge_world(world)
        calibration = solver.calibrate(world)
    return solver, world, calibration


def model_label(solver) -> str:
    """The model's name, saying so when its input-output links are dropped."""
    return solver.name if getattr(solver, "io_links", True) else f"{solver.name} without input-output links"
