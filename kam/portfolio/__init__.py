"""A synthetic key-account portfolio of any size, for demonstrations and benchmarks (`kam demo --accounts N`).

`words` holds the vocabulary and `names` turns ids into names that never
repeat; `team`, `accounts`, `people`, `plans`, `interactions`, `deals` and
`revenue` draw the rows of our team and of each account (each account's own
random stream, the later tables drawn at its end so that adding them left the
earlier ones as they were); `generator` draws them chunk by chunk; `load`
writes them in bulk and ranks the accounts' RFM scores as `kam recompute`
does.
"""
