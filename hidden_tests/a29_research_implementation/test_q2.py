"""Hidden tests for A29 Q2: a component registry, layered configuration and a bitwise-exact resume."""

import numpy as np
import pytest

from graders import checks
from graders.wire import StudentException

pytestmark = pytest.mark.question("q2")


def _raises(fn, *args, exc_type, **kwargs) -> str:
    try:
        fn(*args, **kwargs)
    except StudentException as exc:
        assert exc.exc_type == exc_type, f"expected {exc_type}, but {exc.exc_type} was raised"
        return str(exc)
    raise AssertionError(f"expected {exc_type} to be raised, but the call returned normally")


def _config(rng, optimizer="adam"):
    opt = {"name": "adam", "lr": float(rng.choice([0.01, 0.02]))}
    if optimizer == "sgd":
        opt = {"name": "sgd", "lr": 0.05, "momentum": 0.9}
    return {"model": {"name": "mlp", "hidden": int(rng.integers(6, 12)), "seed": int(rng.integers(0, 100))},
            "optimizer": opt,
            "data": {"n": 200, "input_dim": int(rng.integers(3, 6)), "seed": int(rng.integers(0, 100))},
            "train": {"batch_size": 16, "seed": int(rng.integers(0, 100))}}


@pytest.mark.points(2)
def test_registry_behaviour(student):
    got = student.probe("registry_behaviour")
    assert got["decorator_returns_function"], "register(kind, name) must return a decorator that returns the function"
    assert got["duplicate"] == "KeyError", "registering the same kind and name twice must raise KeyError"
    assert got["unknown"] == "KeyError", "building an unknown name must raise KeyError"
    assert got["build"] == {"built": 3}, "build(kind, name, **kw) must call the factory with the keyword arguments"
    assert got["build_other"] == "other", "kinds are separate namespaces"
    assert got["names"] == ["a", "b"], "names(kind) must list that kind's names, sorted"
    assert "mlp" in got["global_models"], "REGISTRY must hold the 'mlp' model"
    assert {"adam", "sgd"} <= set(got["global_optimizers"]), "REGISTRY must hold the 'adam' and 'sgd' optimizers"


@pytest.mark.points(1)
def test_registry_build_is_the_factory(student, rng):
    kw = {"input_dim": 3, "hidden": 5, "outputs": 2, "seed": int(rng.integers(0, 100))}
    first, second, direct = student.probe("registry_build_mlp", kw)
    assert [w.shape for w in first] == [(3, 5), (5,), (5, 2), (2,)], "mlp weights have the wrong shapes"
    for a, b, c in zip(first, second, direct, strict=True):
        assert np.array_equal(a, b) and np.array_equal(a, c), (
            "REGISTRY.build('model', 'mlp', ...) with the same seed must equal build_mlp(...) with it")
    got = student.probe("optimizer_config", "sgd", {"lr": 0.03, "momentum": 0.5})
    assert got["class"] == "SGD" and abs(got["learning_rate"] - 0.03) < 1e-7 and abs(got["momentum"] - 0.5) < 1e-7, (
        "REGISTRY.build('optimizer', 'sgd', lr=..., momentum=...) must pass both on")
    got = student.probe("optimizer_config", "sgd", {})
    assert abs(got["learning_rate"] - 0.01) < 1e-7 and abs(got["momentum"] - 0.9) < 1e-7, "wrong sgd defaults"
    got = student.probe("optimizer_config", "adam", {"lr": 0.07})
    assert got["class"] == "Adam" and abs(got["learning_rate"] - 0.07) < 1e-7, (
        "REGISTRY.build('optimizer', 'adam', lr=...) must build Adam with that learning rate")


@pytest.mark.points(1)
def test_mlp_follows_the_spec(student, reference, rng):
    kw = {"input_dim": 4, "hidden": 7, "outputs": 2, "seed": int(rng.integers(0, 100))}
    x = rng.normal(size=(9, 4)).astype(np.float32)
    got = student.probe("mlp_forward", kw, x)
    want = reference.probe("mlp_forward", kw, x)
    for g, w in zip(got["weights"], want["weights"], strict=True):
        checks.assert_tensor(g, w, expect="array", rtol=0, atol=0, name="mlp initial weights")
    checks.assert_tensor(got["output"], want["output"], expect="array", rtol=1e-5, atol=1e-6, name="mlp output")


@pytest.mark.points(3)
def test_config_layers_overrides_and_interpolation(student, rng):
    lr = float(rng.choice([0.5, 0.25]))
    base = {"model": {"name": "mlp", "hidden": 16, "dropout": 0.1, "tags": ["a"]},
            "optimizer": {"name": "adam", "lr": 0.001, "decay": {"steps": 10, "rate": 0.9}},
            "schedule": {"kind": "cosine", "warmup": 5},
            "run": {"dir": "runs/${model.name}-${model.hidden}", "lr_copy": "${optimizer.lr}",
                    "chain": "${run.lr_copy}",
                    "debug": False, "note": "x"}}
    # A later value wins even where it is not a dict: the schedule's sub-dict is replaced by a plain name.
    layer1 = {"model": {"hidden": 32}, "optimizer": {"decay": {"rate": 0.5}}, "schedule": "constant"}
    layer2 = {"model": {"name": "cnn"}}
    got = student.call("resolve_config", base, layer1, layer2,
                       overrides=[f"optimizer.lr={lr}", "run.debug=true", "model.tags=[1, 2]", "run.note=hello world",
                                  "optimizer.decay.steps=20"])
    want = {"model": {"name": "cnn", "hidden": 32, "dropout": 0.1, "tags": [1, 2]},
            "optimizer": {"name": "adam", "lr": lr, "decay": {"steps": 20, "rate": 0.5}},
            "schedule": "constant",
            "run": {"dir": "runs/cnn-32", "lr_copy": lr, "chain": lr, "debug": True, "note": "hello world"}}
    checks.assert_value(got, want, name="resolve_config")
    assert base["model"]["hidden"] == 16, "resolve_config must not modify its inputs"


@pytest.mark.points(2)
def test_config_errors(student):
    base = {"model": {"name": "mlp", "hidden": 16}, "optimizer": {"lr": 0.1}}
    exc = _raises(student.call, "resolve_config", base, overrides=["optimizer.lrr=1"], exc_type="KeyError")
    assert "optimizer.lrr" in exc, "the KeyError must name the unknown key by its dotted path"
    exc = _raises(student.call, "resolve_config", base, {"model": {"hiden": 3}}, exc_type="KeyError")
    assert "model.hiden" in exc, "the KeyError must name the unknown key by its dotted path"
    exc = _raises(student.call, "resolve_config", base, overrides=["optimizer.lr.x.y=1"], exc_type="KeyError")
    assert "optimizer.lr.x" in exc, "the KeyError must name the unknown key by its dotted path"
    cyclic = {"a": "${b}", "b": "${c}", "c": "${a}", "d": 1}
    checks.assert_raises(student.call, "resolve_config", cyclic, exc_type="ValueError")
    checks.assert_raises(student.call, "resolve_config", {"a": "${zz.y}"}, exc_type="KeyError")


@pytest.mark.points(4)
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_resume_is_bitwise_exact(student, rng, optimizer):
    config = _config(rng, optimizer)
    n = 24
    k = int(rng.integers(5, 19))
    got = student.probe("resume_scenario", config, n, k)
    assert got["step_a"] == n and got["step_c"] == n, "Trainer.step must count every step, across a restore"
    assert len(got["a_weights"]) == 4, "the trainer's model must be the registry's mlp"
    for a, c in zip(got["a_weights"], got["c_weights"], strict=True):
        assert a.dtype == c.dtype and a.tobytes() == c.tobytes(), (
            f"after train({k}), save, restore in a fresh Trainer and train({n - k}) the weights differ from an "
            f"uninterrupted train({n}): restore the generator state and the optimizer state too")
    assert len(got["a_opt"]) == len(got["c_opt"]) and len(got["a_opt"]) > 1, (
        "the optimizer must have its state (iterations and slots) after training")
    for a, c in zip(got["a_opt"], got["c_opt"], strict=True):
        assert np.asarray(a).tobytes() == np.asarray(c).tobytes(), "the optimizer state after resuming differs"
    assert got["losses_a"] == got["losses_bc"], "the step losses of the resumed run differ from the uninterrupted one"
    assert got["losses_a"][-1] < got["losses_a"][0], "the loss must go down during training"


@pytest.mark.points(1)
def test_trainer_follows_the_spec(student, reference, rng):
    config = _config(rng)
    got = student.probe("resume_scenario", config, 6, 3)
    want = reference.probe("resume_scenario", config, 6, 3)
    checks.assert_tensor(np.asarray(got["losses_a"]), np.asarray(want["losses_a"]), expect="array", rtol=1e-4,
                         atol=1e-6, name="step losses (data, model, minibatches and loss as in the docstring)")
