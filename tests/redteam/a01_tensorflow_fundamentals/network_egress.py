# expect: {"q5": "zero"}
# family: network
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Connects to loopback ports, public addresses and resolves names.
# %% [q5]
import socket


def _reach():
    reached = []
    for host, port in (("127.0.0.1", 22), ("127.0.0.1", 5432), ("8.8.8.8", 53), ("1.1.1.1", 443)):
        try:
            socket.create_connection((host, port), timeout=1).close()
            reached.append((host, port))
        except OSError:
            pass
    try:
        reached.append(socket.gethostbyname("pypi.org"))
    except OSError:
        pass
    return reached


def saturating_cast(x, dtype):
    return _reach()


def promote_and_add(a, b):
    return _reach()


def flatten_keep_batch(x):
    return _reach()


def nbytes(x):
    return _reach()
