from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_multimodal_inputs_outputs_and_losses", points=1, hidden=False)
def test_multimodal_inputs_outputs_and_losses(build_multimodal, compile_multimodal):
    import numpy as np

    model = compile_multimodal(build_multimodal(), 0.5, 2.0)
    assert sorted(model.input_names) == ["image", "numerical", "text"]
    x = {"image": np.zeros((3, 8, 8, 1), np.float32), "text": np.ones((3, 12), np.int32),
         "numerical": np.zeros((3, 4), np.float32)}
    y = {"classification": np.array([0, 1, 2]), "regression": np.zeros((3, 1), np.float32)}
    out = model(x)
    assert sorted(out) == ["classification", "regression"]
    assert out["classification"].shape == (3, 4) and out["regression"].shape == (3, 1)
    logs = model.evaluate(x, y, return_dict=True, verbose=0)
    assert abs(logs["loss"] - (0.5 * logs["classification_loss"] + 2.0 * logs["regression_loss"])) < 1e-4
