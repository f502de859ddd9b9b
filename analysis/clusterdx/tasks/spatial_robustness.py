"""Pipeline step of ``[[spatial_robustness]]``: 'replace W' effects tables and spillover decay."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from clusterdx import spatial
from clusterdx.paneldata.frame import PanelFrame
from clusterdx.study import Study
from clusterdx.tasks.spatial_inputs import read_weights
from clusterdx.tasks.steps import ENTITY, TIME


def spatial_robustness_outputs(study: Study) -> dict[str, Path]:
    """Every file `run_spatial_robustness` writes, derived from the study spec."""
    tables, figs = study.reports_dir / "tables", study.reports_dir / "figures"
    out: dict[str, Path] = {}
    for check in study.spec.spatial_robustness:
        out[f"{check.name}.csv"] = tables / f"{check.name}.csv"
        if check.bands:
            out[f"{check.name}_decay.csv"] = tables / f"{check.name}_decay.csv"
            out[f"{check.name}_decay.png"] = figs / f"{check.name}_decay.png"
    return out


def run_spatial_robustness(study: Study, frame: pd.DataFrame) -> list[Path]:
    """Fit each check under its weights (and distance bands); write `spatial_robustness_outputs`."""
    from clusterdx.regions.registry import table as region_table
    from clusterdx.report.spillover_figure import decay_figure

    spec = study.spec
    tables, figs = study.reports_dir / "tables", study.reports_dir / "figures"
    written: list[Path] = []
    for check in spec.spatial_robustness:
        options = {"model": check.model, "effects": check.effects, "dynamic": check.dynamic}
        matrices = {name: read_weights(study, name) for name in check.weights}
        # validated once for the 'replace W' fits and the distance bands
        panel = PanelFrame(frame, [check.y, *check.x], ENTITY, TIME, balanced=True)
        table = spatial.replace_w(
            panel,
            check.y,
            check.x,
            matrices,
            entity=ENTITY,
            time=TIME,
            draws=check.impacts_draws,
            seed=spec.study.seed,
            **options,
        )
        path = tables / f"{check.name}.csv"
        table.to_csv(path, float_format="%.6f", lineterminator="\n")
        written.append(path)
        if check.bands:
            registry = region_table(spec.study.level)
            registry = registry[registry["code"].isin(frame[ENTITY].unique())]
            decay = spatial.spillover_decay(
                panel,
                check.y,
                check.x,
                registry,
                entity=ENTITY,
                time=TIME,
                bands=check.bands,
                power=check.decay_power,
                draws=check.impacts_draws,
                seed=spec.study.seed,
                **options,
            )
            path = tables / f"{check.name}_decay.csv"
            decay.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")
            written.append(path)
            figure = figs / f"{check.name}_decay.png"
            decay_figure(decay, check.x[0], figure, label=study.label(check.x[0]))
            written.append(figure)
    return written
