"""Hidden tests for A05 Q6: cross-platform data (byte order, paths, a SavedModel preprocessing function)."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q6")


@pytest.mark.points(3)
def test_big_endian_records_decode(student, reference, rng):
    seed, count, features = int(rng.integers(10**6)), int(rng.integers(20, 60)), int(rng.integers(2, 7))
    got = student.probe("big_endian_probe", seed, count, features)
    want = reference.probe("big_endian_probe", seed, count, features)
    what = f"read_big_endian_records({count} records of 1 id + {features} floats)"
    checks.assert_value(got["spec"], want["spec"], name=f"{what}: element_spec ([shape, dtype])")
    checks.assert_value(got["count"], want["count"], name=f"{what}: number of records")
    checks.assert_tensor(got["values"]["0"], want["values"]["0"], expect="array", atol=0,
                         name=f"{what}: ids (big-endian int32: decode_raw(..., little_endian=False))")
    checks.assert_tensor(got["values"]["1"], want["values"]["1"], expect="array", rtol=0, atol=0,
                         name=f"{what}: features (big-endian float32)")


@pytest.mark.points(2)
@pytest.mark.parametrize("root_style", ["str", "str_slash", "path"])
def test_list_shards_paths(student, reference, rng, root_style):
    seed, split = int(rng.integers(10**6)), str(rng.choice(["train", "valid", "test"]))
    got = student.probe("shards_probe", seed, split, root_style)
    want = reference.probe("shards_probe", seed, split, root_style)
    root = {"str": "a str", "str_slash": "a str with a trailing separator", "path": "a pathlib.Path"}[root_style]
    checks.assert_value(got["types"], ["str"], name=f"types of the paths list_shards returns (root given as {root})")
    checks.assert_value(got["relative"], want["relative"],
                        name=f"list_shards(root as {root}, {split!r}) relative to the root (only <split>-<k>.bin in "
                             "<root>/<split>, sorted by the number k)")
    checks.assert_value(got["all_files"], True, name="every returned path names an existing file")
    checks.assert_value(got["normalized"], True, name="returned paths are normalized (no doubled separators: use "
                                                      "os.path.join or pathlib)")


@pytest.mark.points(4)
def test_preprocessor_survives_save_and_reload(student, reference, rng):
    seed, count, features = int(rng.integers(10**6)), int(rng.integers(6, 20)), int(rng.integers(2, 6))
    got = student.probe("preprocessor_probe", seed, count, features)
    want = reference.probe("preprocessor_probe", seed, count, features)
    checks.assert_value(got["is_module"], True, name="RecordPreprocessor(...) is a tf.Module")
    checks.assert_value(len(got["variables"]), 2, name="number of tf.Variables in the module (mean and std, so "
                                                       "they are saved with it)")
    checks.assert_value(got["trainable_variables"], 0, name="trainable variables of the module (mean and std are "
                                                            "statistics, not weights: trainable=False)")
    checks.assert_value(got["saved_model_pb"], True, name="saved_model.pb written by save_and_reload")
    for stage in ("before", "after", "part"):
        label = {"before": "the module", "after": "the reloaded SavedModel",
                 "part": "the reloaded SavedModel on a smaller batch (leave the batch dimension None)"}[stage]
        checks.assert_tensor(got[stage]["id"], want[stage]["id"], expect="tensor", dtype="int32", atol=0,
                             name=f"ids from {label}")
        checks.assert_tensor(got[stage]["features"], want[stage]["features"], expect="tensor", dtype="float32",
                             rtol=1e-6, atol=1e-6, name=f"standardized features from {label}")
    checks.assert_tensor(got["after"]["features"], got["before"]["features"], expect="tensor", rtol=0, atol=0,
                         name="reloaded output vs the module's own output (must be identical)")
