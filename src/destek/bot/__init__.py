"""The bot: greeting, topic menu, answers from the help center, handoff to people, external bots."""
