"""The panel-data core shared by :mod:`clusterdx.panel` and :mod:`clusterdx.spatial`.

::

    from clusterdx.paneldata import PanelFrame
    pf = PanelFrame(panel, ["dt", "demand", "gov"], entity="region", time="year")
    pf.n_entities, pf.n_periods, pf.balanced, pf.dropped
    cube = pf.cube()                          # (N, T, k) balanced array (spatial models)
    ddot = pf.within(entity=True, time=True)  # two-way within transformation, (nobs, k)

:class:`PanelFrame` validates a long panel once (keys, duplicates, numeric dtypes, missing values,
balance) and is handed on validated; :mod:`clusterdx.paneldata.within` holds the only within
transformation (:func:`demean`, :func:`demean_cube`) and the least-squares core of the linear
panel models. The names below are imported from their modules on first use (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterdx._lazy import exported

if TYPE_CHECKING:
    from clusterdx.paneldata.frame import PanelFrame
    from clusterdx.paneldata.within import demean, demean_cube

_HOMES = {"PanelFrame": "frame", "demean": "within", "demean_cube": "within"}

__all__ = ["PanelFrame", "demean", "demean_cube"]

__getattr__, __dir__ = exported(__name__, _HOMES)
