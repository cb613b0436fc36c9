"""Hidden tests for A24 Q6: resource accounting, noise scaling, and an honest quantum-vs-classical comparison.

Nothing here rewards a claimed advantage: the tests grade the methodology (counts, memory, the decay of
an expectation under depolarizing noise, an equal-size classical baseline, and a paired test over seeds).
"""

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import make_moons

from graders import checks

pytestmark = pytest.mark.question("q6")


def random_spec(rng, n, n_ops):
    spec, k = [], 0
    for _ in range(n_ops):
        kind = rng.choice(["rx", "ry", "rz", "h", "cnot", "cz"])
        if kind in ("cnot", "cz"):
            a, b = rng.choice(n, size=2, replace=False)
            spec.append([str(kind), [int(a), int(b)], 0])
        elif kind == "h":
            spec.append(["h", [int(rng.integers(n))], 0])
        else:
            param = f"s{k % 5}" if rng.random() < 0.7 else float(rng.uniform(0, 3))
            k += 1
            spec.append([str(kind), [int(rng.integers(n))], param])
    return spec


@pytest.mark.points(2)
def test_resource_report(student, reference, rng):
    for n, n_ops in ((3, 12), (4, 20)):
        spec = random_spec(rng, n, n_ops)
        want = reference.probe("resources", n, spec)
        n_2q = sum(1 for op in spec if op[0] in ("cnot", "cz"))
        assert want["n_2q"] == n_2q
        got = student.probe("resources", n, spec)
        checks.assert_value(got, want, name="resource_report(circuit)")


@pytest.mark.points(1)
def test_statevector_memory(student):
    for n, dtype, want in ((10, "complex64", 8 * 2**10), (20, "complex128", 16 * 2**20), (30, "complex64", 8 * 2**30)):
        got = student.call("statevector_memory_bytes", n, dtype)
        checks.assert_value(got, want, name=f"statevector_memory_bytes({n}, {dtype!r})")


@pytest.mark.points(2)
def test_noisy_expectation_follows_depolarizing_decay(student, thresholds):
    k, reps = 6, 2000
    p_values = [0.0, 0.02, 0.05, 0.1]
    got = np.asarray(student.probe("noisy_chain", k, p_values, reps))
    want = np.array([(1 - 4 * p / 3) ** k for p in p_values])  # k X gates: sign (+1 for even k), shrink per moment
    assert got.shape == (len(p_values),), f"expected {len(p_values)} values, got shape {got.shape}"
    tolerance = thresholds["noise_sigmas"] / np.sqrt(reps)
    checks.assert_tensor(got, want, rtol=0, atol=tolerance,
                         name="<Z> after 6 X gates with depolarizing noise p (analytic (1 - 4p/3)^6)")
    assert np.all(np.diff(got) < 0), "the expectation must shrink as the noise grows"


VERDICT_CASES = [
    ([0.91, 0.93, 0.92, 0.94, 0.90], [0.81, 0.84, 0.80, 0.83, 0.82]),
    ([0.70, 0.72, 0.69, 0.71, 0.73], [0.85, 0.86, 0.84, 0.88, 0.85]),
    ([0.80, 0.90, 0.70, 0.85, 0.75], [0.82, 0.78, 0.84, 0.80, 0.79]),
    ([0.90, 0.90, 0.90], [0.90, 0.90, 0.90]),
]


def judge_verdict(q, c, alpha=0.05):
    diff = np.asarray(q) - np.asarray(c)
    if np.all(diff == 0):
        return "no evidence"
    p = stats.ttest_rel(q, c).pvalue
    if not np.isfinite(p) or p >= alpha:
        return "no evidence"
    return "quantum better" if diff.mean() > 0 else "classical better"


@pytest.mark.points(2)
def test_paired_verdict(student, rng):
    cases = list(VERDICT_CASES)
    base = rng.uniform(0.7, 0.9, size=6)
    cases.append((list(base + rng.normal(0, 0.02, 6)), list(base)))
    for q, c in cases:
        want = judge_verdict(q, c)
        got = student.call("paired_verdict", [float(v) for v in q], [float(v) for v in c], 0.05)
        checks.assert_value(got, want, name=f"paired_verdict({np.round(q, 3).tolist()}, {np.round(c, 3).tolist()})")


@pytest.mark.points(3)
def test_benchmark_is_fair_and_reported_honestly(student, rng, thresholds):
    X, y = make_moons(180, noise=0.15, random_state=int(rng.integers(1 << 30)))
    seeds = [0, 1, 2]
    got = student.probe("benchmark", X[:100], y[:100], X[100:], seeds)
    assert got["layers"]["PQC"] + got["layers"]["ControlledPQC"] >= len(seeds), (
        "the quantum model must be a TFQ PQC model, trained once per seed")
    for key in ("quantum", "classical"):
        assert np.asarray(got[key]).shape == (len(seeds), 80), f"{key} predictions should have shape (3, 80)"
    quantum_fits = [params for params, quantum in got["fits"] if quantum]
    classical_fits = [params for params, quantum in got["fits"] if not quantum]
    assert len(quantum_fits) >= len(seeds) and len(classical_fits) >= len(seeds), (
        "train both models with Model.fit, once per seed (the benchmark saw "
        f"{len(quantum_fits)} quantum and {len(classical_fits)} classical fits)")
    # The sizes come from the weights of the models that were fitted, not from the reported counts.
    assert max(classical_fits) <= min(quantum_fits), (
        f"a classical baseline that was trained has {max(classical_fits)} trainable parameters, more than the "
        f"quantum model's {min(quantum_fits)}: compare at equal (or smaller classical) size")
    assert (got["quantum_params"], got["classical_params"]) == (min(quantum_fits), max(classical_fits)), (
        "the reported quantum_params and classical_params are not the trainable parameter counts of the models "
        "that were trained")
    q_acc = (np.asarray(got["quantum"]) == y[100:]).mean(axis=1)
    c_acc = (np.asarray(got["classical"]) == y[100:]).mean(axis=1)
    floor = thresholds["min_benchmark_accuracy"]
    assert q_acc.min() >= floor, f"the quantum model's accuracies {np.round(q_acc, 3)} are below {floor}: train it"
    assert c_acc.min() >= floor, f"the classical baseline's accuracies {np.round(c_acc, 3)} are below {floor}: train it"
    knocked_out = student.probe("benchmark", X[:100], y[:100], X[100:], seeds[:1], knockout=True)
    assert (np.asarray(knocked_out["quantum"])[0] == y[100:]).mean() <= thresholds["max_knocked_out_accuracy"], (
        "the quantum model's predictions stay accurate when its PQC outputs zeros: predict from the PQC model")
    verdict = student.call("paired_verdict", q_acc.tolist(), c_acc.tolist(), 0.05)
    checks.assert_value(verdict, judge_verdict(q_acc, c_acc), name="paired_verdict on the benchmark accuracies")
