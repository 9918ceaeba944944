"""A real PostgreSQL server for the test session: Debian's binaries, a fresh cluster
in a temporary folder, loopback only, on a free port, stopped at the end.

PostgreSQL refuses to run as root, and CI runs the suite as root: there the
cluster belongs to the ``postgres`` system user that Debian's package creates, and
every server command runs as that user. Missing binaries fail the session with the
line that says how to get them; they never skip a test.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

# A role that must give its password (every other connection is trusted): what the
# tests of "a wrong password never shows up in a message" connect as.
PASSWORD_USER = "drift_assets_pw"
PASSWORD = "s3cret-Pa55word"
INSTALL_HINT = "install Debian's postgresql package (`apt-get install postgresql`; .ci/run does)"


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    data_dir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def password_url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        """A URL for the role that authenticates with a password (scram-sha-256)."""
        return f"postgresql://{PASSWORD_USER}:{password}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database on this server; returns its URL."""
        self._run("createdb", "-h", self.host, "-p", str(self.port), "-U", self.user, name)
        return self.url(name)

    def _run(self, tool: str, *args: str) -> None:
        _run_as_owner([str(_binary(tool)), *args])


def _binary(tool: str) -> Path:
    # Debian keeps the server tools out of PATH, under the major version's folder.
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if found:
        return Path(found[-1])
    on_path = shutil.which(tool)
    if on_path:
        return Path(on_path)
    raise RuntimeError(f"PostgreSQL's {tool} was not found: {INSTALL_HINT}")


def _owner() -> str | None:
    """The user to run the server as: None means the current (non-root) user."""
    if os.geteuid() != 0:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError as error:
        raise RuntimeError(f"running as root with no `postgres` user: {INSTALL_HINT}") from error
    return "postgres"


def _run_as_owner(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    owner = _owner()
    if owner is not None:
        command = ["runuser", "-u", owner, "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start() -> PostgresServer:
    """initdb a new cluster (fsync off: the data is thrown away) and start it."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    # Not under pytest's tmp folder: that one is private to root, and the server
    # user must own its data directory.
    root = Path(tempfile.mkdtemp(prefix="drift_assets_pg_"))
    owner = _owner()
    if owner is not None:
        shutil.chown(root, user=owner)
    data_dir = root / "data"
    user = "drift_assets"
    _run_as_owner([str(initdb), "-D", str(data_dir), "-U", user, "--auth=trust", "-E", "UTF8"])
    hba = data_dir / "pg_hba.conf"
    # First match wins: this role alone is asked for its password.
    hba.write_text(f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c fsync=off "
        f"-c synchronous_commit=off -c full_page_writes=off "
        f"-c unix_socket_directories={root} -c max_connections=200"
    )
    _run_as_owner(
        [
            str(pg_ctl),
            "-D",
            str(data_dir),
            "-o",
            options,
            "-l",
            str(root / "server.log"),
            "-w",
            "start",
        ]
    )
    server = PostgresServer(host="127.0.0.1", port=port, user=user, data_dir=data_dir)
    _wait_until_accepting(server)
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {PASSWORD_USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
    return server


def _wait_until_accepting(server: PostgresServer, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((server.host, server.port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def stop(server: PostgresServer) -> None:
    _run_as_owner([str(_binary("pg_ctl")), "-D", str(server.data_dir), "-m", "immediate", "stop"])
    shutil.rmtree(server.data_dir.parent, ignore_errors=True)
