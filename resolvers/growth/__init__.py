"""Reads and writes of growth assessments and the growth-potential matrix."""
