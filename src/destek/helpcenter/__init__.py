"""The help center: categories, articles in several languages, public pages, hybrid search."""
