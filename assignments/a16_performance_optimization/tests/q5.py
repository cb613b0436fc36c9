from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_space_and_schedules", points=1, hidden=False)
def test_space_and_schedules(build_model, hyperband_brackets, successive_halving):
    import keras_tuner as kt

    hp = kt.HyperParameters()
    model = build_model(hp)
    names = [h.name for h in hp.space]
    assert names[0] == "num_layers" and "learning_rate" in names and "activation" in names, names
    assert model.output_shape == (None, 10)
    brackets = hyperband_brackets(81, 3)
    assert [list(map(int, b[0])) for b in brackets][:2] == [[81, 1], [34, 3]], brackets
    best, total = successive_halving([0, 1, 2, 3], lambda c, b: c, 1.0, 2)
    assert best == 3 and total == 4 * 1 + 2 * 2 + 1 * 4
