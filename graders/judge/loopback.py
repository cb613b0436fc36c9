"""The judge's own connections to servers that a worker's code runs on loopback inside its sandbox.

A sandbox has a network namespace of its own with loopback only (bwrap ``--unshare-net``), so a server the student's
code starts there is out of the judge's reach, and a client running in the student's worker could be told anything by
the student's code. Instead, a small relay process of the engine joins the sandbox's network namespace (``nsenter``;
it shares nothing else with the sandbox) and hands the judge sockets connected to ``127.0.0.1:port`` in there, over a
Unix socket (``SCM_RIGHTS``). The judge relays a local port of its own to them, so a hidden test uses plain
``urllib``, ``http.client`` or ``grpc`` against an ordinary address: every byte the server answers is read and parsed
by trusted code. The relay also reads the namespace's listening sockets from ``/proc/net/tcp``, which is how a test
learns what the server really bound, and whether it is still there, without asking the student's code.

Usage in a hidden test::

    with forward(student, port) as address:           # "127.0.0.1:NNNNN" on the judge's side
        urllib.request.urlopen(f"http://{address}/v1/models/m", timeout=5)
    listening(student)                                 # [("127.0.0.1", port), ...] inside the sandbox
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading

# Runs in the sandbox's network namespace, outside its mounts: the engine's code only, in an isolated interpreter.
_RELAY = r"""
import socket, sys
control = socket.socket(fileno=int(sys.argv[1]))
while True:
    request = control.recv(64)
    if not request:
        break
    if request == b"listening":
        rows = []
        for table, family in (("/proc/self/net/tcp", 4), ("/proc/self/net/tcp6", 6)):
            try:
                lines = open(table).read().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if fields[3] == "0A":  # TCP_LISTEN
                    rows.append(f"{family} {fields[1]}")
        control.sendall(("\n".join(rows) or "-").encode())
        continue
    try:
        upstream = socket.create_connection(("127.0.0.1", int(request)), timeout=5)
        upstream.settimeout(None)
    except (OSError, ValueError):
        control.sendall(b"refused")
        continue
    socket.send_fds(control, [b"connected"], [upstream.fileno()])
    upstream.close()
"""
CONNECT_TIMEOUT_S = 10.0
NSENTER = shutil.which("nsenter") or "/usr/bin/nsenter"  # util-linux, on every Debian
CHUNK = 1 << 16


class Namespace:
    """A relay into one worker's network namespace (the judge's own network when the worker shares it)."""

    def __init__(self, remote):
        member = remote.network_member()
        self._lock = threading.Lock()
        self._control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._control.settimeout(CONNECT_TIMEOUT_S)
        argv = [sys.executable, "-I", "-S", "-c", _RELAY, str(theirs.fileno())]
        if member is not None:
            # Outside a user namespace (the launcher is root) entering the network namespace is enough; otherwise
            # the sandbox's user namespace, which this uid owns, has to be entered first.
            users = [] if os.geteuid() == 0 else ["-U", "--preserve-credentials"]
            argv = [NSENTER, "-t", str(member), *users, "-n", "--", *argv]
        self._process = subprocess.Popen(argv, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()

    def _ask(self, request: bytes) -> tuple[bytes, list[int]]:
        with self._lock:
            try:
                self._control.sendall(request)
                message, fds, _flags, _address = socket.recv_fds(self._control, CHUNK, 1)
            except OSError as error:
                raise RuntimeError(f"the loopback relay stopped answering: {self._failure() or error}") from None
        if not message:
            raise RuntimeError(f"the loopback relay could not start: {self._failure()}")
        return message, fds

    def _failure(self) -> str:
        if self._process.poll() is None:
            return ""
        return self._process.stderr.read().decode(errors="replace")[-500:].strip()

    def connect(self, port: int) -> socket.socket:
        """A socket connected to ``127.0.0.1:port`` in the namespace.

        Raises:
            ConnectionRefusedError: nothing listens there.
        """
        message, fds = self._ask(str(int(port)).encode())
        if message != b"connected" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise ConnectionRefusedError(f"nothing accepts connections on 127.0.0.1:{port} in the worker's sandbox")
        return socket.socket(fileno=fds[0])

    def listening(self) -> list[tuple[str, int]]:
        """``(address, port)`` of every TCP socket listening in the namespace, IPv4 and IPv6."""
        message, _fds = self._ask(b"listening")
        found = []
        for row in message.decode().splitlines():
            if row == "-":
                continue
            family, local = row.split()
            address, port = local.split(":")
            found.append((_address(family, address), int(port, 16)))
        return found

    def close(self) -> None:
        self._control.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stderr.close()


def _address(family: str, hex_address: str) -> str:
    """A ``/proc/net/tcp`` address (host-order 32-bit words in hex) as text."""
    raw = b"".join(int(hex_address[i:i + 8], 16).to_bytes(4, sys.byteorder) for i in range(0, len(hex_address), 8))
    return socket.inet_ntop(socket.AF_INET if family == "4" else socket.AF_INET6, raw)


def listening(remote) -> list[tuple[str, int]]:
    """``(address, port)`` of every TCP socket listening in the worker's sandbox, read by the judge's relay."""
    namespace = Namespace(remote)
    try:
        return namespace.listening()
    finally:
        namespace.close()


@contextlib.contextmanager
def forward(remote, port: int):
    """Relays a fresh port of the judge's loopback to ``127.0.0.1:port`` inside ``remote``'s sandbox.

    Every connection to the yielded address gets its own connection to the worker's port. When the block ends, the
    listener and every relayed connection are closed.

    Args:
        remote: The ``student`` (or ``reference``) fixture; its worker must be running the server.
        port: The port the worker's code listens on, at 127.0.0.1 in its sandbox.

    Yields:
        ``"127.0.0.1:NNNNN"``: an address in the judge's own network, for urllib, http.client or grpc.
    """
    namespace = Namespace(remote)
    listener = socket.create_server(("127.0.0.1", 0))
    open_sockets: set[socket.socket] = set()
    guard = threading.Lock()

    def pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                upstream = namespace.connect(port)
            except (ConnectionRefusedError, RuntimeError):
                client.close()  # the client sees the connection reset, as it would against a closed port
                continue
            with guard:
                open_sockets.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(source, target), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (closing alone does not, on Linux)
        listener.close()
        with guard:
            for end in open_sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
        namespace.close()
        acceptor.join(timeout=5)
