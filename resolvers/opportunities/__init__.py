"""Opportunities: writing deals and their stage moves, reading them, and the funnel over them."""
