from otter.test_files import test_case

OK_FORMAT = False

name = "q3"
points = None


@test_case(name="test_vgg_counts", points=1, hidden=False)
def test_vgg_counts(build_vgg, count_params, count_macs, receptive_field):
    spec = [8, "M", 16]
    model = build_vgg(spec, (8, 8, 3), 4)
    assert model.output_shape == (None, 4)
    assert count_params(spec, 3, 4) == model.count_params()
    assert count_macs(spec, (8, 8, 3), 4) == 8 * 8 * 9 * 3 * 8 + 4 * 4 * 9 * 8 * 16 + 16 * 4
    assert receptive_field([8, 8]) == 5
