"""The product as `make run` starts it (supervisord: gunicorn, a Celery worker, beat), in its own
folder and database, on the broker the suite was given (the embedded one, or Redis in CI)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "stack.log"
        self._database = self._own_database()
        self._broker = self._own_broker()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            # As the Makefile's RUN_ENV: DEBUG off, plain HTTP, console e-mail, no two-factor.
            "DEBUG": "0",
            "SECRET_KEY": "stack-only-secret-key-0123456789abcdefghijkl",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "EMAIL_BACKEND": "config.mail.ConsoleSummaryBackend",
            "REQUIRE_2FA_FOR_PRIVILEGED": "0",
            "API_DOCS_PUBLIC": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "RELAIS_VAR_DIR": str(folder),
            "DATABASE_URL": self._database,
            "CELERY_BROKER_URL": self._broker,
            "WEB_COMMAND": (
                f"gunicorn config.wsgi --bind 127.0.0.1:{self.port} --workers 2 --threads 4"
                " --no-control-socket"
            ),
        }
        self.process: subprocess.Popen | None = None

    # Each stack has a database and a broker of its own, so that nothing the suite left behind
    # reaches its worker and nothing it does reaches the suite's.

    def _own_database(self) -> str:
        given = os.environ.get("DATABASE_URL", "")
        if not given.startswith(("postgres://", "postgresql://")):
            return f"sqlite:///{self.folder / 'relais.sqlite3'}"
        import psycopg

        self._pg_name = f"relais_stack_{os.getpid()}_{self.port}"
        with psycopg.connect(given, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}"')
            connection.execute(f'CREATE DATABASE "{self._pg_name}"')
        parts = urlsplit(given)
        return urlunsplit(parts._replace(path=f"/{self._pg_name}"))

    def _own_broker(self) -> str:
        given = os.environ.get("CELERY_BROKER_URL", "")
        if not given.startswith("redis"):
            return "filesystem://localhost/"
        import redis

        url = urlunsplit(urlsplit(given)._replace(path="/13"))
        redis.Redis.from_url(url).flushdb()
        return url

    def manage(self, *arguments: str, timeout: float = 300) -> str:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        return result.stdout

    def query(self, code: str) -> object:
        """What an expression says about the stack's database (run by Django in a subprocess)."""
        program = f"import json; print(json.dumps({code}))"
        return json.loads(self.manage("shell", "-c", program).strip().splitlines()[-1])

    def start(self) -> None:
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.manage("seed_demo", "--force", "-v", "0")
        # Appended to: supervisord and its programs each write the file at their own offset.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own supervisord configuration
                [str(BIN / "supervisord"), "-c", "config/supervisord.conf"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_until(lambda: self.answers() and self.all_running(), within=90)

    def answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/accounts/login/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def status(self) -> dict[str, tuple[str, int]]:
        """Each program's state and process id, as supervisorctl reports them."""
        result = subprocess.run(  # noqa: S603 - our own supervisorctl
            [str(BIN / "supervisorctl"), "-c", "config/supervisord.conf", "status"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        found = {}
        for line in result.stdout.splitlines():
            name, state, *rest = line.split()
            pid = int(rest[1].rstrip(",")) if rest and rest[0] == "pid" else 0
            found[name] = (state, pid)
        return found

    def all_running(self) -> bool:
        status = self.status()
        return set(status) == {"web", "worker", "beat"} and all(
            state == "RUNNING" for state, _ in status.values()
        )

    @staticmethod
    def wait_until(condition, within: float, every: float = 0.5) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {within} s: {condition}")
            time.sleep(every)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "_pg_name", None):
            import psycopg

            with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
