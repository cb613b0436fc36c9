from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_search_pieces", points=1, hidden=False)
def test_search_pieces(sample_architecture, mutate, regularized_evolution, build_from_arch):
    import numpy as np

    space = {"num_layers": [1, 2], "units": [8, 16], "activation": ["relu"], "dropout": [0.0, 0.5]}
    rng = np.random.default_rng(0)
    arch = sample_architecture(space, rng)
    child = mutate(arch, space, rng)
    assert sum(child[k] != arch[k] for k in space) == 1 and child["activation"] == "relu"
    calls = []
    best, history = regularized_evolution(space, lambda a: calls.append(a) or a["units"] * a["num_layers"], 12,
                                          population_size=4, sample_size=2, seed=0)
    assert len(calls) == 12 and len(history) == 12
    assert best["units"] * best["num_layers"] == max(f for _, f in history)
    model = build_from_arch({"num_layers": 2, "units": 8, "activation": "relu", "dropout": 0.5}, 5, 3)
    assert model.count_params() == 5 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3
