"""Offline language intelligence behind protocols (see protocols.py); backends load lazily, once."""
