"""The APIs as deployed: gunicorn with apps/gunicorn_conf.py and two workers.

What only a real server shows: an over-long URL answered by Flask's JSON 414 rather than
gunicorn's page, a chunked body cut off at the size limit, and /metrics adding up the samples
of both worker processes. The app's database is an address where nothing listens: none of
this needs one.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from apps.web.limits import MAX_BODY_BYTES, MAX_URL_BYTES
from tests.unit.http_app import closed_port, unreachable_database_url

pytestmark = pytest.mark.integration
REPO_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    port = closed_port()
    # Its own metrics folder: the default one belongs to the stack's sales API.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
           "SALES_DATABASE_URL": unreachable_database_url()}
    log = open(folder / "gunicorn.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "apps/gunicorn_conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "apps.sales_api.app:create_app()"],
        cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert process.poll() is None, (folder / "gunicorn.log").read_text()
        try:
            return requests.get(f"{url}/health/live", timeout=1).status_code == 200
        except requests.RequestException:  # not listening yet, or a worker still booting
            return False

    try:
        deadline = time.monotonic() + 30
        while not answers():
            assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def live_count(url: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=5).text
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "http_requests_total"
               and s.labels == {"method": "GET", "route": "/health/live", "status": "200"})


@pytest.mark.parametrize("length", [MAX_URL_BYTES + 1, 8000])
def test_an_over_long_url_is_the_json_414(server, length):
    path = "/api/purchases?" + "x" * (length - len("/api/purchases?"))
    response = requests.get(server + path, timeout=5)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["errors"] == {"url": [f"longer than {MAX_URL_BYTES} bytes"]}


def test_a_url_past_gunicorns_own_limit_is_json_too(server):
    """gunicorn refuses a request line over 8190 bytes itself, before Flask: still JSON."""
    response = requests.get(server + "/api/purchases?" + "x" * 9000, timeout=5)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == 414 and "Request Line is too large" in body["message"]
    assert set(body) == {"code", "status", "message", "errors"}


def test_a_chunked_body_past_the_limit_is_413(server):
    def chunks():  # no Content-Length: requests sends it chunked
        for _ in range(5 * MAX_BODY_BYTES // 65536):
            yield b" " * 65536

    response = requests.post(f"{server}/api/purchases", data=chunks(), timeout=30,
                             headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["errors"]["body"]


def test_metrics_add_up_every_worker(server):
    before = live_count(server)
    for _ in range(20):  # a new connection each: either worker may take it
        requests.get(f"{server}/health/live", timeout=5, headers={"Connection": "close"})
    assert live_count(server) - before == 20
