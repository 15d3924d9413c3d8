"""`make prod`: the production topology in one command (Makefile, Procfile, deploy/preflight.py).

The Procfile names the four processes README describes; the target checks PostgreSQL and RabbitMQ,
migrates and loads the catalogue before honcho starts them; and, where both services answer, the
topology itself starts on free loopback ports, reports healthy at /health/ and stops on SIGTERM.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from honcho.environ import parse_procfile

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def preflight():
    spec = importlib.util.spec_from_file_location("preflight", ROOT / "deploy" / "preflight.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def procfile() -> dict[str, str]:
    return parse_procfile((ROOT / "Procfile").read_text()).processes


def test_procfile_names_web_worker_beat_and_gateway():
    processes = procfile()
    assert set(processes) == {"web", "worker", "beat", "gateway"}
    assert "gunicorn qyzmet.wsgi" in processes["web"]
    assert (
        "--worker-class gthread --workers ${QYZMET_WEB_WORKERS:-2} --threads ${QYZMET_WEB_THREADS:-16}"
        in (processes["web"])
    )
    assert "celery -A qyzmet.celery worker" in processes["worker"]
    assert "celery -A qyzmet.celery beat" in processes["beat"]
    assert 'gunicorn "qyzmet.gateway.server:create_app()"' in processes["gateway"]
    assert "--workers 1" in processes["gateway"]  # the simulators keep their state in one process


def test_make_prod_checks_migrates_and_loads_before_starting():
    dry = subprocess.run(
        ["make", "-n", "prod"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
    ).stdout.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, line in enumerate(dry) if fragment in line)

    order = [
        line_of("deploy/preflight.py"),
        line_of("-m qyzmet migrate"),
        line_of("-m qyzmet regulations load"),
        line_of("honcho start"),
    ]
    assert order == sorted(order)
    started = dry[order[-1]]
    # the app as a role that owns nothing, migrations as the owner, roles made by the superuser
    assert 'DATABASE_URL="${DATABASE_URL:-postgres://qyzmet_app@127.0.0.1:5432/qyzmet}"' in started
    assert "postgres://qyzmet_owner@127.0.0.1:5432/qyzmet" in dry[order[1]]
    assert "postgres://postgres@127.0.0.1:5432/postgres" in dry[order[0]]
    assert "amqp://guest@127.0.0.1//" in started
    assert "QYZMET_GATEWAY_URL=http://127.0.0.1:8101" in started


def test_preflight_names_the_service_that_is_missing(capsys):
    closed = free_port()
    problem = preflight().check_rabbitmq(f"amqp://guest@{HOST}:{closed}//")
    assert problem.startswith(f"RabbitMQ is not reachable at {HOST}:{closed} (CELERY_BROKER_URL)")
    problem = preflight().check_postgresql(f"postgres://postgres:secret@{HOST}:{closed}/qyzmet")
    assert problem.startswith(f"PostgreSQL is not reachable at {HOST}:{closed} (DATABASE_URL)")
    assert "secret" not in problem


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def smoke_database_url() -> str:
    """A database of the smoke test's own on the PostgreSQL the suite uses (or the default one)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/qyzmet"
    return urlunsplit(urlsplit(url)._replace(path="/qyzmet_prod_smoke"))


def health(port: int) -> tuple[int, dict] | None:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        conn.request("GET", "/health/?format=json")
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    except (OSError, ValueError):
        return None


@pytest.mark.slow
def test_make_prod_topology_starts_reports_healthy_and_stops(tmp_path):
    check = preflight()
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("amqp://"):
        broker = check.DEFAULT_BROKER_URL
    database = smoke_database_url()
    missing = [p for p in (check.check_rabbitmq(broker), check.check_postgresql(database)) if p]
    if missing:
        pytest.skip("; ".join(missing))

    web, gateway = free_port(), free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database,
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="0",
        QYZMET_CELERY_QUEUE="qyzmet-prod-smoke",  # not the queue of a site or test sharing the broker
        QYZMET_GATEWAY_URL=f"http://{HOST}:{gateway}",
        QYZMET_BIND=f"{HOST}:{web}",
        QYZMET_GATEWAY_BIND=f"{HOST}:{gateway}",
        QYZMET_WEB_WORKERS="1",
        QYZMET_WEB_THREADS="4",
        QYZMET_CELERY_CONCURRENCY="1",
        QYZMET_VAR_DIR=str(tmp_path),
        QYZMET_SECRET_KEY="prod-smoke-" + os.urandom(8).hex(),
        QYZMET_LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for command in (["-m", "qyzmet", "migrate", "-v0"], ["-m", "qyzmet", "regulations", "load"]):
        subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, check=True, timeout=300, capture_output=True
        )

    log = tmp_path / "honcho.log"
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "honcho"), "start"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a failed stop can end all of it
        )
    try:
        deadline = time.monotonic() + 90
        answer = None
        while time.monotonic() < deadline and honcho.poll() is None:
            answer = health(web)
            if answer and answer[0] == 200:
                break
            time.sleep(0.25)
        assert answer is not None and answer[0] == 200, f"{answer}\n{log.read_text()[-3000:]}"
        assert answer[1] == {"Database(alias='default')": "OK", "Broker": "OK", "Gateway": "OK"}
        started = log.read_text()
        for name in ("web.1", "worker.1", "beat.1", "gateway.1"):
            assert f"{name} started" in started
    finally:
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGTERM)
            try:
                honcho.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(honcho.pid, signal.SIGKILL)
                honcho.wait(timeout=10)
    assert health(web) is None  # the web server is gone with honcho
    stopped = log.read_text()
    for name in ("web.1", "worker.1", "beat.1", "gateway.1"):
        assert f"{name} stopped" in stopped
