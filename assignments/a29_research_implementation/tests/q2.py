from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = None


@test_case(name="test_config_and_registry", points=1, hidden=False)
def test_config_and_registry(resolve_config, REGISTRY):
    cfg = resolve_config({"a": {"b": 1, "c": "${a.b}"}, "name": "run-${a.b}"}, overrides=["a.b=2"])
    assert cfg == {"a": {"b": 2, "c": 2}, "name": "run-2"}
    assert "mlp" in REGISTRY.names("model")
