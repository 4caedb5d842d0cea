"""The e-mail channel: IMAP in, SMTP out, threading, parsing and quoting of mail."""
