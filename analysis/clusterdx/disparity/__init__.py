"""Regional disparity and its dynamics: Dagum Gini, Theil, kernel densities, Markov chains, convergence, obstacles.

The measurement half of the literature on regional digital transformation ("测度、区域差异与动态演进")::

    res = cdx.disparity.dagum_gini(panel, "dt", group="macro_region")   # G_w, G_nb, G_t by year
    cdx.disparity.theil(panel, "dt", group="macro_region")              # T = within + between
    cdx.disparity.spatial_markov(panel, "dt", W, classes=4)             # Rey (2001), on giddy
    cdx.disparity.beta_convergence(panel, "dt", controls=["gov"])      # speed, half-life
"""

from clusterdx.disparity.convergence import (
    BetaConvergence,
    beta_convergence,
    growth_frame,
    sigma_convergence,
    spatial_beta_convergence,
)
from clusterdx.disparity.dagum import DagumResult, dagum_gini
from clusterdx.disparity.kernel import DensitySurface, density_surface, distribution_stats
from clusterdx.disparity.markov import MarkovResult, SpatialMarkovResult, markov, spatial_markov
from clusterdx.disparity.obstacle import obstacle_degree, top_obstacles
from clusterdx.disparity.theil import coefficient_of_variation, theil

__all__ = [
    "BetaConvergence",
    "DagumResult",
    "DensitySurface",
    "MarkovResult",
    "SpatialMarkovResult",
    "beta_convergence",
    "coefficient_of_variation",
    "dagum_gini",
    "density_surface",
    "distribution_stats",
    "growth_frame",
    "markov",
    "obstacle_degree",
    "sigma_convergence",
    "spatial_beta_convergence",
    "spatial_markov",
    "theil",
    "top_obstacles",
]
