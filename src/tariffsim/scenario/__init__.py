'''Trade-policy scenarios written in TOML files that a policy analyst can read and edit.

A scenario says, by name, how tariffs differ from a world's baseline. Example::

    title = "US tariff on Japanese cars"
    description = "The US adds 25 percentage points to its tariffs on Japanese motor vehicles and parts."
    source = "Kyodo, 26 Sep 2018: 'Japan, US to enter trade talks, shelving higher auto tariffs for now'"
    world = "ossa2014"          # optional: data set used when none is given
    net_exports = "fixed"       # optional: "fixed" (default) or "zero" (balanced trade)

    [[change]]
    description = "US +25 points on Japanese motor vehicles and parts"
    source = "threat reported in the source story"
    importers = ["USA"]
    exporters = ["JPN"]
    sectors = ["mvh"]
    add_points = 25

    [[agreement]]
    description = "US-Japan free trade except agriculture"
    members = ["USA", "JPN"]
    except_sectors = ["agriculture"]
    cut = 1.0                   # fraction of the tariff removed: 1 = to zero (default), 0.5 = halve

Top level: ``title`` and ``description`` (required text), ``source``, ``world``, ``net_exports``.

``[[change]]`` (any number, applied in file order):

- ``description`` (required, plain language) and ``source`` (optional: where the number comes from,
  or "assumption");
- who: ``importers`` (the countries levying the tariff) and ``exporters`` (whose goods are taxed),
  each a list of names or "all"; ``except_importers`` / ``except_exporters`` take countries out (when
  given, the matching ``importers`` / ``exporters`` may be left out and mean "all"); ``sectors``
  (codes, long names or groups such as "agriculture", "food", "agrifood", "manufactures"; default
  "all") and ``except_sectors``. Names are checked against the world when the scenario is applied,
  and unknown names get suggestions;
- what, exactly one: ``add_points = 25`` (add 25 percentage points), ``set_percent = 10`` (new level
  10%), ``scale = 0.5`` (multiply the tariff by 0.5). The file speaks percent; tariffsim works in
  fractions (10% = 0.10).

``[[agreement]]`` (any number): ``members`` (at least two countries) remove ``cut`` (default 1.0) of
the *baseline* tariffs they levy on each other, in ``sectors`` (default "all") except
``except_sectors``; ``description`` required, ``source`` optional.

Rules:

- Agreements are applied first (to baseline tariffs), then changes in file order; so changes
  compose: raising a tariff and then scaling it, or setting a level and then adding points, is
  allowed and means exactly that.
- A country never levies tariffs on itself: own cells are never changed, and a step that selects
  nothing else (or nothing at all after its except-lists) is an error.
- Contradictions are errors: two steps that *set* the same tariff (``set_percent`` or an agreement)
  to different levels; and an ``add_points`` / ``scale`` change that later levels overwrite on every
  tariff it touches (it would do nothing). A later ``set_percent`` overriding an earlier change on
  *some* of its tariffs is allowed (general rule first, specific level after).
- No resulting tariff may be at or below -100%.
- A step whose cells all have zero baseline trade has no effect (zero flows stay zero): a
  ``ScenarioWarning`` naming the step (printed on stderr by the commands), not an error.
- The strings "TODO" and "?" are placeholders for values still to be filled in (drafts): a file with
  any placeholder is refused, and the message lists every one.

Every problem raises ``ScenarioError`` naming the file, the step (``[[change]] #2 ("...")``), the
key and the value, with a suggestion where one helps.

API: ``load_scenario(path)`` and ``scenario_from_dict(d)`` give a checked ``Scenario`` (no world
needed); ``Scenario.apply(world)`` gives a ``tariffsim.policy.Policy``; ``Scenario.describe(world)``
a table of what each step touches.
'''

from tariffsim.scenario._apply import ScenarioWarning, scenario_warnings
from tariffsim.scenario._scenario import Scenario, load_scenario, scenario_from_dict
from tariffsim.scenario._steps import Agreement, TariffChange

__all__ = ["Agreement", "Scenario", "ScenarioWarning", "TariffChange", "load_scenario", "scenario_from_dict",
           "scenario_warnings"]
