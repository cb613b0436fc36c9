"""Hidden tests for A18 Q5: hash bucketing and the statistics of an A/B test.

The split is checked on many synthetic user ids made in the judge; every statistic is compared with the judge's own
computation (statsmodels, SciPy, and a UCB1 simulation written here), and the student's functions may not call those
libraries.
"""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize, proportions_ztest

from graders import checks

pytestmark = pytest.mark.question("q5")

FORBIDDEN = ["statsmodels.stats.proportion.proportions_ztest", "statsmodels.stats.proportion.proportion_confint",
             "statsmodels.stats.power.NormalIndPower.solve_power", "scipy.stats.norm.sf", "scipy.stats.norm.cdf",
             "scipy.stats.norm.ppf", "scipy.stats.norm.isf"]


def user_ids(rng, n):
    high, low = rng.integers(1 << 40, size=n), rng.integers(1 << 20, size=n)
    return [f"u{int(a):x}-{int(b)}" for a, b in zip(high, low, strict=True)]


@pytest.mark.points(3)
def test_assignment_is_sticky_and_follows_the_split(student, rng):
    ids = user_ids(rng, 20000)
    allocation = {"control": 0.7, "treatment": 0.3}
    got = student.probe("assign_many", ids, "exp-checkout", allocation)
    assert isinstance(got, list) and len(got) == len(ids), "assign_variant should return one variant per user"
    assert set(got) <= set(allocation), (
        f"assign_variant returned variants outside the allocation: {sorted(set(got) - set(allocation))}")
    share = got.count("treatment") / len(ids)
    sigma = math.sqrt(0.3 * 0.7 / len(ids))
    assert abs(share - 0.3) < 4 * sigma, (
        f"'treatment' got {share:.4f} of 20000 users with a 0.3 allocation (4 sigma = {4 * sigma:.4f})")
    order = rng.permutation(len(ids))[:3000]
    again = student.probe("assign_many", [ids[i] for i in order], "exp-checkout", allocation)
    assert again == [got[i] for i in order], "the same user must always get the same variant (sticky assignment)"
    three = {"a": 0.2, "b": 0.5, "c": 0.3}
    got3 = student.probe("assign_many", ids, "exp-three", three)
    for variant, p in three.items():
        share = got3.count(variant) / len(ids)
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / len(ids)), (
            f"variant {variant!r} got {share:.4f} of the users with allocation {p} (in {three})")
    # Sticky means the same variant after a restart too: Python's hash() of a str is salted per process
    # (PYTHONHASHSEED; the sandbox pins it, a server does not), so it may not decide the bucket.
    checks.assert_no_forbidden_calls(student, "assign_variant", ["u1", "exp-checkout", allocation], ["builtins.hash"],
                                     why="hash() of a str changes with every process start, so users would switch "
                                         "variants whenever the server restarts; hash with hashlib.sha256")


@pytest.mark.points(2)
def test_experiments_split_users_independently(student, rng):
    ids = user_ids(rng, 12000)
    half = {"A": 0.5, "B": 0.5}
    first = np.asarray(student.probe("assign_many", ids, "exp-ranking", half)) == "A"
    second = np.asarray(student.probe("assign_many", ids, "exp-pricing", half)) == "A"
    assert 0.45 < first.mean() < 0.55 and 0.45 < second.mean() < 0.55, "a 50/50 allocation should split ~50/50"
    table = np.array([[np.sum(first & second), np.sum(first & ~second)],
                      [np.sum(~first & second), np.sum(~first & ~second)]])
    p = stats.chi2_contingency(table)[1]
    assert p > 1e-4, (
        f"the two experiments put the same users in the same arm (chi-square independence p = {p:.2g}): salt the "
        "hash with the experiment id")


@pytest.mark.points(1)
def test_allocations_must_be_shares_that_sum_to_one(student, rng):
    ids = user_ids(rng, 50)
    got = student.probe("assign_many", ids, "exp-x", {"A": 0.25, "B": 0.75})
    assert set(got) <= {"A", "B"} and len(set(got)) == 2, "assign_variant should use both variants"
    thirds = student.probe("assign_many", ids, "exp-x", {"c": 0.7, "b": 0.2, "a": 0.1})  # sums to 1 - 1.1e-16
    assert set(thirds) <= {"a", "b", "c"} and "c" in thirds, (
        "assign_variant should accept shares that sum to 1 up to floating-point rounding (0.7 + 0.2 + 0.1)")
    for allocation in ({"A": 0.6, "B": 0.6}, {"A": 1.2, "B": -0.2}, {"A": 0.3, "B": 0.3}):
        try:
            checks.assert_raises(student.call, "assign_variant", "u1", "exp-x", allocation, exc_type="ValueError")
        except checks.CheckFailed as failure:
            raise checks.CheckFailed(f"assign_variant with allocation {allocation}: {failure}") from None


CASES = [(120, 1000, 150, 1000), (48, 400, 31, 410), (900, 10000, 1000, 10050), (5, 60, 12, 55), (0, 30, 4, 30)]


@pytest.mark.points(2)
def test_two_proportion_ztest_matches_statsmodels(student, rng):
    n1, n2 = (int(n) for n in rng.integers(200, 5000, 2))
    drawn = (int(rng.binomial(n1, 0.3)), n1, int(rng.binomial(n2, 0.33)), n2)
    for s1, n1, s2, n2 in (*CASES, drawn):
        got = student.call("two_proportion_ztest", s1, n1, s2, n2)
        z, p = proportions_ztest([s1, s2], [n1, n2])
        checks.assert_value([float(v) for v in got], [float(z), float(p)], rtol=1e-9,
                            name=f"two_proportion_ztest{(s1, n1, s2, n2)} (z, p)")
    student.probe("import_ground_truth")
    checks.assert_no_forbidden_calls(student, "two_proportion_ztest", list(CASES[0]), FORBIDDEN,
                                     why="compute the pooled z statistic and its normal tail yourself")


@pytest.mark.points(2)
def test_wilson_interval_and_sample_size_match_statsmodels(student, rng):
    n = int(rng.integers(50, 3000))
    drawn = (int(rng.integers(1, n)), n, float(rng.choice([0.8, 0.9, 0.95, 0.99])))
    for s, n, conf in ((0, 20, 0.95), (7, 40, 0.95), (512, 1000, 0.99), (33, 34, 0.9), drawn):
        got = student.call("wilson_interval", s, n, conf)
        want = proportion_confint(s, n, alpha=1 - conf, method="wilson")
        checks.assert_value([float(v) for v in got], [float(v) for v in want], rtol=1e-9, atol=1e-12,
                            name=f"wilson_interval({s}, {n}, conf={conf})")
    for p_base, mde, alpha, power in ((0.10, 0.02, 0.05, 0.8), (0.30, 0.05, 0.01, 0.9), (0.02, 0.005, 0.05, 0.8)):
        got = student.call("required_sample_size", p_base, mde, alpha, power)
        effect = abs(proportion_effectsize(p_base + mde, p_base))
        want = math.ceil(NormalIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=1.0))
        assert isinstance(got, int) and abs(got - want) <= 1, (
            f"required_sample_size({p_base}, {mde}, {alpha}, {power}) = {got}: not the per-arm size of a two-sided "
            "test with Cohen's h (within 1)")
    student.probe("import_ground_truth")
    checks.assert_no_forbidden_calls(student, "wilson_interval", [7, 40, 0.95], FORBIDDEN,
                                     why="compute the Wilson score interval yourself")
    checks.assert_no_forbidden_calls(student, "required_sample_size", [0.10, 0.02, 0.05, 0.8], FORBIDDEN,
                                     why="compute Cohen's h and the normal quantiles yourself")


def ucb1(rewards):
    """The judge's UCB1 on the same reward table."""
    arms, rounds = rewards.shape
    counts, sums, pulls = np.zeros(arms, int), np.zeros(arms), []
    for t in range(1, rounds + 1):
        if t <= arms:
            arm = t - 1
        else:
            arm = int(np.argmax(sums / counts + np.sqrt(2 * math.log(t - 1) / counts)))
        sums[arm] += rewards[arm, counts[arm]]
        counts[arm] += 1
        pulls.append(arm)
    return pulls


@pytest.mark.points(2)
def test_ucb1_pulls_like_the_judges_simulation(student, rng):
    for p in ((0.05, 0.06, 0.08), (0.5, 0.45, 0.55, 0.4)):
        rewards = (rng.random((len(p), 600)) < np.asarray(p)[:, None]).astype(np.float64)
        got = student.call("ucb1_run", rewards)
        want = ucb1(rewards)
        assert isinstance(got, list) and len(got) == len(want), "ucb1_run should return one arm per round"
        got = [int(a) for a in got]
        first = next((i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w), None)
        assert first is None, (
            f"ucb1_run pulled a different arm than UCB1 at round {first + 1} of {len(want)} ({len(p)} arms)")
