"""The pipeline: pure steps (`steps`), their pytask wiring (`pipeline`) and the manifest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clusterdx._lazy import exported

if TYPE_CHECKING:
    from clusterdx.tasks.pipeline import collect_tasks, run

__all__ = ["collect_tasks", "run"]

# the pipeline imports every step; ``clusterdx validate`` needs only tasks.checks/steps
__getattr__, __dir__ = exported(__name__, dict.fromkeys(__all__, "pipeline"))
