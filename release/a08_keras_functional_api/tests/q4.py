from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_multi_branch_block_shapes", points=1, hidden=False)
def test_multi_branch_block_shapes(multi_branch_block):
    import tensorflow as tf

    x = tf.keras.Input(shape=(9, 9, 2))
    for merge, channels in (("concat", 12), ("add", 4), ("max", 4), ("avg", 4), ("attention", 4)):
        out = multi_branch_block(x, 4, merge)
        assert tuple(out.shape) == (None, 9, 9, channels), f"merge={merge}: {out.shape}"
    model = tf.keras.Model(x, multi_branch_block(x, 4, "attention", name="att"))
    assert model.get_layer("att_branch_weights").units == 3
