"""Hidden tests for A16 Q4: neural architecture search (search space, mutation, regularized evolution)."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from graders import checks
from graders.heldout import disguise

pytestmark = pytest.mark.question("q4")

SYNTHETIC_SPACE = {f"k{i}": [f"v{j}" for j in range(6)] for i in range(6)}
DIGITS_SPACE = {"num_layers": [1, 2], "units": [16, 32, 64, 128], "activation": ["relu", "tanh"],
                "dropout": [0.0, 0.2]}


def _digits(split_seed=0):
    data = load_digits()
    x, y = (data.data / 16.0).astype(np.float32), data.target.astype(np.int64)
    o = np.random.default_rng(split_seed).permutation(len(y))
    x = disguise(x, fit=x[o[:1000]], seed=split_seed + 1607)  # no held-out row can be looked up in the dataset
    return x[o[:1000]], y[o[:1000]], x[o[1000:1400]], y[o[1000:1400]], x[o[1400:]], y[o[1400:]]


def _params(arch, input_dim=64, classes=10):
    sizes = [input_dim] + [arch["units"]] * arch["num_layers"] + [classes]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


@pytest.mark.points(2)
def test_sample_and_mutate_stay_in_the_space(student, rng):
    space = {"a": [1, 2, 3], "b": ["x", "y"], "c": [0.0], "d": [8, 16, 32, 64]}
    arch = {"a": 2, "b": "y", "c": 0.0, "d": 16}
    got = student.probe("mutations", space, arch, 300, int(rng.integers(1 << 30)))
    assert got["unchanged"], "mutate must not modify the architecture it is given (return a copy)"
    changed_keys = set()
    for child in got["children"]:
        assert set(child) == set(space), f"a mutated architecture has keys {sorted(child)}, expected {sorted(space)}"
        diff = [k for k in space if child[k] != arch[k]]
        assert len(diff) == 1, f"mutate changed {diff} in {child}; it must change exactly one key to a different value"
        assert child[diff[0]] in space[diff[0]], f"mutate chose {child[diff[0]]!r}, not an option of {diff[0]!r}"
        changed_keys.update(diff)
    assert changed_keys == {"a", "b", "d"}, (
        f"over 300 mutations only {sorted(changed_keys)} changed; pick the key uniformly among those with options")
    for sample in got["samples"]:
        assert all(sample.get(k) in v for k, v in space.items()), f"sample_architecture gave {sample}"
    for key in ("a", "d"):
        seen = {s[key] for s in got["samples"]}
        assert seen == set(space[key]), f"300 samples never drew some options of {key!r}: saw {sorted(seen)}"


@pytest.mark.points(1)
def test_build_from_arch_layers_and_parameters(student):
    for arch in ({"num_layers": 2, "units": 24, "activation": "tanh", "dropout": 0.25},
                 {"num_layers": 1, "units": 8, "activation": "relu", "dropout": 0.0}):
        got = student.probe("arch_summary", arch, 64, 10)
        want = []
        for _ in range(arch["num_layers"]):
            want.append({"type": "Dense", "units": arch["units"], "activation": arch["activation"]})
            if arch["dropout"] > 0:
                want.append({"type": "Dropout", "rate": arch["dropout"]})
        want.append({"type": "Dense", "units": 10, "activation": "linear"})
        checks.assert_value(got["layers"], want, name=f"layers of build_from_arch({arch}, 64, 10)")
        assert got["params"] == _params(arch), f"parameter count {got['params']}, expected {_params(arch)}"
        assert got["out_shape"] == [2, 10]


@pytest.mark.points(2)
def test_evolution_spends_exactly_the_budget_and_is_deterministic(student, rng):
    target = {k: v[int(rng.integers(6))] for k, v in SYNTHETIC_SPACE.items()}
    first = student.probe("evolution_run", SYNTHETIC_SPACE, target, 30, 8, 3, 7)
    second = student.probe("evolution_run", SYNTHETIC_SPACE, target, 30, 8, 3, 7)
    assert first["valid"], "the search evaluated an architecture that is not in the search space"
    assert first["calls"] == 30, f"regularized_evolution(budget=30) called fitness_fn {first['calls']} times"
    assert first["history_len"] == 30, f"history has {first['history_len']} entries, expected one per evaluation (30)"
    checks.assert_value(first["history_archs"], first["call_archs"],
                        name="history architectures (in evaluation order)")
    checks.assert_value(first["history_fit"], first["true_fit"], name="history fitness values")
    assert first["best_fit"] == max(first["true_fit"]), "best_arch is not the best architecture of the history"
    checks.assert_value(second["history_archs"], first["history_archs"],
                        name="the history of a second run with the same seed (use np.random.default_rng(seed))")
    other = student.probe("evolution_run", SYNTHETIC_SPACE, target, 30, 8, 3, 8)
    assert other["history_archs"] != first["history_archs"], "another seed gave the very same search"


def _hamming(a, b):
    return sum(a[k] != b[k] for k in a)


@pytest.mark.points(2)
def test_evolution_ages_out_the_oldest_and_mutates_a_tournament_winner(student, rng):
    # With aging, the population before evaluation t is exactly the last P entries of the history; the parent of
    # child t is one of them, one mutation away, and the fittest of a sample of S, so at least S - 1 members of that
    # window are no fitter. Removing the worst instead keeps old members alive, and their children break the window.
    population, sample = 6, 3
    target = {k: v[int(rng.integers(6))] for k, v in SYNTHETIC_SPACE.items()}
    run = student.probe("evolution_run", SYNTHETIC_SPACE, target, 60, population, sample, int(rng.integers(1 << 20)))
    archs, fits = run["history_archs"], run["history_fit"]
    assert run["valid"] and len(archs) == 60 and fits == run["true_fit"], (
        "regularized_evolution(budget=60) must evaluate 60 valid architectures and record their fitness in order")
    for t in range(population, 60):
        window = list(zip(archs[t - population:t], fits[t - population:t], strict=True))
        parents = [(a, f) for a, f in window if _hamming(a, archs[t]) == 1
                   and sum(g <= f for _, g in window) >= sample]
        assert parents, (
            f"evaluation {t + 1} ({archs[t]}) is not one mutation of a tournament winner among the {population} "
            "newest members: sample the population, mutate the fittest of the sample, append the child and remove "
            "the *oldest* member (aging), not the worst")


@pytest.mark.points(3)
def test_evolution_beats_random_search_with_the_same_budget(student, rng, thresholds):
    evolution, random = [], []
    for seed in range(25):
        target = {k: v[int(rng.integers(6))] for k, v in SYNTHETIC_SPACE.items()}
        run = student.probe("evolution_run", SYNTHETIC_SPACE, target, 100, 10, 5, seed)
        assert run["valid"] and run["calls"] == 100, "the search must evaluate exactly 100 valid architectures"
        evolution.append(max(run["true_fit"]))
        random.append(student.probe("random_search_best", SYNTHETIC_SPACE, target, 100, seed))
    gain = float(np.mean(evolution) - np.mean(random))
    assert gain >= thresholds["min_gain_over_random"], (
        f"over 25 searches of 100 evaluations the best fitness averaged {np.mean(evolution):.2f} against "
        f"{np.mean(random):.2f} for random search (gain {gain:.2f}, at least {thresholds['min_gain_over_random']} "
        "expected): mutate the fittest of a random sample and remove the oldest member")


@pytest.mark.points(2)
def test_hardware_aware_search_on_digits(student, reference, thresholds):
    x, y, x_val, y_val, x_test, y_test = _digits()
    big = {"num_layers": 2, "units": 128, "activation": "relu", "dropout": 0.0}
    over = student.probe("fitness_over_budget", big, x, y, x_val, y_val, 5000)
    assert over["value"] == -1.0, (f"hardware_aware_fitness of an architecture with {_params(big)} > 5000 parameters "
                                   f"returned {over['value']}, expected -1.0")
    # Within the budget the fitness is a validation accuracy: with the validation labels shuffled it must collapse.
    small = {"num_layers": 1, "units": 32, "activation": "relu", "dropout": 0.0}
    shuffled = np.random.default_rng(3).permutation(y_val)
    fit = [student.probe("fitness_over_budget", small, x, y, x_val, labels, 5000)["value"]
           for labels in (y_val, shuffled)]
    assert fit[0] >= 0.6 and fit[1] <= 0.3, (
        f"hardware_aware_fitness of {small} ({_params(small)} parameters, within 5000) returned {fit[0]:.3f} with the "
        f"validation labels and {fit[1]:.3f} with them shuffled: train it and return its accuracy on (x_val, y_val)")
    report = student.probe("nas_search", DIGITS_SPACE, x, y, x_val, y_val, 5000, 6, 3)
    assert report["calls"] == 6, f"the search called the fitness {report['calls']} times, budget 6"
    best = report["best"]
    assert _params(best) <= 5000, f"the best architecture {best} has {_params(best)} parameters, over the 5000 budget"
    retrained = reference.probe("retrain_arch", best, x, y, x_test, 3)
    checks.assert_accuracy(np.asarray(retrained["pred"]), y_test, thresholds["min_nas_accuracy"],
                           name=f"held-out accuracy of the best architecture {best}, retrained by the grader")
