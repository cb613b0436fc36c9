from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_batcher_returns_each_callers_rows", points=1, hidden=False)
def test_batcher_returns_each_callers_rows(DynamicBatcher):
    import threading

    import numpy as np

    sizes = []
    batcher = DynamicBatcher(lambda d: sizes.append(len(d["x"])) or {"y": d["x"] * 10},
                             max_batch_size=4, batch_timeout_micros=5000)
    results = {}

    def client(i):
        results[i] = batcher.submit({"x": np.array([[i, i + 0.5]])}).result(10)["y"]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    batcher.close()
    for i in range(8):
        np.testing.assert_array_equal(results[i], [[10 * i, 10 * i + 5]])
    assert sum(sizes) == 8 and max(sizes) <= 4
