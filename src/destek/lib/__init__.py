"""Small helpers below the domains: any domain may import them, they import no domain."""
