"""Linear panel regressions (pooled, FE, RE, between, first differences) and Hausman tests.

Wraps linearmodels; see :func:`clusterdx.panel.fit`.
"""

from __future__ import annotations

from clusterdx.panel.hausman import HausmanResult, hausman
from clusterdx.panel.models import PanelResult, fit, fit_stepwise

__all__ = ["HausmanResult", "PanelResult", "fit", "fit_stepwise", "hausman"]
