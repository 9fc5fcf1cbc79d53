"""gunicorn settings for serving Buurtbalans (scripts/serve.sh; benchmarks/load_monitor.py).

Django's runserver is a development server: one process that answers every request in a thread of its own, so
requests wait for each other on Python's global lock. gunicorn (a maintained WSGI server, used by most Django
deployments) runs separate worker processes instead: each request has a whole process, and the workers share
the machine's cores. Sync workers suit these pages: short, CPU-bound requests; long work goes to the job worker.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Two per core: one computes while another waits for PostgreSQL. WEB_CONCURRENCY overrides (gunicorn's own name).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
# Longer than any page or download takes; a request that hangs is ended instead of holding a worker forever.
timeout = 120
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter, so not all at once): memory a worker gathered in
# its caches (compositions, map layers) is given back now and then.
max_requests = 2000
max_requests_jitter = 200
# Access log to the terminal only when asked (ACCESS_LOG=1); errors always.
accesslog = "-" if os.environ.get("ACCESS_LOG") == "1" else None
errorlog = "-"
# The forwarded headers are trusted only from the proxy in front (settings.USE_HTTPS and SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
