"""The Settings pages for administrators: agents, teams, inboxes (widget, identity, bot), canned
responses and labels. Pages are read here; changes go through the agent API, except the two that need
the server's help (an invitation's temporary password, the widget's validated settings): actions.py."""
