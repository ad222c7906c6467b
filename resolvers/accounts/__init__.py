"""Reads and writes of accounts and their teams."""
