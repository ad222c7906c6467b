"""Reads and writes of team members (our own people)."""
