"""Reads and writes of customer needs and the four-seasons table."""
