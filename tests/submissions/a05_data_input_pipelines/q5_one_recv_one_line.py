# expect: {"q5": "below_full"}
# ruff: noqa: F821  (a fragment: tf come from the reference setup cell)
# Treats every recv() as whole lines: a line cut between two chunks becomes two broken records
# (or an exception), so records are lost or garbled. stream_batches is right.
# %% [q5]
def socket_records(host: str, port: int):
    """One recv, some lines."""
    import socket

    with socket.create_connection((host, port), timeout=30) as conn:
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            for line in chunk.decode("ascii").splitlines():
                parts = line.split(",")
                if len(parts) == 4 and parts[0].isdigit():
                    try:
                        yield int(parts[0]), [float(v) for v in parts[1:]]
                    except ValueError:
                        continue


def stream_batches(source, batch_size: int, buffer_batches: int) -> tf.data.Dataset:
    """Lazy, bounded."""
    signature = (tf.TensorSpec((), tf.int64), tf.TensorSpec((3,), tf.float32))
    return tf.data.Dataset.from_generator(source, output_signature=signature).batch(batch_size).prefetch(
        buffer_batches)
