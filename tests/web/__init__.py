"""Flask test-client tests: status codes, redirects, headers, pages and htmx fragments."""
