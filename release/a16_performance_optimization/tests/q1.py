from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_sparsity_and_structured_pruning", points=1, hidden=False)
def test_sparsity_and_structured_pruning(kernel_sparsity, prune_dense_units, mlp):
    import numpy as np

    model = mlp([6, 4], input_dim=5, num_classes=3)
    kernel = model.layers[0].kernel.numpy()
    kernel[:, :3] = 0.0
    model.layers[0].kernel.assign(kernel)
    report = kernel_sparsity(model)
    assert abs(report[model.layers[0].name] - 0.5) < 1e-9, report
    pruned = prune_dense_units(model, model.layers[0].name, 0.5)
    assert [layer.units for layer in pruned.layers] == [3, 4, 3]
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    # the zeroed units output relu(bias) = 0 (fresh biases are zero), so removing them changes nothing
    np.testing.assert_allclose(pruned(x).numpy(), model(x).numpy(), atol=1e-5)


@test_case(name="test_gradual_prune_small", points=1, hidden=False)
def test_gradual_prune_small(gradual_prune, kernel_sparsity, mlp, compile_classifier):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = mlp([32], input_dim=8, num_classes=2)
    pruned = gradual_prune(model, x, y, 0.8, 3)
    assert all("Prune" not in type(layer).__name__ for layer in pruned.layers), "strip the pruning wrappers"
    assert min(kernel_sparsity(pruned).values()) >= 0.79, kernel_sparsity(pruned)
