"""Mobile push: FCM HTTP v1 (Android) and APNs token-based HTTP/2 (iOS) senders with one result type."""
