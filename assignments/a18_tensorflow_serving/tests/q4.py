from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_latest_policy_and_labels", points=1, hidden=False)
def test_latest_policy_and_labels(VersionedRepository, export_for_serving, mlp_from_weights):
    import tempfile

    import numpy as np

    r = np.random.default_rng(2)
    staging, base = tempfile.mkdtemp(), tempfile.mkdtemp()
    for v in (1, 2):
        export_for_serving(mlp_from_weights([r.normal(size=(4, 3)), np.zeros(3), r.normal(size=(3, 2)), np.zeros(2)]),
                           staging, "toy", v)
    repo = VersionedRepository(base, "toy", "latest:1")
    repo.publish(f"{staging}/toy/1", 1)
    repo.poll()
    assert repo.resolve("toy")[0] == 1
    repo.publish(f"{staging}/toy/2", 2)
    repo.poll()
    assert repo.status("toy") == [(1, "END"), (2, "AVAILABLE")]
    repo.set_label("stable", 2)
    assert repo.resolve("toy", label="stable")[0] == 2
    try:
        repo.set_label("canary", 1)
    except ValueError:
        pass
    else:
        raise AssertionError("labels may point only to AVAILABLE versions")
