"""All errors tariffsim raises on purpose.

Every message says what is wrong, where (file, row, column, country, sector) and what to do about it.
The CLI prints a ``TariffsimError`` as one red line; anything else is a bug and shows a traceback.
"""

from __future__ import annotations


class TariffsimError(Exception):
    """Base class: an error the user can act on."""


class DataValidationError(TariffsimError, ValueError):
    """Input data (files or arrays) that cannot describe a world economy."""


class UnknownNameError(TariffsimError, KeyError):
    """A country, sector or group name that the world does not know."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ScenarioError(TariffsimError, ValueError):
    """A scenario file or policy that cannot be applied to the world."""


class ConvergenceError(TariffsimError, RuntimeError):
    """A solver that did not reach its tolerance; the message says what to try."""


class OptionError(TariffsimError, ValueError):
    """An option or argument value that is not valid (unknown format, version, existing output folder)."""


class UnknownFieldError(OptionError, TypeError):
    """A keyword naming no field of the object (``World.replace(flows=...)``); a TypeError too, as Python
    raises for an unknown keyword argument."""


class ScenarioWarning(UserWarning):
    """A scenario step that is allowed but does not do what its author likely meant (e.g. it changes
    only cells without baseline trade, so it has no effect)."""
