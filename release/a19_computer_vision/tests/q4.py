from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_triplet_and_tar", points=1, hidden=False)
def test_triplet_and_tar(batch_hard_triplet_loss, tar_at_far, ArcMarginHead):
    import numpy as np

    emb = np.array([[0, 0], [1, 0], [0, 3], [0, 2]], np.float32)
    loss = float(batch_hard_triplet_loss(np.array([0, 0, 1, 1]), emb, 0.5))
    # anchors 0..3: hardest positive 1, 1, 1, 1; closest negative 2, sqrt(5), 3, 2
    np.testing.assert_allclose(loss, 0.0, atol=1e-6)
    loss = float(batch_hard_triplet_loss(np.array([0, 0, 1, 1]), emb, 1.5))
    np.testing.assert_allclose(loss, np.mean([0.5, 2.5 - np.sqrt(5), 0.0, 0.5]), atol=1e-5)
    assert abs(tar_at_far(np.array([0.9, 0.5, 0.2]), np.linspace(0, 0.6, 100), 0.01) - 1 / 3) < 1e-9
    head = ArcMarginHead(3, s=10.0, m=0.5)
    logits = np.asarray(head(np.eye(3, 4, dtype=np.float32)))
    assert logits.shape == (3, 3) and np.abs(logits).max() <= 10.0 + 1e-4
