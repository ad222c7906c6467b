"""Reads and writes of stakeholders, influence links, coverage, and the relationship map."""
