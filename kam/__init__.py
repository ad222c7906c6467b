"""kam: a GraphQL backend for key-account management."""

__version__ = "0.1.0"
