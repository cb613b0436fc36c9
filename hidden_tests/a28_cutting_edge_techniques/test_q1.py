"""Hidden tests for A28 Q1: the DARTS mixed operation (mixture and receptive fields of its candidates), the bilevel
update recomputed from a snapshot, aging evolution logged on a table the sandbox never holds whole (the fitness
callable answers one architecture at a time) against random search, and the Pareto front against brute force."""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")


def _softmax(a):
    e = np.exp(a - a.max())
    return e / e.sum()


def _changed_positions(a, b):
    return sorted(int(t) for t in np.flatnonzero(np.any(np.abs(a - b) > 1e-6, axis=(0, 2))))


@pytest.mark.points(2)
def test_mixed_op_is_the_softmax_weighted_sum_of_the_five_candidates(student, rng):
    x = rng.normal(size=(3, 16, 4)).astype(np.float32)
    alpha = rng.normal(size=5).astype(np.float32)
    got = student.probe("mixed_op_outputs", x, alpha, 8)
    assert got["alpha_vars"] == 1 and got["alpha_shape"] == [5], \
        "MixedOp needs exactly one trainable variable named 'alpha' of shape (5,)"
    # Zeros: the search starts from the uniform mixture, no candidate favoured before any evidence.
    checks.assert_tensor(got["initial_alpha"], np.zeros(5, np.float32), expect="any",
                         name="alpha of a freshly built MixedOp (initialised to zeros)")
    ops = [np.asarray(o) for o in got["ops"]]
    assert len(ops) == 5, "op_outputs returns the five candidates' outputs in the order of OPS"
    checks.assert_tensor(ops[0], x, expect="any", name="identity candidate")
    checks.assert_tensor(ops[4], np.zeros_like(x), expect="any", name="zero candidate")
    pad = np.pad(x, ((0, 0), (1, 1), (0, 0)), constant_values=-np.inf)
    pooled = np.max(np.stack([pad[:, k:k + 16] for k in range(3)]), axis=0)
    checks.assert_tensor(ops[3], pooled, expect="any", atol=1e-6, name="maxpool3 candidate (stride 1, same padding)")
    want = sum(w * o for w, o in zip(_softmax(alpha.astype(np.float64)), ops, strict=True))
    checks.assert_tensor(got["out"], want, expect="any", atol=1e-5, rtol=1e-5,
                         name="MixedOp output = sum softmax(alpha)_i * op_i(x)")


@pytest.mark.points(2)
def test_candidate_receptive_fields(student, rng):
    x = rng.normal(size=(2, 20, 3)).astype(np.float32)
    got = student.probe("mixed_op_outputs", x, np.zeros(5, np.float32), 10)
    changed = [_changed_positions(np.asarray(a), np.asarray(b))
               for a, b in zip(got["ops"], got["ops_changed"], strict=True)]
    assert changed[1] == [9, 10, 11], "conv3 (kernel 3, same padding) must see exactly positions t-1..t+1"
    assert changed[2] == [6, 8, 10, 12, 14], \
        "dilated_conv5 (kernel 5, dilation 2, same padding) must see exactly positions t-4, t-2, t, t+2, t+4"
    assert changed[0] == [10] and changed[4] == [], "identity sees position t only, zero sees nothing"


@pytest.mark.points(3)
def test_darts_step_updates_alpha_on_validation_then_weights_on_training(student, rng):
    x_tr = rng.normal(size=(16, 12, 2)).astype(np.float32)
    x_val = rng.normal(size=(16, 12, 2)).astype(np.float32)
    y_tr = rng.normal(size=(16, 1)).astype(np.float32)
    y_val = rng.normal(size=(16, 1)).astype(np.float32)
    alphas = [rng.normal(size=5).astype(np.float32) for _ in range(2)]
    got = student.probe("darts_check", x_tr, y_tr, x_val, y_val, 0.05, 0.3, int(rng.integers(1000)), alphas)
    assert got["n_arch"] == 2, "each MixedOp has one variable whose name contains 'alpha'"
    for k, (g, w) in enumerate(zip(got["got"], got["want"], strict=True)):
        checks.assert_tensor(np.asarray(g), np.asarray(w), expect="any", rtol=1e-4, atol=1e-5,
                             name=f"trainable variable {k} after darts_step (alphas on the validation loss first, "
                                  "then weights on the training loss, plain SGD)")
    checks.assert_value(got["losses"], got["want_losses"], rtol=1e-4, name="(val_loss, train_loss) returned")
    assert got["derived"] == ["identity", "zero"], "derive_architecture: the argmax op of each MixedOp, in order"


def _table(rng, n_nodes, n_ops):
    """A NAS-Bench-like table: per-position op effects, pairwise interactions and noise."""
    grid = np.stack(np.meshgrid(*[np.arange(n_ops)] * n_nodes, indexing="ij"), axis=-1).reshape(-1, n_nodes)
    unary = rng.normal(0, 1, size=(n_nodes, n_ops))
    pair = rng.normal(0, 0.4, size=(n_nodes - 1, n_ops, n_ops))
    score = sum(unary[i][grid[:, i]] for i in range(n_nodes))
    score = score + sum(pair[i][grid[:, i], grid[:, i + 1]] for i in range(n_nodes - 1))
    score = score + rng.normal(0, 0.3, size=len(grid))
    return (0.5 + 0.45 / (1 + np.exp(-score))).astype(np.float64), grid


def _check_log(log, table, shape, population, sample):
    """Every child after the initial population is one mutation of a possible tournament winner among the newest
    ``population`` evaluations."""
    fit = [table[np.ravel_multi_index(a, shape)] for a in log]
    for t in range(population, len(log)):
        pop = list(range(t - population, t))
        child = np.asarray(log[t])
        ok = False
        for p in pop:
            if np.count_nonzero(np.asarray(log[p]) != child) != 1:
                continue
            beaten = sum(1 for q in pop if fit[q] < fit[p])
            if beaten >= sample - 1:
                ok = True
                break
        if not ok:
            return t
    return None


@pytest.mark.points(3)
def test_regularized_evolution_is_aging_evolution_and_beats_random_search(student, rng, thresholds):
    n_nodes, n_ops, population, sample, cycles = 5, 4, 20, 5, 150
    shape = (n_ops,) * n_nodes
    found, random_found = 0, 0
    runs = 10
    for run in range(runs):
        table, _grid = _table(rng, n_nodes, n_ops)
        got = student.probe("evolution_run", table, n_nodes, n_ops, population, sample, cycles, 100 + run)
        log = got["log"]
        assert len(log) == population + cycles, \
            "regularized_evolution calls fitness_fn once per new individual: population + cycles calls"
        bad = _check_log(log, table, shape, population, sample)
        assert bad is None, (f"evaluation {bad}: the child is not one mutation of a tournament winner drawn from "
                             "the newest `population` members (aging evolution)")
        evaluated = [table[np.ravel_multi_index(a, shape)] for a in log]
        assert got["best_fitness"] == max(evaluated) and \
            table[np.ravel_multi_index(got["best"], shape)] == max(evaluated), \
            "best / best_fitness must be the best architecture evaluated and its fitness"
        top = np.sort(table)[-3]
        found += got["best_fitness"] >= top
        random_found += table[rng.choice(len(table), size=population + cycles, replace=False)].max() >= top
    assert found >= thresholds["min_optimum_share"] * runs and found > random_found, \
        (f"evolution found a top-3 architecture in {found} of {runs} searches, random search with the same number "
         f"of evaluations in {random_found}")


@pytest.mark.points(1)
def test_pareto_front_matches_brute_force(student, rng):
    for n in (1, 7, 60):
        pts = np.column_stack([rng.integers(50, 100, size=n) / 100, rng.integers(1, 40, size=n)]).tolist()
        if n == 60:
            pts[5] = pts[3]
        want = [i for i, (a, lat) in enumerate(pts)
                if not any(b >= a and m <= lat and (b > a or m < lat) for b, m in pts)]
        checks.assert_value([int(i) for i in student.call("pareto_front", pts)], want,
                            name=f"pareto_front of {n} points (maximise accuracy, minimise latency)")
