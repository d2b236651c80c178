"""The yardstick of `make bench-http`: one bare Flask route, served by the same gunicorn
settings as the app (``gunicorn -c gunicorn.conf.py bench.bare_app:app``). Not part of the
app: it is never imported by it, so no unauthenticated route ships."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """A constant answer: the floor of what a Flask request costs on this server."""
    return "ok"
