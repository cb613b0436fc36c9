from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_splits_and_leakage", points=1, hidden=False)
def test_splits_and_leakage(group_split, detect_leakage):
    import numpy as np

    groups = ["a", "b", "a", "c", "b"] * 4
    mask = group_split(groups, test_fraction=0.5)
    assert mask.dtype == bool and len(mask) == 20
    sides = {}
    for g, m in zip(groups, mask, strict=True):
        sides.setdefault(g, set()).add(bool(m))
    assert all(len(s) == 1 for s in sides.values()), "a group is on both sides"
    train = np.array([[1.0, 2.0], [3.0, 4.0]])
    test = np.array([[3.0, 4.0 + 1e-9], [5.0, 6.0]])
    assert [tuple(p) for p in detect_leakage(train, test)] == [(1, 0)]
