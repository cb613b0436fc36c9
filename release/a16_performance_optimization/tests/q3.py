from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_distillation_loss", points=1, hidden=False)
def test_distillation_loss(distillation_loss):
    import numpy as np

    t = np.array([[2.0, 0.0, -1.0]], np.float32)
    assert abs(float(distillation_loss(t, t, 3.0))) < 1e-6, "identical logits give zero loss"
    s = np.array([[0.0, 1.0, 0.0]], np.float32)
    p = np.exp(t / 2) / np.exp(t / 2).sum()
    q = np.exp(s / 2) / np.exp(s / 2).sum()
    want = 4.0 * float(np.sum(p * np.log(p / q)))
    assert abs(float(distillation_loss(t, s, 2.0)) - want) < 1e-5


@test_case(name="test_distiller_freezes_teacher", points=1, hidden=False)
def test_distiller_freezes_teacher(Distiller, distill_on_transfer_set, mlp):
    import numpy as np

    teacher, student = mlp([16], input_dim=8, num_classes=3), mlp([4], input_dim=8, num_classes=3)
    before = [w.copy() for w in teacher.get_weights()]
    x = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)
    returned = distill_on_transfer_set(teacher, student, x, 1, 2.0)
    assert returned is student
    assert all(np.array_equal(a, b) for a, b in zip(before, teacher.get_weights(), strict=True))
    np.testing.assert_allclose(Distiller(student, teacher)(x).numpy(), student(x).numpy(), atol=1e-6)
