"""gunicorn settings for `make serve` (production): workers and threads from the environment.

    GUNICORN_BIND      address to listen on           (default 127.0.0.1:8000)
    GUNICORN_WORKERS   worker processes               (default: 2 × cores, at most 8)
    GUNICORN_THREADS   threads per worker             (default 4)
    GUNICORN_TIMEOUT   seconds before a stuck worker is restarted (default 60)

Requests are logged by the app (app/middleware.py): method, route, status, time, staff id and
request id; never paths with ids, query strings (search terms are personal data) or form
values."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 20
keepalive = 5
# Each worker builds its own app (its own database pool); nothing is shared across a fork.
preload_app = False
# The app logs each request itself (method, route rule, status, time, staff id, request id);
# gunicorn's own access line would add the path, with its customer ids.
accesslog = None
errorlog = "-"
# No control socket: several servers (tests, benchmarks) may run side by side.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
