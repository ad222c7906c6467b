"""The audit trail: recording every mutation's changes, and reading them back."""
