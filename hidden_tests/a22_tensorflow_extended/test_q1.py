"""Hidden tests for A22 Q1: an ExampleGen on Apache Beam and a Kubeflow Pipelines DAG compiled to IR YAML."""

import hashlib
import os
import re

import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

TYPES = {"trip_id": "int", "hour": "int", "company": "string", "fare": "float"}
COMPANIES = ["Flash Cab", "Sun Taxi", "City Service, Inc.", "Blue Ribbon"]


def _split(key, buckets):
    h = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % sum(buckets.values())
    for name, n in buckets.items():
        if h < n:
            return name
        h -= n
    raise AssertionError


def _table(rng, n):
    """CSV text and the expected example of each row (missing cells left out)."""
    ids = rng.choice(100000, size=n, replace=False)
    lines, rows = [",".join(TYPES)], {}
    for trip in ids:
        hour, fare = int(rng.integers(0, 24)), round(float(rng.uniform(2, 80)), 2)
        company = COMPANIES[int(rng.integers(len(COMPANIES)))]
        cells = {"trip_id": str(trip), "hour": str(hour), "company": company, "fare": repr(fare)}
        if rng.random() < 0.15:
            cells["company"] = ""
        if rng.random() < 0.1:
            cells["fare"] = ""
        if rng.random() < 0.1:
            cells["hour"] = str(-hour)
        lines.append(",".join(f'"{v}"' if "," in v else v for v in cells.values()))
        example = {}
        for name, value in cells.items():
            if value == "":
                continue
            kind = TYPES[name]
            example[name] = (["int64_list", [int(value)]] if kind == "int" else
                             ["float_list", [float(value)]] if kind == "float" else ["bytes_list", [value]])
        rows[int(trip)] = example
    return "\n".join(lines) + "\n", rows


@pytest.mark.points(1)
def test_split_for_key_uses_the_stable_hash(student, rng):
    buckets = {"train": int(rng.integers(2, 5)), "eval": 1, "test": int(rng.integers(1, 3))}
    keys = [str(k) for k in rng.choice(10 ** 6, size=300, replace=False)]
    got = student.harness("map_call", "split_for_key", [[k, buckets] for k in keys])
    want = [_split(k, buckets) for k in keys]
    bad = [k for k, g, w in zip(keys, got, want, strict=True) if g != w]
    assert not bad, (f"split_for_key({bad[0]!r}, {buckets}) should be {_split(bad[0], buckets)!r}: hash the key with "
                     "sha256, take the first 8 bytes big-endian modulo the total number of buckets, and give each "
                     f"split a consecutive range of buckets in the dict's order ({len(bad)} of {len(keys)} keys wrong)")


@pytest.mark.points(2)
def test_csv_line_to_example_feature_kinds_and_missing_cells(student, rng):
    columns = list(TYPES)
    cases = [("17,5,Flash Cab,12.5", {"trip_id": ["int64_list", [17]], "hour": ["int64_list", [5]],
                                      "company": ["bytes_list", ["Flash Cab"]], "fare": ["float_list", [12.5]]}),
             ('18,-3,"City Service, Inc.",', {"trip_id": ["int64_list", [18]], "hour": ["int64_list", [-3]],
                                              "company": ["bytes_list", ["City Service, Inc."]]}),
             ("19,,,7", {"trip_id": ["int64_list", [19]], "fare": ["float_list", [7.0]]})]
    for line, want in cases:
        got = student.probe("parse_line", line, columns, TYPES)
        assert got["type"] == "bytes", (f"csv_line_to_example should return the serialized example (bytes), "
                                        f"got {got['type']}")
        checks.assert_value(sorted(got["example"]), sorted(want),
                            name=f"features of csv_line_to_example({line!r}) (an empty cell is a missing feature; "
                                 "parse with the csv module so quoted commas stay in the field)")
        checks.assert_value(got["example"], want, rtol=1e-6,
                            name=f"csv_line_to_example({line!r}) (int64_list / float_list / bytes_list by column type)")


@pytest.mark.points(3)
def test_example_gen_runs_on_beam_and_splits_by_key(student, rng):
    csv_text, rows = _table(rng, 120)
    buckets = {"train": 3, "eval": 1}
    got = student.probe("run_example_gen", csv_text, TYPES, "trip_id", buckets)
    assert got["runners"], "example_gen must build and run an apache_beam Pipeline (none was run)"
    assert all("DirectRunner" in r for r in got["runners"]), (
        f"run the Beam pipeline on the DirectRunner, not {got['runners']}")
    assert sorted(got["splits"]) == sorted(buckets), f"example_gen should return the splits {sorted(buckets)}"
    assert got["inside_output_dir"], "every split folder must be inside output_dir"
    # Records went through Beam: each file the judge reads was named by a TFRecord sink of the pipeline that ran.
    for split, split_dir in got["split_dirs"].items():
        prefixes = [os.path.basename(s) for s in got["tfrecord_sinks"] if os.path.dirname(s) == split_dir]
        assert prefixes, (f"no beam.io.WriteToTFRecord in the pipeline that ran writes into split {split!r}'s folder: "
                          "write every split with a TFRecord sink inside the Beam pipeline")
        stray = [n for n in got["files"][split] if n.endswith(".tfrecord")
                 and not any(re.fullmatch(re.escape(f) + r"-\d{5}-of-\d{5}\.tfrecord", n) for f in prefixes)]
        assert not stray, (f"split {split!r} holds {stray[0]}, which no TFRecord sink of the Beam pipeline wrote: "
                           "every record must go through the pipeline")
    seen = {}
    for split, examples in got["splits"].items():
        assert got["files"][split] and all(n.endswith(".tfrecord") for n in got["files"][split]), (
            f"split {split!r}: write TFRecord files named like data-00000-of-00001.tfrecord into its folder")
        for example in examples:
            trip = example.get("trip_id", ["", [None]])[1][0]
            assert trip not in seen, f"trip_id {trip} was written twice"
            seen[trip] = split
            checks.assert_value(example, rows.get(trip), rtol=1e-6, name=f"the example of trip_id {trip}")
    assert sorted(seen) == sorted(rows), f"{len(seen)} of {len(rows)} rows came out of example_gen"
    wrong = [t for t, s in seen.items() if s != _split(str(t), buckets)]
    assert not wrong, (f"trip_id {wrong[0]} went to {seen[wrong[0]]!r}, but split_for_key puts it in "
                       f"{_split(str(wrong[0]), buckets)!r} ({len(wrong)} rows in the wrong split)")


@pytest.mark.points(2)
def test_kfp_pipeline_tasks_edges_and_retries(student):
    got = student.probe("compiled_pipeline")
    tasks = got["tasks"]
    expected = {"ingest", "validate", "compute-statistics", "train", "evaluate", "push"}
    missing = expected - set(tasks)
    assert not missing, f"the compiled pipeline has no task(s) {sorted(missing)}; it has {sorted(tasks)}"
    assert got["pipeline_name"] == "tfx-training", "name the pipeline 'tfx-training'"
    params = got["params"]
    checks.assert_value({k: params.get(k, {}).get("type") for k in ("source", "epochs", "min_auc")},
                        {"source": "STRING", "epochs": "NUMBER_INTEGER", "min_auc": "NUMBER_DOUBLE"},
                        name="pipeline parameter types")
    checks.assert_value([params["epochs"]["default"], params["min_auc"]["default"]], [5.0, 0.8],
                        name="defaults of epochs and min_auc")
    for name, deps in {"validate": ["ingest"], "compute-statistics": ["ingest"], "train": ["ingest", "validate"],
                       "evaluate": ["ingest", "train"]}.items():
        checks.assert_value(tasks[name]["deps"], deps, name=f"dependentTasks of {name!r}")
    assert tasks["ingest"]["deps"] == [], "ingest must not depend on any task"
    assert tasks["train"]["inputs"].get("epochs") == "param:epochs", "train's epochs must be the pipeline parameter"
    # The edges say who runs first; the inputs say which output goes where (evaluate(model=train, examples=ingest)).
    for name, wiring in {"validate": {"examples": "task:ingest"}, "compute-statistics": {"examples": "task:ingest"},
                         "train": {"examples": "task:ingest"},
                         "evaluate": {"model": "task:train", "examples": "task:ingest"}}.items():
        got_wiring = {key: tasks[name]["inputs"].get(key) for key in wiring}
        checks.assert_value(got_wiring, wiring, name=f"inputs of {name!r} (which task's output feeds each argument)")
    assert tasks["train"]["retries"] == 3, "train must be retried up to 3 times (set_retry(num_retries=3))"
    assert tasks["evaluate"]["retries"] is None, "only train gets a retry policy"


@pytest.mark.points(2)
def test_kfp_push_runs_only_under_the_auc_condition(student):
    got = student.probe("compiled_pipeline")
    tasks = got["tasks"]
    push = tasks.get("push")
    assert push is not None, "the compiled pipeline has no 'push' task"
    parent = push["parent"]
    assert parent is not None and tasks[parent]["condition"], (
        "push must sit inside a `with dsl.If(...)` block (a condition task around it)")
    condition = tasks[parent]["condition"]
    cond_inputs = tasks[parent]["inputs"]
    sources = {v for k, v in cond_inputs.items() if k in condition}
    assert ">=" in condition and "task:evaluate" in sources and "param:min_auc" in sources, (
        f"the condition should be evaluate's output >= min_auc, got {condition!r}")
    assert push["inputs"].get("model", "").endswith("train-Output") or push["inputs"].get("model") == "task:train", (
        "push must receive train's output as its model")
    assert all(t["parent"] is None for n, t in tasks.items() if n != "push" and not t["condition"]), (
        "only push belongs inside the condition")
