"""Cheaper URLs for templates. ``url_for`` builds through the whole URL map every time, ~20 µs
a call, and every page asks for a dozen links that never change (the navigation, the static
files, the sign-out form):

- ``customer_url``: customer URLs for pages that list many customers (a search page links
  each row two or three times): each endpoint's URL is built once per request around a
  placeholder and the id quoted the way Werkzeug's default converter does, so the result is
  the same string ``url_for`` gives.
- ``install``: the templates' ``url_for`` remembers the URLs of endpoints without arguments
  and of static files (per script root, the one part of the request such a path depends on);
  any other call builds as before."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask, g, has_request_context, request, url_for

_PLACEHOLDER = "CUSTOMERIDPLACEHOLDER"
# Werkzeug's default converter (a URL path segment) and Flask's anchor quoting.
_PATH_SAFE = "!$&'()*+,/:;=@"
_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


def customer_url(
    customer_id: str, endpoint: str = "customers.show", anchor: str | None = None
) -> str:
    """``url_for(endpoint, customer_id=customer_id, _anchor=anchor)``, cheaply."""
    templates: dict[str, tuple[str, str]] = g.setdefault("customer_url_templates", {})
    parts = templates.get(endpoint)
    if parts is None:
        before, _, after = url_for(endpoint, customer_id=_PLACEHOLDER).partition(_PLACEHOLDER)
        parts = templates[endpoint] = (before, after)
    text = str(customer_id)
    # Letters and digits need no quoting (most ids are nothing else).
    quoted = text if text.isascii() and text.isalnum() else quote(text, safe=_PATH_SAFE)
    url = parts[0] + quoted + parts[1]
    if anchor is not None:
        url += "#" + quote(anchor, safe=_ANCHOR_SAFE)
    return url


# Endpoints × static files × script roots: a few dozen; the bound only guards against a
# proxy that sends many prefixes.
_MAX_REMEMBERED = 1000


def install(app: Flask) -> None:
    """Give the templates a ``url_for`` that remembers the URLs that never change."""
    build = app.url_for
    remembered: dict[tuple[str, str, object], str] = {}

    def template_url_for(endpoint: str, /, **values: Any) -> str:
        if endpoint.startswith(".") or not has_request_context():
            return build(endpoint, **values)
        if not values:
            key: tuple[str, str, object] = (request.script_root, endpoint, None)
        elif endpoint == "static" and values.keys() == {"filename"}:
            key = (request.script_root, endpoint, values["filename"])
        else:
            return build(endpoint, **values)
        url = remembered.get(key)
        if url is None:
            if len(remembered) >= _MAX_REMEMBERED:
                remembered.clear()
            url = remembered[key] = build(endpoint, **values)
        return url

    app.jinja_env.globals["url_for"] = template_url_for


__all__ = ["customer_url", "install"]
