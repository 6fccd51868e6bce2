"""``tariffsim serve``: a local web app to build, run, save and compare scenarios.

Modules: ``app`` (``create_app(Settings)``, the factory), ``routes`` (pages and downloads), ``security``
(host, token, same-origin and size guards), ``jobs`` (the bounded background queue every run goes
through), ``worlds`` (data sets by name, models, elasticity sets, the calibration cache), ``scenarios``
(form fields and pasted TOML to a checked scenario and back to TOML), ``results`` (solving, and what a
result page shows, for a fresh run or one from the runs store). Templates and static files ship in the
package; no page loads anything from another site.
"""

from tariffsim.web.app import Settings, create_app

__all__ = ["Settings", "create_app"]
