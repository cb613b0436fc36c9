from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_block_policy_keeps_every_frame", points=1, hidden=False)
def test_block_policy_keeps_every_frame(RealtimePipeline, tiny_mlp, to_tflite):
    import numpy as np

    pipeline = RealtimePipeline(to_tflite(tiny_mlp((4, 8, 2))), capacity=2, policy="block")
    frames = np.arange(20, dtype=np.float32).reshape(5, 4)
    assert pipeline.push(frames[0]) and pipeline.push(frames[1])
    assert pipeline.push(frames[2]) is False
    out = pipeline.step(5)
    assert [seq for seq, _ in out] == [0, 1], out
    stats = pipeline.stats()
    assert stats["processed"] == 2 and stats["rejected"] == 1 and stats["dropped"] == 0, stats
