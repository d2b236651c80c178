"""Static files under content-hashed names, cached for a year.

``url_for('static', filename='app.css')`` yields ``/static/app.<hash>.css``, the hash being the
first 12 hex digits of the SHA-256 of the file's content, computed once when the app is built.
A hashed name is served with ``Cache-Control: public, max-age=31536000, immutable``: a browser
or proxy keeps it for a year without asking again, and a new version is a new address.

The hash is in the path rather than a ``?v=`` query because some caches and CDNs ignore or
refuse to store URLs with a query, and because the name then states on its own which content
it holds. A name the app does not know as current still works, never cached for a year: the
plain name (``/static/app.css``) and a stale hash (a page rendered by an older or newer server
during a deploy) are both answered with the file as it is now, ``no-cache`` with its ETag.

A file changed on disk is not seen until the app is rebuilt (a restart): a server that kept
serving new content under the old hash would break the promise of immutability. With
``flask --debug`` the plain names are used, so edits show on reload.

A static response never carries the session: no ``Set-Cookie`` on a response that caches may
share, and no ``Vary: Cookie`` (added whenever anything merely looks at the session, as
Flask-Login does after every request), which would make a browser fetch the file again each
time the session cookie changes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

IMMUTABLE_MAX_AGE = 365 * 24 * 60 * 60
HASH_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>.+)\.[0-9a-f]{{{HASH_LENGTH}}}(?P<suffix>\.[^./]+)?$")


@dataclass(frozen=True)
class Manifest:
    """The static files of one folder: each name with its hashed name, and back."""

    hashed: dict[str, str]
    names: dict[str, str]

    def url_name(self, name: str) -> str:
        """The hashed name of a known file; any other name unchanged."""
        return self.hashed.get(name, name)


def hashed_name(name: str, content: bytes) -> str:
    """``dir/app.css`` → ``dir/app.<12 hex digits of sha256(content)>.css``."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, slash, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:  # no extension (or a dot file): the hash goes last
        return f"{name}.{digest}"
    return f"{folder}{slash}{stem}.{digest}.{suffix}"


def build_manifest(folder: Path) -> Manifest:
    """Hash every file under ``folder`` (skipping hidden ones)."""
    hashed: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and not any(part.startswith(".") for part in name.split("/")):
                hashed[name] = hashed_name(name, path.read_bytes())
    return Manifest(hashed=hashed, names={v: k for k, v in hashed.items()})


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, not saved (nor varied on) for static files."""

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if request.endpoint != "static":
            super().save_session(app, session, response)


def _whole(response: Response) -> Response:
    """The file read into the response (the files are small): compressed like a page, with
    its length, and closed at once. Partial (206) answers stay as send_file made them."""
    if response.status_code == 200 and response.is_streamed:
        stream = response.response
        try:
            body = b"".join(stream)
        finally:
            getattr(stream, "close", lambda: None)()
        response.direct_passthrough = False
        response.set_data(body)
    return response


def install(app: Flask) -> None:
    """Hash the app's static folder, hash ``url_for('static', …)`` and serve hashed names."""
    if not app.has_static_folder or app.debug:
        return
    manifest = build_manifest(Path(app.static_folder or ""))
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def _hashed_static_url(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.url_name(values["filename"])

    def static(filename: str) -> Response:
        """A static file by its hashed name (a year, immutable) or by any other name."""
        name = manifest.names.get(filename)
        if name is not None:
            response = _whole(app.send_static_file(name))
            cache = response.cache_control
            cache.no_cache = None
            cache.public = True
            cache.max_age = IMMUTABLE_MAX_AGE
            cache.immutable = True
            return response
        stale = _HASHED.match(filename)
        if stale and filename not in manifest.hashed:
            current = stale["stem"] + (stale["suffix"] or "")
            if current in manifest.hashed:
                filename = current
        return _whole(app.send_static_file(filename))

    app.view_functions["static"] = static
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = _SessionInterface()


__all__ = ["Manifest", "build_manifest", "hashed_name", "install"]
