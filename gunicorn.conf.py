"""gunicorn settings for `make serve` (production): workers and threads from the environment.

    GUNICORN_BIND      address to listen on           (default 127.0.0.1:8000)
    GUNICORN_WORKERS   worker processes               (default: 2 × cores, at most 8)
    GUNICORN_THREADS   threads per worker             (default 4)
    GUNICORN_TIMEOUT   seconds before a stuck worker is restarted (default 60)

The access log names the method, the path without its query string (search terms are
personal data), the status, the time taken and the request id; never form values."""

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
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
