"""The estimators' options, one module per family, importing only the standard library.

`clusterdx.options.panel` holds the allowed values and ranges of `clusterdx.panel`, and
`clusterdx.options.spatial` those of `clusterdx.spatial`. The estimators and the study spec
(`clusterdx.study`) both import them, so the spec can be loaded and checked without importing
the estimators (linearmodels, statsmodels, scipy).
"""
