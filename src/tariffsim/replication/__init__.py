"""Replications of published quantitative trade-policy results, computed from the data."""
