"""Mistakes a user can make with worlds and replication inputs raise TariffsimError subclasses (still the
built-in class they used to be) with messages that say what is wrong and what to do."""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.errors import DataValidationError, OptionError, TariffsimError, UnknownFieldError
from tariffsim.replication.ossa2014 import stacked_to_cubes, target_tariffs
from tariffsim.synthetic import random_world
from tariffsim.world_io import IOWorld


def test_replace_with_an_unknown_field_names_it_suggests_one_and_lists_the_fields():
    world = random_world(3, 2)
    with pytest.raises(UnknownFieldError) as caught:
        world.replace(tarifs=world.tariffs)
    assert str(caught.value) == ("World has no field(s) ['tarifs']. Did you mean 'tariffs' or 'countries'? Its "
                                 "fields: countries, sectors, trade, tariffs, sigma, country_names, sector_names, "
                                 "sector_groups, country_aliases, country_groups, label, elasticities, elasticity, year, money_unit.")
    assert all(isinstance(caught.value, kind) for kind in (TariffsimError, OptionError, TypeError))
    n, s = 3, 2
    io_world = IOWorld(world, np.zeros((n, s, s)), world.trade.sum(axis=1),
                       ((1 + world.tariffs) * world.trade).sum(axis=0))
    with pytest.raises(UnknownFieldError, match=r"^IOWorld has no field\(s\) \['final'\]\. Did you mean "
                                                r"'final_demand'\? Its fields: world, intermediate, value_added, "
                                                r"final_demand, notes\.$"):
        io_world.replace(final=io_world.final_demand)
    with pytest.raises(TypeError):  # as before: code catching TypeError still works
        world.replace(flows=1)


def test_replication_inputs_of_the_wrong_shape_say_which_shape_is_needed():
    world = random_world(3, 2)
    with pytest.raises(DataValidationError, match=r"^stacked tariffs of shape \(4, 2\): a world of 3 countries and 2 "
                                                  r"sectors needs \(N-1\)\*S = 4 rows .* and N = 3 columns"):
        stacked_to_cubes(world, np.zeros((4, 2)))
    with pytest.raises(DataValidationError, match=r"^noncooperative tariffs of shape \(3, 2\): this world needs "
                                                  r"S x N = 2 x 3 \(industries in rows, importers in columns\)"):
        target_tariffs(world, np.zeros((3, 2)))
    assert len(stacked_to_cubes(world, np.zeros((4, 3)))) == 3
