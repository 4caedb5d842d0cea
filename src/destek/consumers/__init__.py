"""Consumers: workers that apply the event log (bot, language, external bot webhooks) from a cursor."""
