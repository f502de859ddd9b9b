"""Indicators: entropy-weighted composites, agglomeration, technology transfer, digital transformation."""

from clusterdx.indicators.agglomeration import location_quotient
from clusterdx.indicators.entropy import entropy_index, entropy_weights, standardised
from clusterdx.indicators.recipes import compute_indicators, keyword_intensity, top_revenue_share

__all__ = [
    "compute_indicators",
    "entropy_index",
    "entropy_weights",
    "keyword_intensity",
    "location_quotient",
    "standardised",
    "top_revenue_share",
]
