"""A synthetic key-account portfolio of any size, for demonstrations and benchmarks (`kam demo --accounts N`).

`words` holds the vocabulary and `names` turns ids into names that never
repeat; `team`, `accounts`, `people` and `plans` draw the rows of our team and
of each account; `generator` draws them chunk by chunk; `load` writes them in
bulk.
"""
