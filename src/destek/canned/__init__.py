"""Canned responses (saved replies with variables) and the account's label vocabulary."""
