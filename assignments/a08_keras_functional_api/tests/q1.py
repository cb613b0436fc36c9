from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_skip_model_structure", points=1, hidden=False)
def test_skip_model_structure(build_skip_model):
    import numpy as np

    model = build_skip_model(input_shape=(8, 8, 1), num_classes=3, width=4, blocks=3)
    names = [layer.name for layer in model.layers]
    for name in ("stem_conv", "stem_bn", "stem_relu", "block0_add", "block2_proj", "block2_add", "pool", "logits"):
        assert name in names, f"no layer named {name}"
    assert "block0_proj" not in names, "block 0 keeps the channel count: its shortcut is the identity"
    assert model(np.zeros((2, 8, 8, 1), np.float32)).shape == (2, 3)
    plain = [layer.name for layer in build_skip_model(input_shape=(8, 8, 1), width=4, blocks=2, skip=False).layers]
    assert not any(n.endswith("_add") for n in plain), "skip=False: no Add layers"
