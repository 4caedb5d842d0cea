"""Destek: self-hostable, omnichannel customer-support platform."""

__version__ = "0.1.0"
