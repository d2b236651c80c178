"""What the UI areas build on together: pages that answer with their htmx fragment, keyset
position tokens, streamed CSV exports, and the filter forms of list pages."""
