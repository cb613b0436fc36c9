# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np come from the reference setup cell)
# Reconnects with FROM 0 every time and skips the records it already has: the right records, but every break costs
# the whole stream again.
# %% [q5]
def socket_records(host: str, port: int):
    """Yield the records a TCP server streams, in order, until it closes the connection.

    The stream is text: one record per line, ``"<seq>,<v0>,<v1>,<v2>"`` ending in a newline (an int and three
    floats). TCP does not keep message boundaries: one ``recv`` may return half a line or several
    lines, so buffer the bytes and cut them at newlines. Close the socket when done.

    Yields:
        ``(seq, [v0, v1, v2])`` as ``(int, list of float)``.
    """
    import socket

    with socket.create_connection((host, port), timeout=30) as conn:
        pending = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line:
                    seq, *values = line.decode("ascii").split(",")
                    yield int(seq), [float(v) for v in values]
        if pending.strip():  # a last line without its newline
            seq, *values = pending.decode("ascii").split(",")
            yield int(seq), [float(v) for v in values]


def resilient_records(host: str, port: int, timeout_s: float = 0.5, max_retries: int = 3):
    r"""Yield every record of a resumable stream exactly once, across dropped and stalled connections.

    Protocol: after connecting, send ``"FROM <seq>\n"`` (ASCII), the first sequence number you still need;
    the server streams records ``"<seq>,<v0>,<v1>,<v2>\n"`` from there and ends a complete stream with the
    line ``"END\n"`` before closing. A connection may break anywhere, even inside a line: it closes or
    resets without ``END``, or it stalls (stays open and silent). Treat a ``recv`` that waits longer than
    ``timeout_s`` as a stall (the latency bound). After a break, drop the partial line and reconnect with
    ``FROM`` the next sequence number, so no record is lost or repeated. Give up with ``ConnectionError``
    after ``max_retries`` reconnections in a row that brought no new record (``max_retries + 1``
    connections without progress in all).

    Yields:
        ``(seq, [v0, v1, v2])`` as ``(int, list of float)``, each seq once, in order.
    """
    import socket

    next_seq, failures = 0, 0
    while True:
        progressed = False
        try:
            with socket.create_connection((host, port), timeout=timeout_s) as conn:
                conn.settimeout(timeout_s)  # every recv, not only the connect: a silent server is a broken one
                conn.sendall(b"FROM 0\n")
                pending = b""
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break  # closed without END: a break
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        if line == b"END":
                            return
                        seq, *values = line.decode("ascii").split(",")
                        if int(seq) == next_seq:  # earlier ones were received before the break
                            yield next_seq, [float(v) for v in values]
                            next_seq, progressed = next_seq + 1, True
        except OSError:  # refused, reset, or a recv that outwaited timeout_s (socket.timeout is an OSError)
            pass
        failures = 0 if progressed else failures + 1
        if failures > max_retries:
            raise ConnectionError(f"no progress after {max_retries} reconnections (next record {next_seq})")


def stream_batches(source, batch_size: int, buffer_batches: int) -> tf.data.Dataset:
    """Micro-batches of a stream, holding a bounded number of records in memory.

    ``source`` is a zero-argument callable that returns a fresh iterator of ``(seq, values)``
    records (``int``, 3 floats), as ``lambda: socket_records(host, port)``. Read it lazily with
    ``tf.data.Dataset.from_generator``, batch it (keep the last batch) and prefetch exactly
    ``buffer_batches`` batches, so the pipeline never runs more than about
    ``(buffer_batches + 2) * batch_size`` records ahead of its consumer (no ``list(source())``,
    no big shuffle buffer, no ``AUTOTUNE`` buffer).

    Returns:
        A ``tf.data.Dataset`` of ``(seq int64 (batch,), values float32 (batch, 3))`` in stream order.
    """
    signature = (tf.TensorSpec((), tf.int64), tf.TensorSpec((3,), tf.float32))
    data = tf.data.Dataset.from_generator(source, output_signature=signature)
    return data.batch(batch_size).prefetch(buffer_batches)  # a fixed buffer, not AUTOTUNE: memory stays bounded
