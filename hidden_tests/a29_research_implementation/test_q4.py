"""Hidden tests for A29 Q4: leak-free splits, fingerprints, bootstrap intervals, a leaderboard, leakage detection."""

import hashlib

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q4")


def _in_test(group, salt, fraction):
    return int(hashlib.sha256((salt + str(group)).encode()).hexdigest()[:8], 16) / 2**32 < fraction


@pytest.mark.points(3)
def test_group_split_is_leak_free_and_stable(student, rng):
    groups = [f"patient-{int(g)}" for g in rng.integers(0, 300, size=1500)]
    salt = f"s{int(rng.integers(0, 1000))}"
    got = np.asarray(student.call("group_split", groups, test_fraction=0.25, salt=salt))
    assert got.dtype == bool and got.shape == (1500,), "group_split must return a bool array, one entry per row"
    want = np.array([_in_test(g, salt, 0.25) for g in groups])
    assert np.array_equal(got, want), f"{int((got != want).sum())} rows are on the wrong side of the split"
    test_groups = {g for g, t in zip(groups, got, strict=True) if t}
    train_groups = {g for g, t in zip(groups, got, strict=True) if not t}
    assert not test_groups & train_groups, "a group is on both sides of the split"
    more = groups + [f"patient-{int(g)}" for g in rng.integers(200, 400, size=500)]
    again = np.asarray(student.call("group_split", more, test_fraction=0.25, salt=salt))
    assert np.array_equal(again[:1500], got), "rows must keep their side when new rows are appended"


@pytest.mark.points(1)
def test_temporal_split(student, rng):
    times = rng.integers(0, 100, size=400).astype(np.float64)       # whole days: rows sit on both boundaries
    cutoff, gap = float(rng.integers(40, 60)), 5.0
    train, test = student.call("temporal_split", times, cutoff, gap=gap)
    assert np.array_equal(np.asarray(train), np.flatnonzero(times < cutoff - gap)), (
        "train must be times < cutoff - gap")
    assert np.array_equal(np.asarray(test), np.flatnonzero(times >= cutoff)), "test must be times >= cutoff"


@pytest.mark.points(2)
def test_fingerprint(student, rng):
    x = rng.normal(size=(50, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=50).astype(np.int64)
    h = hashlib.sha256()
    for a in (x, y):
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    got = student.call("fingerprint", x, y)
    assert got == h.hexdigest(), "fingerprint does not follow the recipe in the docstring"
    edited = x.copy()
    edited[int(rng.integers(0, 50)), int(rng.integers(0, 4))] += 1e-3
    assert student.call("fingerprint", edited, y) != got, "a one-cell edit must change the fingerprint"
    assert student.call("fingerprint", x.astype(np.float64), y) != got, "a dtype change must change the fingerprint"


@pytest.mark.points(2)
def test_bootstrap_interval_covers_the_true_accuracy(student, rng):
    n, sims, acc = 120, 100, float(rng.uniform(0.65, 0.85))
    ys = [rng.integers(0, 2, size=n) for _ in range(sims)]
    preds = [np.where(rng.random(n) < acc, y, 1 - y) for y in ys]
    got = student.probe("bootstrap_many", ys, preds, 400)
    got = np.asarray(got, np.float64)
    assert got.shape == (sims, 3), "bootstrap_ci must return (accuracy, low, high)"
    point = np.array([np.mean(y == p) for y, p in zip(ys, preds, strict=True)])
    assert np.allclose(got[:, 0], point), "the first value must be the accuracy"
    assert np.all(got[:, 1] <= point) and np.all(point <= got[:, 2]), "the interval must contain the accuracy"
    coverage = np.mean((got[:, 1] <= acc) & (acc <= got[:, 2]))
    assert coverage >= 0.86, f"the 95% intervals cover the true accuracy in only {coverage:.0%} of simulations"
    width = np.median(got[:, 2] - got[:, 1])
    normal = 2 * 1.96 * np.sqrt(acc * (1 - acc) / n)
    assert 0.7 * normal < width < 1.3 * normal, "the interval width is far from a 95% interval's"
    again = student.probe("bootstrap_many", ys[:3], preds[:3], 400)
    assert np.array_equal(np.asarray(again, np.float64), got[:3]), "the same seed must give the same interval"


@pytest.mark.points(2)
def test_leaderboard_rate_limit_and_standings(student, reference, rng):
    labels = rng.integers(0, 3, size=60)

    def noisy(p):
        return np.where(rng.random(60) < p, labels, (labels + 1) % 3).tolist()

    day = 86400.0
    script_blue = noisy(0.8)          # green later submits the same predictions: a tie broken by time
    # Yellow is on the board first but ties blue's best only on day two: the tie goes by who reached the score
    # first, not by who joined first.
    script = [["submit", 5.0, "yellow", noisy(0.3)],
              ["submit", 10.0, "red", noisy(0.6)], ["submit", 20.0, "blue", script_blue],
              ["submit", 30.0, "red", noisy(0.9)], ["submit", 40.0, "red", noisy(0.99)],
              ["submit", 50.0, "red", noisy(1.0)], ["standings", 60.0],
              ["submit", day + 5, "red", noisy(1.0)], ["submit", day + 6, "green", script_blue],
              ["standings", day + 7], ["submit", day + 8, "yellow", script_blue], ["standings", day + 9]]
    got = student.probe("leaderboard_script", labels, 3, script)
    want = reference.probe("leaderboard_script", labels, 3, script)
    checks.assert_value(got, want, rtol=1e-12, name="leaderboard responses")
    for res in got:
        if isinstance(res, dict):
            assert set(res) == {"accepted", "score", "rank"}, (
                "a submission's response may only hold accepted, score and rank")


@pytest.mark.points(3)
def test_detect_leakage_on_planted_duplicates(student, rng):
    train = np.round(rng.normal(size=(30000, 6)), 3)
    test = np.round(rng.normal(size=(3000, 6)), 3)
    rows = rng.choice(30000, size=40, replace=False)
    cols = rng.choice(3000, size=40, replace=False)
    train[rows[0], 0] = 0.0
    test[cols] = train[rows] + rng.normal(0, 1e-9, size=(40, 6))
    test[cols[0], 0] = -1e-10                      # rounds to -0.0, which must match 0.0
    train[rows[:5] + 1] = train[rows[:5]]          # a duplicate inside train gives two pairs
    want = []
    index = {}
    for i, r in enumerate(np.round(train, 6) + 0.0):
        index.setdefault(r.tobytes(), []).append(i)
    for j, r in enumerate(np.round(test, 6) + 0.0):
        want += [(i, j) for i in index.get(r.tobytes(), [])]
    got = student.call("detect_leakage", train, test, decimals=6)
    got = sorted(tuple(int(v) for v in p) for p in got)
    want = sorted(want)
    found = len(set(got) & set(want))
    assert found == len(want), f"found {found} of {len(want)} planted train/test duplicates"
    assert len(got) == len(want), f"{len(got) - found} reported pairs are not duplicates"
