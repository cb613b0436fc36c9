"""Hidden tests for A22 Q5: metadata and lineage in a real ML Metadata store (SQLite), read back in the worker."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q5")

ARTIFACT_TYPES = {"Examples": {"span": "INT", "split_names": "STRING"}, "ExampleStatistics": {"span": "INT"},
                  "Schema": {}, "Model": {"framework": "STRING"}, "ModelEvaluation": {}}
EXECUTION_TYPES = {"ExampleGen": {"input_base": "STRING"}, "StatisticsGen": {}, "SchemaGen": {},
                   "Trainer": {"epochs": "INT", "learning_rate": "DOUBLE"}, "Evaluator": {}}


def _spec(kind, uri, **props):
    return {"type": kind, "uri": uri, "properties": props}


def _history(rng):
    """Two pipeline runs; the second reuses the first run's schema (an artifact shared across executions)."""
    tag = f"{int(rng.integers(10 ** 6)):06d}"
    ex1, ex2 = f"gs://lake/{tag}/span-1", f"gs://lake/{tag}/span-2"
    stats1, schema1 = f"gs://p/{tag}/stats-1", f"gs://p/{tag}/schema-1"
    model1, model2, model3 = f"gs://p/{tag}/model-1", f"gs://p/{tag}/model-2", f"gs://p/{tag}/model-3"
    eval1 = f"gs://p/{tag}/eval-1"
    lr = float(rng.choice([0.01, 0.003]))
    run1 = {"name": f"run-{tag}-1", "pipeline": "taxi", "git_sha": f"{tag}aa", "steps": [
        {"type": "ExampleGen", "inputs": {},
         "outputs": {"examples": [_spec("Examples", ex1, span=1, split_names="train,eval", sha256=f"{tag}f00d")]},
         "properties": {"input_base": f"gs://raw/{tag}", "rows": int(rng.integers(100, 999))}},
        {"type": "StatisticsGen", "inputs": {"examples": [ex1]},
         "outputs": {"statistics": [_spec("ExampleStatistics", stats1, span=1)]}, "properties": {}},
        {"type": "SchemaGen", "inputs": {"statistics": [stats1]},
         "outputs": {"schema": [_spec("Schema", schema1)]}, "properties": {}},
        {"type": "Trainer", "inputs": {"examples": [ex1], "schema": [schema1]},
         "outputs": {"model": [_spec("Model", model1, framework="tf-2.18")]},
         "properties": {"epochs": 3, "learning_rate": lr, "git_sha": f"{tag}aa"}},
        {"type": "Evaluator", "inputs": {"model": [model1], "examples": [ex1]},
         "outputs": {"evaluation": [_spec("ModelEvaluation", eval1, auc=0.91)]}, "properties": {}}]}
    run2 = {"name": f"run-{tag}-2", "pipeline": "taxi", "git_sha": f"{tag}bb", "steps": [
        {"type": "ExampleGen", "inputs": {},
         "outputs": {"examples": [_spec("Examples", ex2, span=2, split_names="train,eval")]},
         "properties": {"input_base": f"gs://raw/{tag}"}},
        {"type": "Trainer", "inputs": {"examples": [ex1, ex2], "schema": [schema1]},
         "outputs": {"model": [_spec("Model", model2, framework="tf-2.18"), _spec("Model", model3)]},
         "properties": {"epochs": 5, "learning_rate": lr}}]}
    return [run1, run2]


def _expected_events(runs, steps):
    events, k = [], 0
    for run in runs:
        for step in run["steps"]:
            eid = steps[k]["execution_id"]
            for key, uris in step["inputs"].items():
                events += [[u, eid, "INPUT", [key, i]] for i, u in enumerate(uris)]
            for key, specs in step["outputs"].items():
                events += [[s["uri"], eid, "OUTPUT", [key, i]] for i, s in enumerate(specs)]
            k += 1
    return sorted(events, key=str)


def _producers(runs, steps):
    """uri -> (execution id, input uris) from the scenario."""
    out, k = {}, 0
    for run in runs:
        for step in run["steps"]:
            inputs = [u for uris in step["inputs"].values() for u in uris]
            for specs in step["outputs"].values():
                for s in specs:
                    out[s["uri"]] = (steps[k]["execution_id"], inputs)
            k += 1
    return out


@pytest.mark.points(2)
def test_types_are_registered_once_with_their_properties(student, rng):
    got = student.probe("mlmd_scenario", _history(rng))
    names = set(ARTIFACT_TYPES) | set(EXECUTION_TYPES) | {"pipeline_run"}
    assert set(got["first_ids"]) == names, f"register_types should return ids for {sorted(names)}"
    checks.assert_value(got["second_ids"], got["first_ids"],
                        name="ids from a second register_types call (registering again must return the same ids)")
    dump = got["dump"]
    checks.assert_value(dump["artifact_types"], ARTIFACT_TYPES, name="artifact types in the store")
    checks.assert_value(dump["execution_types"], EXECUTION_TYPES, name="execution types in the store")
    checks.assert_value(dump["context_types"], {"pipeline_run": {"pipeline_name": "STRING", "git_sha": "STRING"}},
                        name="context types in the store")


@pytest.mark.points(3)
def test_executions_artifacts_events_and_contexts(student, rng):
    runs = _history(rng)
    got = student.probe("mlmd_scenario", runs)
    dump, steps = got["dump"], got["steps"]
    assert len(steps) == 7 and len({s["execution_id"] for s in steps}) == 7, "record_execution must return a new id"
    checks.assert_value(dump["events"], _expected_events(runs, steps),
                        name="events [artifact uri, execution id, type, path steps] (INPUT for inputs, OUTPUT for "
                             "outputs, path = [key, index])")
    k = 0
    for run in runs:
        for step in run["steps"]:
            eid = steps[k]["execution_id"]
            declared = EXECUTION_TYPES[step["type"]]
            props = {p: v for p, v in step["properties"].items() if p in declared}
            custom = {p: v for p, v in step["properties"].items() if p not in declared}
            checks.assert_value(dump["executions"][eid],
                                {"type": step["type"], "state": "COMPLETE", "properties": props,
                                 "custom_properties": custom},
                                name=f"execution {step['type']} (declared properties vs custom_properties)")
            for specs in step["outputs"].values():
                for s in specs:
                    declared = ARTIFACT_TYPES[s["type"]]
                    checks.assert_value(
                        dump["artifacts"].get(s["uri"]),
                        {"type": s["type"], "state": "LIVE",
                         "properties": {p: v for p, v in s["properties"].items() if p in declared},
                         "custom_properties": {p: v for p, v in s["properties"].items() if p not in declared}},
                        name=f"artifact {s['uri']}")
            k += 1
    assert len(dump["artifacts"]) == 8, (
        f"8 artifacts expected (inputs are reused, not copied), got {len(dump['artifacts'])}")
    k = 0
    for run in runs:
        ctx = dump["contexts"].get(run["name"])
        assert ctx is not None, f"no context named {run['name']!r}"
        checks.assert_value(ctx["properties"], {"pipeline_name": run["pipeline"], "git_sha": run["git_sha"]},
                            name=f"properties of context {run['name']}")
        ids = [steps[k + i]["execution_id"] for i in range(len(run["steps"]))]
        touched = {s["uri"] for step in run["steps"] for specs in step["outputs"].values() for s in specs}
        touched |= {u for step in run["steps"] for uris in step["inputs"].values() for u in uris}
        checks.assert_value(ctx["executions"], sorted(ids), name=f"executions associated with {run['name']}")
        checks.assert_value(ctx["artifacts"], sorted(touched),
                            name=f"artifacts attributed to {run['name']} (every input and output of its executions)")
        k += len(run["steps"])


@pytest.mark.points(3)
def test_upstream_lineage_of_every_model(student, rng):
    runs = _history(rng)
    got = student.probe("mlmd_scenario", runs)
    producers = _producers(runs, got["steps"])
    for model, answer in got["lineage"].items():
        artifacts, executions, frontier = set(), set(), [model]
        while frontier:
            uri = frontier.pop()
            if uri not in producers:
                continue
            eid, inputs = producers[uri]
            executions.add(eid)
            for u in inputs:
                if u not in artifacts:
                    artifacts.add(u)
                    frontier.append(u)
        checks.assert_value(answer, {"artifacts": sorted(artifacts), "executions": sorted(executions)},
                            name=f"upstream_lineage of {model} (artifact uris and execution ids it derives from)")
    assert len(got["lineage"]) == 3, "upstream_lineage was not asked about the three models"


@pytest.mark.points(2)
def test_models_trained_on_each_examples(student, rng):
    runs = _history(rng)
    got = student.probe("mlmd_scenario", runs)
    ex1 = runs[0]["steps"][0]["outputs"]["examples"][0]["uri"]
    ex2 = runs[1]["steps"][0]["outputs"]["examples"][0]["uri"]
    m1 = runs[0]["steps"][3]["outputs"]["model"][0]["uri"]
    m2, m3 = (s["uri"] for s in runs[1]["steps"][1]["outputs"]["model"])
    checks.assert_value(got["trained_on"], {ex1: sorted([m1, m2, m3]), ex2: sorted([m2, m3]),
                                            "gs://nowhere/never-ingested": []},
                        name="models_trained_on(examples uri) (models output by Trainer executions that read it; "
                             "the Evaluator also reads span 1 but trains nothing)")
