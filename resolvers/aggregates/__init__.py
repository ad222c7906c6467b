"""Aggregates for reporting tools: one grouping shape for every kind of object, answered by SQL grouping.

A kind (`kinds.py`) names the rows it counts, the dimensions they group by and
the numeric measures summed, averaged, and taken the least and most of
(`grouping.py`); dated columns group by month, quarter or year (`buckets.py`).
"""
