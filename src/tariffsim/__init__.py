"""tariffsim: quantify trade policy with general-equilibrium trade models calibrated to real data.

Start with ``tariffsim.io.read_world``, ``tariffsim.scenario.load_scenario`` and
``tariffsim.models.Krugman`` (see the README), or the ``tariffsim`` command.
"""

__version__ = "0.1.0"
