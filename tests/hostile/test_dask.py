"""--scheduler: nothing listening, a service that never answers, and one that answers as something
else are each one line and exit 3 within --connect-timeout; never a traceback or a hang."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from typer.testing import CliRunner

from cli import app
from tests.hostile.helpers import write_plans

pytest.importorskip("distributed")
runner = CliRunner()


@pytest.fixture
def service():
    """A loopback port served by ``behaviour`` (set by the test): 'silent' accepts and says nothing,
    'http' answers as a web server would."""
    server = socket.create_server(("127.0.0.1", 0))
    state = {"behaviour": "silent", "conns": []}

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            state["conns"].append(conn)
            if state["behaviour"] == "http":
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield state, f"tcp://127.0.0.1:{server.getsockname()[1]}"
    server.close()
    for conn in state["conns"]:
        conn.close()


def closed_port() -> str:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("case", ["nothing listening", "silent", "http"])
def test_a_scheduler_that_is_not_there_is_one_line_and_exit_3(tmp_path, service, case):
    state, address = service
    state["behaviour"] = case
    if case == "nothing listening":
        address = closed_port()
    plan = write_plans(tmp_path / "in", 1)[0]
    started = time.monotonic()
    result = runner.invoke(app, ["run", str(plan), "-o", str(tmp_path / "out"), "--scheduler", address,
                                 "--connect-timeout", "1"])
    assert time.monotonic() - started < 10
    assert result.exit_code == 3, result.output
    expected = {
        "nothing listening": f"kehoach: cannot reach the Dask scheduler at {address}: Connection refused",
        "silent": f"kehoach: the Dask scheduler at {address} did not answer within 1 s (--connect-timeout)",
        "http": f"kehoach: the service at {address} is not a Dask scheduler (it does not answer as one)",
    }[case]
    assert result.output.splitlines() == [expected]


def test_a_scheduler_address_without_a_port_is_bad_usage(tmp_path):
    plan = write_plans(tmp_path / "in", 1)[0]
    result = runner.invoke(app, ["run", str(plan), "-o", str(tmp_path / "out"), "--scheduler", "tcp://localhost"])
    assert result.exit_code == 2
    assert result.output == "kehoach: --scheduler tcp://localhost: give it as tcp://HOST:PORT\n"


def test_a_real_scheduler_passes_the_probe(tmp_path):
    from distributed import LocalCluster

    from pipeline.runner import run

    files = write_plans(tmp_path / "in", 2)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                      scheduler_kwargs={"protocol": "tcp", "host": "127.0.0.1"}) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        summary = run(files, tmp_path / "out", scheduler=cluster.scheduler_address, connect_timeout=5,
                      options={"stages": ["normalise"]})
    assert summary.by_status == {"ok": 2}
