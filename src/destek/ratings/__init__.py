"""Conversation ratings: the customer's 1–5 score (and optional comment) for a resolved conversation."""
