"""Reports: run a scenario pack (scenarios, diversion, game view) and write one self-contained HTML page,
figures (PNG, SVG) and tables (CSV).

Modules: ``pack`` (reading ``pack.toml``), ``run`` (solving scenarios), ``game`` (the game view, cached),
``tables``, ``figures``, ``html`` (rendering), ``build`` (the whole report).
"""

from tariffsim.report.build import ReportFiles, build_report, step_count
from tariffsim.report.pack import Pack, load_pack

__all__ = ["Pack", "ReportFiles", "build_report", "load_pack", "step_count"]
