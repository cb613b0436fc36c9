from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_registry_stages", points=1, hidden=False)
def test_registry_stages(ModelRegistry, directory_sha256):
    import os
    import tempfile

    folder = tempfile.mkdtemp()
    art = os.path.join(folder, "model")
    os.makedirs(art)
    with open(os.path.join(art, "w.bin"), "wb") as f:
        f.write(b"weights")
    assert len(directory_sha256(art)) == 64
    reg = ModelRegistry(os.path.join(folder, "registry.sqlite"))
    assert reg.register("m", art, {"auc": 0.9}) == 1
    assert reg.register("m", art, {"auc": 0.91}) == 2
    reg.transition("m", 1, "Staging")
    reg.transition("m", 1, "Production")
    assert reg.get("m")["version"] == 1
    try:
        reg.transition("m", 2, "Production")
    except ValueError:
        pass
    else:
        raise AssertionError("None -> Production must raise ValueError")
    assert reg.verify("m", 1) is True
