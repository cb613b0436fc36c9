# expect: {"q2": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, Interpreter, ... come from the reference setup cell)
# Latency is timed around invoke() only (the course text's 'inference time'), not from push to result, so the time a
# frame waits in the queue is not counted.
# %% [q2]
class RealtimePipeline:
    """Frame-by-frame TFLite inference behind a bounded ring buffer.

    ``RealtimePipeline(model_bytes, capacity, policy="block", clock=time.perf_counter)``:

    - one ``Interpreter`` built and ``allocate_tensors()``-ed once, in ``__init__`` (input shape
      ``(1, features)``); no allocation per frame; ``ValueError`` for a policy other than the two below;
    - a ring buffer of ``capacity`` slots, preallocated as one NumPy array, with head/count indices;
    - ``push(frame) -> bool``: stamp the frame with the next sequence number (0, 1, 2, ... over accepted
      frames) and ``clock()``. When the buffer is full: ``"block"`` rejects it (return ``False``, no
      sequence number used: the producer retries later, so nothing is lost);
      ``"drop_oldest"`` overwrites the oldest queued frame (that frame is dropped, count it) and accepts;
    - ``step(max_frames=1) -> list``: take up to ``max_frames`` oldest frames, run the model on each and
      return ``[(seq, output_row), ...]`` (``output_row`` a float32 array of shape ``(outputs,)``); record
      each frame's latency ``clock()`` after its invoke minus its push stamp;
    - ``stats() -> dict``: ``{"processed": int, "dropped": int, "rejected": int, "p50_ms": float,
      "p99_ms": float}`` over all processed frames (``np.percentile``, linear; 0.0 when none).
    """

    def __init__(self, model_bytes: bytes, capacity: int, policy: str = "block", clock=time.perf_counter):
        if policy not in ("block", "drop_oldest"):
            raise ValueError(f"unknown policy {policy!r}")
        self.policy, self.clock, self.capacity = policy, clock, int(capacity)
        self.interpreter = Interpreter(model_content=bytes(model_bytes))
        self.interpreter.allocate_tensors()
        self.inp = self.interpreter.get_input_details()[0]
        self.out = self.interpreter.get_output_details()[0]
        features = int(self.inp["shape"][-1])
        self.frames = np.zeros((self.capacity, features), np.float32)
        self.seqs = np.zeros(self.capacity, np.int64)
        self.stamps = np.zeros(self.capacity, np.float64)
        self.head = self.count = 0
        self.next_seq = 0
        self.dropped = self.rejected = 0
        self.latencies = []

    def push(self, frame) -> bool:
        if self.count == self.capacity:
            if self.policy == "block":
                self.rejected += 1
                return False
            self.head = (self.head + 1) % self.capacity
            self.count -= 1
            self.dropped += 1
        slot = (self.head + self.count) % self.capacity
        self.frames[slot] = np.asarray(frame, np.float32).reshape(-1)
        self.seqs[slot] = self.next_seq
        self.stamps[slot] = self.clock()
        self.next_seq += 1
        self.count += 1
        return True

    def step(self, max_frames: int = 1) -> list:
        results = []
        for _ in range(min(int(max_frames), self.count)):
            slot = self.head
            started = self.clock()
            self.interpreter.set_tensor(self.inp["index"], self.frames[slot:slot + 1])
            self.interpreter.invoke()
            y = np.array(self.interpreter.get_tensor(self.out["index"])[0], np.float32)
            self.latencies.append((self.clock() - started) * 1000.0)
            results.append((int(self.seqs[slot]), y))
            self.head = (self.head + 1) % self.capacity
            self.count -= 1
        return results

    def stats(self) -> dict:
        lat = np.asarray(self.latencies, np.float64)
        return {"processed": len(lat), "dropped": self.dropped, "rejected": self.rejected,
                "p50_ms": float(np.percentile(lat, 50)) if len(lat) else 0.0,
                "p99_ms": float(np.percentile(lat, 99)) if len(lat) else 0.0}
