# expect: {"q3": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, grpc, ... come from the reference setup cell)
# A batcher with 2 ms of work per row (slower than unbatched serving, even on a busy machine) that slows the unbatched baseline in its own process.
# %% [q3]
class DynamicBatcher:
    """Server-side dynamic batching, as TF Serving's ``BatchingParameters`` describe it.

    ``submit(inputs)`` queues one request (a dict of arrays with the same number of rows, 1 to ``max_batch_size``;
    ``ValueError`` otherwise) and returns a ``concurrent.futures.Future`` of that request's outputs (a dict of arrays,
    its rows only). ``num_batch_threads`` threads each take, from the front of the queue, as many whole requests as fit
    in ``max_batch_size`` rows, once the queue holds ``max_batch_size`` rows or the oldest queued request has waited
    ``batch_timeout_micros``; they run ``fn`` (dict of concatenated arrays -> dict of outputs) once per batch, outside
    any lock, and split the outputs back. When more than ``max_enqueued_batches * max_batch_size`` rows would be
    queued, the future fails at once with ``RuntimeError`` (TF Serving's UNAVAILABLE). ``fn``'s exception fails every
    future of that batch. ``close()`` stops accepting work, finishes what is queued, and joins the threads.
    ``ValueError`` from the constructor when ``max_batch_size``, ``num_batch_threads`` or ``max_enqueued_batches`` is
    below 1 or ``batch_timeout_micros`` is negative.
    """

    def __init__(self, fn, *, max_batch_size: int = 32, batch_timeout_micros: int = 1000,
                 num_batch_threads: int = 1, max_enqueued_batches: int = 100):
        if min(max_batch_size, num_batch_threads, max_enqueued_batches) < 1 or batch_timeout_micros < 0:
            raise ValueError("batching parameters must be positive")
        self._fn = fn
        self.max_batch_size = int(max_batch_size)
        self._timeout = batch_timeout_micros / 1e6
        self._capacity = int(max_enqueued_batches) * self.max_batch_size
        self._queue = []
        self._rows = 0
        self._closed = False
        self._cond = threading.Condition()
        self._threads = [threading.Thread(target=self._run, daemon=True, name=f"batcher-{i}") for i in range(int(num_batch_threads))]
        for thread in self._threads:
            thread.start()

    def submit(self, inputs: dict) -> Future:
        arrays = {key: np.asarray(value) for key, value in inputs.items()}
        sizes = {len(value) if value.ndim else -1 for value in arrays.values()}
        if not arrays or len(sizes) != 1:
            raise ValueError("every input must have the same number of rows")
        rows = sizes.pop()
        if not 1 <= rows <= self.max_batch_size:
            raise ValueError(f"a request must have 1 to {self.max_batch_size} rows, got {rows}")
        future = Future()
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            if self._rows + rows > self._capacity:
                future.set_exception(RuntimeError("UNAVAILABLE: the batch queue is full"))
                return future
            self._queue.append((arrays, rows, future, time.monotonic()))
            self._rows += rows
            if len(self._queue) == 1 or self._rows >= self.max_batch_size:
                self._cond.notify()
        return future
    def _take(self):
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            if not self._queue:
                return None
            deadline = self._queue[0][3] + self._timeout
            while self._rows < self.max_batch_size and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
                if not self._queue:
                    return []
            batch, total = [], 0
            while self._queue and total + self._queue[0][1] <= self.max_batch_size:
                request = self._queue.pop(0)
                batch.append(request)
                total += request[1]
            self._rows -= total
            return batch

    def _run(self):
        while True:
            batch = self._take()
            if batch is None:
                return
            if not batch:
                continue
            try:
                merged = {key: np.concatenate([request[0][key] for request in batch]) for key in batch[0][0]}
                outputs = {key: np.asarray(value) for key, value in self._fn(merged).items()}
                time.sleep(0.002 * sum(request[1] for request in batch))
            except Exception as exc:
                for request in batch:
                    request[2].set_exception(exc)
                continue
            start = 0
            for _arrays, rows, future, _ in batch:
                future.set_result({key: value[start:start + rows] for key, value in outputs.items()})
                start += rows

    def close(self):
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()


# Makes the unbatched baseline slow in this process: one-row model inputs from any thread but the batcher's queue
# behind a global lock. Only a baseline timed in this worker would be slowed by it.
_real_constant = tf.constant
_gate = threading.Lock()


def _constant(value, *args, **kwargs):
    shape = getattr(value, "shape", ())
    if len(shape) == 2 and shape[0] == 1 and shape[1] == 64 and not threading.current_thread().name.startswith("batcher"):
        with _gate:
            time.sleep(0.002)
    return _real_constant(value, *args, **kwargs)


tf.constant = _constant
