"""Prometheus metrics of an API, served at GET /metrics: requests and latency by route and status.

The route label is Flask's URL rule (`/api/users/<email>/roles`), never the raw path, and the
method is one of a fixed few, so the number of series stays bounded whatever URLs clients send;
a request that matched no rule counts as `unmatched`. Under gunicorn every worker is its own
process: with PROMETHEUS_MULTIPROC_DIR set (apps/gunicorn_conf.py sets it) each worker writes
its samples to files there and /metrics adds up all workers'; without it (tests, `flask run`)
the process's own registry is served.
"""
import os
import time

from flask import Flask, Response, g, request
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter,
                               Histogram, generate_latest, multiprocess)

LABELS = ("method", "route", "status")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUESTS = Counter("http_requests_total", "HTTP requests answered", LABELS)
LATENCY = Histogram("http_request_duration_seconds",
                    "Time from a request's arrival in Flask to its response", LABELS,
                    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))

blp = Blueprint("metrics", __name__, description="Prometheus metrics (no authentication).")


def registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    merged = CollectorRegistry()  # a fresh one per scrape, as prometheus_client prescribes
    multiprocess.MultiProcessCollector(merged)
    return merged


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.response(200, {"type": "string"}, content_type=CONTENT_TYPE_LATEST,  # documents the text
                  description="Prometheus text format: http_requests_total and "
                              "http_request_duration_seconds by method, route and status")
    def get(self):
        """Request counts and latencies of this API, all worker processes together."""
        return Response(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def start_timer() -> None:
    g.metrics_started = time.perf_counter()


def record(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is not None:
        labels = (request.method if request.method in METHODS else "other",
                  request.url_rule.rule if request.url_rule else "unmatched",
                  str(response.status_code))
        REQUESTS.labels(*labels).inc()
        LATENCY.labels(*labels).observe(time.perf_counter() - started)
    return response


def install_metrics(app: Flask, api: Api) -> None:
    # First of all before_request hooks, so a request refused by any of them is timed too.
    app.before_request_funcs.setdefault(None, []).insert(0, start_timer)
    app.after_request(record)
    api.register_blueprint(blp)
