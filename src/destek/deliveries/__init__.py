"""Everything that leaves the server: one outbox, one signer, one address guard, one backoff policy."""
