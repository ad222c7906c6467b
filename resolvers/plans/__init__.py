"""Reads and writes of account plans, their objectives and actions."""
