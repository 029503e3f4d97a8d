"""gunicorn's settings for the production shape: the Dockerfile, docker-compose.yml and
benchmarks/load_mixed.py all start gunicorn with `-c python:productops.gunicorn_conf`.

Threads (gthread) keep browsers' keep-alive connections and slow clients from tying up a whole
worker; one worker per core plus one keeps both cores busy while a thread waits on the database.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None


def post_worker_init(worker):
    # Django, its apps and their modules never become garbage: freezing what the worker has
    # loaded keeps each full collection from walking those ~200,000 objects again.
    gc.freeze()
