"""Helpers of the tests that talk to real services and start real processes: a Celery worker
and application servers (gunicorn) on loopback, against Redis, RabbitMQ, PostgreSQL and its
streaming replica.

A service that does not answer skips its tests, unless REQUIRE_<SERVICE>=1 (CI sets it for
the services `.ci/run` starts): then the test fails. The processes read the test database,
so the tests that start them commit their data (`transaction=True`) on a database the
processes can open: PostgreSQL (`make test`'s second run), not the in-memory SQLite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

REDIS_URL = os.getenv("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # a test-only database
RABBITMQ_URL = os.getenv("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def need(service: str, url: str) -> None:
    """Skip the test when `url` does not answer; fail instead under REQUIRE_<SERVICE>=1."""
    if _answers(url):
        return
    message = f"{service} does not answer at {url}"
    if os.getenv(f"REQUIRE_{service.upper()}"):
        pytest.fail(f"{message} and REQUIRE_{service.upper()} is set")
    pytest.skip(message)


def need_shared_database() -> None:
    """Skip unless the test database is one another process can open (not in-memory)."""
    if connection.vendor != "postgresql":
        pytest.skip("starts processes that read the test database: needs PostgreSQL")


def database_url() -> str:
    """The URL of the test database, for the processes the test starts."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def flush_redis(url: str = REDIS_URL) -> None:
    import redis

    redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A loopback port nothing listens on (bound and released: refused at once)."""
    return free_port()


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a process under test: production settings on the test database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DATABASE_", "REDIS_", "CELERY_", "DJANGO_", "PYTEST_", "SECRET_KEY")
        )
    }
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="baotuan.settings",
        SECRET_KEY=settings.SECRET_KEY,  # the test's own: sessions made here are valid there
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url(),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


class Process:
    """A child process with its output in a file; `stop()` ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path):
        self.name, self.args, self.log = name, args, log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=15)
        self._out.close()


def wait_for(condition, *, timeout: float, what: str, process: Process | None = None):
    """Poll `condition()` until it returns something true; fail with the process's output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        if process is not None and not process.alive():
            pytest.fail(f"{process.name} exited ({process.popen.returncode}):\n{process.output()}")
        time.sleep(0.2)
    tail = f"\n{process.name} said:\n{process.output()[-4000:]}" if process else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}{tail}")


def start_worker(tmp_path: Path, broker: str, queue: str, **env: str) -> Process:
    args = [
        str(BIN / "celery"), "-A", "baotuan", "worker", "--pool=solo", "-Q", queue,
        "-n", f"{queue}@%h", "--without-mingle", "--without-gossip", "--loglevel=INFO",
    ]  # fmt: skip
    worker = Process(
        "worker", args, process_env(CELERY_BROKER_URL=broker, **env), tmp_path / f"{queue}.log"
    )
    wait_for(lambda: "ready" in worker.output(), timeout=60, what="the worker", process=worker)
    return worker


def start_server(tmp_path: Path, name: str, **env: str) -> tuple[Process, str]:
    """gunicorn (one sync worker) on a free loopback port; returns it and its base URL."""
    port = free_port()
    args = [
        str(BIN / "gunicorn"), "baotuan.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}",
        "--timeout", "60", "--graceful-timeout", "5",
    ]  # fmt: skip
    server = Process(name, args, process_env(**env), tmp_path / f"{name}.log")
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(base), timeout=60, what=f"server {name}", process=server)
    return server, base


def http(method: str, url: str, *, data: bytes | None = None, headers=None, timeout=30):
    """(status, headers, body) of one request; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        with contextlib.closing(exc):
            return exc.code, exc.headers, exc.read()
