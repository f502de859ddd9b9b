"""Indicators: entropy/TOPSIS composites, coupling coordination, agglomeration, technology transfer, digital transformation."""

from clusterdx.indicators.agglomeration import (
    ellison_glaeser,
    employment_density,
    herfindahl,
    location_quotient,
    spatial_gini,
)
from clusterdx.indicators.coupling import (
    COORDINATION_GRADES,
    coordination_grade,
    coupling_coordination,
)
from clusterdx.indicators.digital import (
    KeywordCounter,
    keyword_intensity,
    load_dictionary,
    regional_intensity,
)
from clusterdx.indicators.entropy import entropy_index, entropy_weights, standardised
from clusterdx.indicators.recipes import (
    compute_indicators,
    firm_keyword_index,
    leading_firms,
    text_keyword_index,
    top_revenue_share,
)
from clusterdx.indicators.scale import count_documents, lq_from_file, reduce_firms
from clusterdx.indicators.system import component_unit, indicator_system
from clusterdx.indicators.techtransfer import tech_transfer_rate, tech_transfer_rates
from clusterdx.indicators.topsis import topsis

__all__ = [
    "COORDINATION_GRADES",
    "KeywordCounter",
    "component_unit",
    "compute_indicators",
    "coordination_grade",
    "count_documents",
    "coupling_coordination",
    "ellison_glaeser",
    "employment_density",
    "entropy_index",
    "entropy_weights",
    "firm_keyword_index",
    "herfindahl",
    "indicator_system",
    "keyword_intensity",
    "leading_firms",
    "load_dictionary",
    "location_quotient",
    "lq_from_file",
    "reduce_firms",
    "regional_intensity",
    "spatial_gini",
    "standardised",
    "tech_transfer_rate",
    "tech_transfer_rates",
    "text_keyword_index",
    "top_revenue_share",
    "topsis",
]
