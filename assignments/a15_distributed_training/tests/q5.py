from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_create_and_select_strategy", points=1, hidden=False)
def test_create_and_select_strategy(create_strategy, select_strategy, DEVICES):
    import json

    import tensorflow as tf

    assert isinstance(create_strategy("mirrored", DEVICES[:2]), tf.distribute.MirroredStrategy)
    assert isinstance(create_strategy("one_device", DEVICES[:1]), tf.distribute.OneDeviceStrategy)
    assert select_strategy(None, 1) == "default"
    assert select_strategy(None, 4) == "mirrored"
    two = json.dumps({"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 0}})
    assert select_strategy(two, 1) == "multi_worker"
