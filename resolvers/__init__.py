"""Reads (queries, DataLoaders) and writes (mutations, validation, transactions).

Resolvers return domain objects and never import schema/ or kam/.
"""
