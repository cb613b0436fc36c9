"""The judge's relay into a worker's loopback: HTTP through it, what the sandbox listens on, a stopped server."""

import concurrent.futures
import json
import urllib.error
import urllib.request

import pytest

from graders.judge import loopback
from graders.judge.remote import Cell, Remote
from graders.judge.worker_process import WorkerConfig
from tests.conftest import requires_bwrap

CELLS = [Cell(0, '''
import http.server, json, threading

SERVERS = {}

class Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = json.dumps({"path": self.path, "doubled": [2 * v for v in json.loads(body)]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass

def start(host):
    server = http.server.ThreadingHTTPServer((host, 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SERVERS[server.server_address[1]] = server
    return server.server_address[1]

def stop(port):
    server = SERVERS.pop(port)
    server.shutdown()
    server.server_close()
''')]


@pytest.fixture(scope="module",
                params=[pytest.param(True, marks=requires_bwrap, id="sandboxed"), pytest.param(False, id="shared")])
def worker(request):
    remote = Remote("student", WorkerConfig(assignment="a00_mini", sandboxed=request.param), CELLS,
                    cell_timeout=30, call_timeout=30)
    yield remote
    remote.close()


def _post(address: str, path: str, values: list) -> dict:
    request = urllib.request.Request(f"http://{address}{path}", data=json.dumps(values).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_judge_talks_http_to_a_server_in_the_worker(worker):
    port = worker.call("start", "127.0.0.1")
    with loopback.forward(worker, port) as address:
        assert _post(address, "/v1/x:predict", [1, 2]) == {"path": "/v1/x:predict", "doubled": [2, 4]}
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(lambda i: _post(address, f"/{i}", [i]), range(40)))
    assert replies == [{"path": f"/{i}", "doubled": [2 * i]} for i in range(40)]


def test_listening_sockets_are_read_from_the_namespace_not_asked(worker):
    local = worker.call("start", "127.0.0.1")
    everywhere = worker.call("start", "0.0.0.0")
    found = loopback.listening(worker)
    assert ("127.0.0.1", local) in found and ("0.0.0.0", everywhere) in found
    worker.call("stop", everywhere)
    assert ("0.0.0.0", everywhere) not in loopback.listening(worker)


def test_a_stopped_server_refuses_through_the_relay(worker):
    port = worker.call("start", "127.0.0.1")
    with loopback.forward(worker, port) as address:
        assert _post(address, "/", [3]) == {"path": "/", "doubled": [6]}
        worker.call("stop", port)
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            _post(address, "/", [3])


@requires_bwrap
def test_the_sandbox_is_not_the_judges_network():
    """Without the relay the judge cannot reach the worker's port: the relay is what makes the request possible."""
    remote = Remote("student", WorkerConfig(assignment="a00_mini"), CELLS, cell_timeout=30, call_timeout=30)
    try:
        port = remote.call("start", "127.0.0.1")
        assert remote.network_member() is not None
        assert ("127.0.0.1", port) in loopback.listening(remote)
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            _post(f"127.0.0.1:{port}", "/", [1])
    finally:
        remote.close()
