# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf come from the reference setup cell)
# The socket reader is right, but stream_batches drains the whole stream into a list first and
# slices it: every record is in memory before the first batch, so the bound is broken.
# %% [q5]
def socket_records(host: str, port: int):
    """Lines from a TCP stream."""
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


def stream_batches(source, batch_size: int, buffer_batches: int) -> tf.data.Dataset:
    """Everything in a list, then from_tensor_slices."""
    records = list(source())
    seqs = tf.constant([r[0] for r in records], tf.int64)
    values = tf.constant([r[1] for r in records], tf.float32)
    return tf.data.Dataset.from_tensor_slices((seqs, values)).batch(batch_size).prefetch(buffer_batches)
