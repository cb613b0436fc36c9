from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_unet_and_losses", points=1, hidden=False)
def test_unet_and_losses(build_unet, dice_loss, mean_iou):
    import numpy as np

    model = build_unet((16, 16, 1), 3, depth=2, base=4)
    assert model.output_shape == (None, 16, 16, 3)
    assert sum(type(layer).__name__ == "Concatenate" for layer in model.layers) == 2
    labels = np.array([[[0, 1], [2, 2]]], np.int32)
    perfect = np.eye(3, dtype=np.float32)[labels] * 50.0
    assert abs(float(dice_loss(labels, perfect, 3))) < 1e-5
    assert abs(mean_iou(labels, perfect, 3) - 1.0) < 1e-9
