"""Interactions with customers: writing them, reading timelines, keeping recency on accounts and stakeholders."""
