"""Hidden tests for A18 Q1: a servable export, read without the student's code, and a config-driven manager.

The student's ``export_for_serving`` writes a SavedModel in the student's worker; the inspector (a sandbox where no
student code runs) loads it with TensorFlow's loader and runs its signatures; the judge compares with the model
computed in NumPy from its own weights. The manager is fed SavedModels that the course's own code exported.
"""

import numpy as np
import pytest

from graders import checks
from graders.judge.inspector import copy_artefact

pytestmark = pytest.mark.question("q1")

FEATURES, HIDDEN, CLASSES = 12, 8, 3

CONFIG = """
model_config_list {
  config { name: "alpha" base_path: "{base_alpha}" model_platform: "tensorflow" }
  config { name: "beta" base_path: "{base_beta}" model_platform: "tensorflow" }
}
"""


def make_weights(rng):
    return [rng.normal(0, 1.2, (FEATURES, HIDDEN)).astype(np.float32), rng.normal(0, 0.3, HIDDEN).astype(np.float32),
            rng.normal(0, 1.5, (HIDDEN, CLASSES)).astype(np.float32), rng.normal(0, 0.3, CLASSES).astype(np.float32)]

# The served models: one fixed pool, the same in every test file, so that the probe exports each model once per
# worker and copies it afterwards (saving a SavedModel is the slow part); the inputs are drawn per test.
POOL = [make_weights(np.random.default_rng(1800 + i)) for i in range(4)]


def forward_numpy(weights, x):
    w1, b1, w2, b2 = (np.asarray(w, np.float64) for w in weights)
    h = np.maximum((np.asarray(x, np.float64) / 255.0) @ w1 + b1, 0)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), z.argmax(axis=1), h


def exported(student, inspector, rng, version=3):
    weights = make_weights(rng)
    x = rng.integers(0, 256, (9, FEATURES)).astype(np.uint8)
    written = student.probe("student_export", [np.asarray(w) for w in weights], version)
    assert written["folders"] == [str(version)], (
        f"export_for_serving(model, base_dir, 'clf', {version}) should write exactly <base_dir>/clf/{version}/; "
        f"found folders {written['folders']}")
    assert written["returned"] == written["path"], "export_for_serving should return the version folder's path"
    path = copy_artefact(student, written["path"], inspector)
    outside = inspector.harness("artefact_outside_ops", path)
    assert outside == [], f"the SavedModel holds ops that reach outside the graph: {outside}"
    return weights, x, inspector.probe("inspect_servable", path, x)


@pytest.mark.points(3)
def test_export_has_the_documented_signatures(student, inspector, rng):
    _weights, _x, report = exported(student, inspector, rng)
    assert sorted(report) == ["embeddings", "serving_default"], (
        f"the SavedModel should have the signatures 'serving_default' and 'embeddings', found {sorted(report)}")
    for name in report:
        checks.assert_value(report[name]["inputs"], {"inputs": ["uint8", [None, FEATURES]]},
                            name=f"the '{name}' signature's input specs (uint8 pixels, any batch size)")
    checks.assert_value(report["serving_default"]["output_dtypes"],
                        {"predicted_class": "int64", "probabilities": "float32"},
                        name="serving_default's outputs and their dtypes")
    checks.assert_value(report["embeddings"]["output_dtypes"], {"embeddings": "float32"},
                        name="the embeddings signature's outputs")


@pytest.mark.points(3)
def test_export_scales_once_and_applies_softmax_once(student, inspector, rng):
    weights, x, report = exported(student, inspector, rng)
    probs, classes, hidden = forward_numpy(weights, x)
    out = report["serving_default"]["outputs"]
    checks.assert_tensor(out["probabilities"], probs, expect="any", dtype="float32", rtol=0, atol=2e-6,
                         name="probabilities on uint8 pixels (scale by 1/255 once, softmax once, on logits)")
    checks.assert_tensor(out["predicted_class"], classes, expect="any", dtype="int64", atol=0, name="predicted_class")
    checks.assert_tensor(report["embeddings"]["outputs"]["embeddings"], hidden, expect="any", rtol=0, atol=5e-6,
                         name="embeddings (the penultimate layer on the scaled pixels)")


@pytest.mark.points(1)
def test_export_refuses_to_overwrite_a_version(student, rng):
    checks.assert_raises(student.probe, "student_export_twice", [np.asarray(w) for w in make_weights(rng)],
                         exc_type="FileExistsError")


def session(student, models, requests):
    wire = {name: {str(v): [np.asarray(w) for w in ws] for v, ws in versions.items()}
            for name, versions in models.items()}
    return student.probe("manager_session", wire, CONFIG, requests)


@pytest.mark.points(3)
def test_manager_serves_the_latest_version_of_each_model(student, rng):
    models = {"alpha": {1: POOL[0], 4: POOL[1]}, "beta": {2: POOL[2]}}
    x = rng.integers(0, 256, (5, FEATURES)).astype(np.uint8)
    answers = session(student, models, [
        ["predict", ["alpha", {"inputs": x}]],
        ["predict", ["beta", {"inputs": x}]],
        ["predict", ["alpha", {"inputs": x}, 4, "embeddings"]],
        ["resolve", ["alpha"]],
        ["status", ["beta"]],
    ])
    for i, (model, version) in enumerate((("alpha", 4), ("beta", 2))):
        assert "ok" in answers[i], f"predict('{model}', ...) raised {answers[i].get('raised')}"
        probs, classes, _ = forward_numpy(models[model][version], x)
        checks.assert_tensor(answers[i]["ok"]["probabilities"], probs, expect="any", rtol=0, atol=2e-6,
                             name=f"predict('{model}') probabilities (its latest version)")
        checks.assert_tensor(answers[i]["ok"]["predicted_class"], classes, expect="any", atol=0,
                             name=f"predict('{model}') predicted_class")
    assert "ok" in answers[2], f"predict(..., version=4, signature_name='embeddings') raised {answers[2]}"
    checks.assert_tensor(answers[2]["ok"]["embeddings"], forward_numpy(models["alpha"][4], x)[2], expect="any",
                         rtol=0, atol=5e-6, name="predict(signature_name='embeddings')")
    checks.assert_value(answers[3].get("ok"), [4, ["embeddings", "serving_default"]],
                        name="resolve('alpha') -> (version, servable with its signatures)")
    checks.assert_value(answers[4].get("ok"), [[2, "AVAILABLE"]], name="status('beta')")


@pytest.mark.points(1)
def test_manager_raises_for_what_it_does_not_serve(student, rng):
    models = {"alpha": {1: POOL[0], 4: POOL[1]}, "beta": {2: POOL[2]}}
    x = rng.integers(0, 256, (3, FEATURES)).astype(np.uint8)
    answers = session(student, models, [
        ["predict", ["alpha", {"inputs": x}]],
        ["predict", ["gamma", {"inputs": x}]],
        ["predict", ["alpha", {"inputs": x}, 1]],
        ["predict", ["alpha", {"inputs": x}, None, "nope"]],
        ["predict", ["alpha", {"pixels": x}]],
        ["predict", ["alpha", {"inputs": x[:, :-1]}]],
        ["predict", ["alpha", {"inputs": x.astype(np.float32) + 0.5}]],
        ["predict", ["alpha", {"inputs": x.astype(np.int64) + 300}]],
        ["status", ["gamma"]],
    ])
    assert "ok" in answers[0], f"predict('alpha', ...) raised {answers[0].get('raised')}"
    checks.assert_tensor(answers[0]["ok"]["probabilities"], forward_numpy(models["alpha"][4], x)[0], expect="any",
                         rtol=0, atol=2e-6, name="predict('alpha') probabilities")
    want = ["KeyError", "KeyError", "KeyError", "ValueError", "ValueError", "ValueError", "ValueError", "KeyError"]
    what = ["an unknown model", "a version that is not loaded (only the latest is)", "an unknown signature",
            "a wrong input name", "a wrong feature count", "non-integer values for a uint8 input",
            "values out of the uint8 range", "status of an unknown model"]
    for answer, exc, case in zip(answers[1:], want, what, strict=True):
        assert answer.get("raised") == exc, (
            f"{case} should raise {exc}; got {answer.get('raised') or 'a result'}")


@pytest.mark.points(1)
def test_manager_checks_the_config(student, rng):
    weights = [np.asarray(w) for w in POOL[3]]
    good = 'model_config_list { config { name: "m" base_path: "{base}" model_platform: "tensorflow" } }'
    student.probe("manager_from_config", good, weights)
    for text, exc, case in (
            (good.replace('"tensorflow"', '"tflite"'), "ValueError", "model_platform other than 'tensorflow'"),
            (good.replace("} }", "} config { name: \"m\" base_path: \"{base}\" model_platform: \"tensorflow\" } }"),
             "ValueError", "the same model name twice"),
            ("model_config_list { }", "ValueError", "no models"),
            (good.replace("{base}", "/nonexistent/a18"), "FileNotFoundError", "a base path without versions")):
        try:
            checks.assert_raises(student.probe, "manager_from_config", text, weights, exc_type=exc)
        except checks.CheckFailed as failure:
            raise checks.CheckFailed(f"ServableManager with {case}: {failure}") from None
