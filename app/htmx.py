"""The one place that reads ``HX-*`` request headers and sets ``HX-*`` / ``Vary`` headers."""

from __future__ import annotations

from flask import Response, request


def is_htmx() -> bool:
    """True for a request htmx made (and not a history-restore, which wants the full page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary(response: Response) -> Response:
    """Mark a response that differs between htmx and plain requests."""
    response.vary.add("HX-Request")
    return response


def redirect_header(response: Response, url: str) -> Response:
    """Tell htmx to navigate the whole page to ``url``."""
    response.headers["HX-Redirect"] = url
    return response


def location(response: Response, url: str) -> Response:
    """Tell htmx to load ``url`` as if a boosted link had been followed."""
    response.headers["HX-Location"] = url
    return response


def retarget(response: Response, selector: str, swap: str = "outerHTML") -> Response:
    """Tell htmx to swap this response into ``selector`` instead of the requested target."""
    response.headers["HX-Retarget"] = selector
    response.headers["HX-Reswap"] = swap
    return response
