"""gunicorn settings: the request-line limit and where each API's metrics files go."""
from types import SimpleNamespace

import pytest

from apps import gunicorn_conf
from apps.web.limits import MAX_URL_BYTES


def test_gunicorn_reads_every_url_flask_answers_with_its_json_414():
    # Room for the longest method and " HTTP/1.1" around a target one byte over Flask's limit.
    assert gunicorn_conf.limit_request_line >= MAX_URL_BYTES + 1 + len("OPTIONS  HTTP/1.1")
    assert gunicorn_conf.limit_request_line <= 8190  # above that gunicorn would not bound it


@pytest.mark.parametrize("uri, name", [
    ("apps.sales_api.app:create_app()", "sales-api"),
    ("apps.access_api.app:create_app()", "access-api"),
    ("somewhere.else:app", "somewhere.else"),
])
def test_the_metrics_folder_is_per_app_under_the_stack_run_folder(uri, name, tmp_path):
    assert gunicorn_conf.metrics_dir(uri, {"STACK_DIR": str(tmp_path)}) == tmp_path / "run" / "metrics" / name


def test_an_explicit_metrics_folder_wins(tmp_path):
    environ = {"STACK_DIR": "/elsewhere", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    assert gunicorn_conf.metrics_dir("apps.sales_api.app:create_app()", environ) == tmp_path


def test_the_master_starts_with_an_empty_folder_and_exports_it(tmp_path, monkeypatch):
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"stale")
    (folder / "README").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    server = SimpleNamespace(app=SimpleNamespace(app_uri="apps.sales_api.app:create_app()"),
                             log=SimpleNamespace(info=lambda *args: None))
    gunicorn_conf.on_starting(server)
    assert [p.name for p in folder.iterdir()] == ["README"]


def test_a_master_that_already_imported_prometheus_client_refuses_to_guess(monkeypatch):
    """With --preload the app, and prometheus_client, load before on_starting could set the
    folder: the workers would count alone and /metrics would show one of them."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    server = SimpleNamespace(app=SimpleNamespace(app_uri="apps.sales_api.app:create_app()"))
    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR"):
        gunicorn_conf.on_starting(server)  # this test process has imported prometheus_client
