import contextlib

import numpy as np
import pytest

from graders import checks, wire


def arr(values, origin="tf.Tensor", dtype="float32"):
    array = np.asarray(values, dtype=dtype).view(wire.WireArray)
    array.origin = origin
    return array


def fails(fn, *args, match, **kwargs):
    with pytest.raises(checks.CheckFailed, match=match):
        fn(*args, **kwargs)


def test_assert_tensor_passes_on_close_values():
    checks.assert_tensor(arr([1.0, 2.0]), arr([1.0, 2.0 + 1e-8]), expect="tensor")


def test_assert_tensor_checks_type_first():
    fails(checks.assert_tensor, arr([1.0], origin="numpy.ndarray"), arr([1.0]), expect="tensor", match="tf.Tensor")
    fails(checks.assert_tensor, wire.Handle(1, "Liar"), arr([1.0]),
          match="expected a tensor, got an object of type Liar")
    fails(checks.assert_tensor, "1.0", arr([1.0]), match="expected a tensor")


def test_assert_tensor_checks_shape_before_values():
    fails(checks.assert_tensor, arr([[1.0, 2.0]]), arr([1.0, 2.0]), match=r"expected shape \(2,\), got \(1, 2\)")


def test_assert_tensor_does_not_let_broadcasting_through():
    fails(checks.assert_tensor, arr(1.0), arr([1.0, 1.0]), match="expected shape")


def test_assert_tensor_checks_dtype():
    fails(checks.assert_tensor, arr([1, 2], dtype="int32"), arr([1, 2], dtype="int64"), expect="tensor",
          match="expected dtype int64, got int32")
    fails(checks.assert_tensor, arr([1, 2], dtype="float64"), arr([1, 2]), dtype="float32", match="dtype float32")


def test_assert_tensor_reports_nan():
    fails(checks.assert_tensor, arr([1.0, np.nan]), arr([1.0, 2.0]), match=r"NaN or inf \(first at index \(1,\)\)")


def test_assert_tensor_reports_the_worst_element_apart_from_the_message():
    with pytest.raises(checks.CheckFailed, match="1 of 3 values differ") as failed:
        checks.assert_tensor(arr([1.0, 2.0, 5.0]), arr([1.0, 2.0, 3.0]))
    assert "3.0" not in str(failed.value)  # the expected value is not in what every student sees
    assert "largest difference is 2 at index (2,)" in failed.value.values and "expected 3.0" in failed.value.values


def test_expected_values_of_plain_data_and_gradients_are_kept_apart_from_the_message():
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_value({"a": "secret"}, {"a": "hidden answer"})
    assert "hidden answer" not in str(failed.value) and "expected 'hidden answer'" in failed.value.values
    with pytest.raises(checks.CheckFailed) as failed:
        checks.assert_value(2.5, 7.25)
    assert "7.25" not in str(failed.value) and "expected 7.25, got 2.5" in failed.value.values


def test_assert_tensor_accepts_matching_nonfinite_when_allowed():
    checks.assert_tensor(arr([np.inf, 1.0]), arr([np.inf, 1.0]), allow_nonfinite=True)


def test_assert_value_walks_dicts_and_lists():
    checks.assert_value({"a": [1, 2.0], "b": "x"}, {"a": [1, 2.0], "b": "x"})
    fails(checks.assert_value, {"a": [1, 3]}, {"a": [1, 2]}, match=r"result\['a'\]\[1\]: differs from the expected")
    fails(checks.assert_value, {"a": 1}, {"a": 1, "b": 2}, match="missing keys")
    fails(checks.assert_value, True, 1, match="expected a number")
    fails(checks.assert_value, 1, True, match="expected a bool, got a int")


def test_assert_raises_matches_the_exception_type():
    def raiser():
        raise wire.StudentException("ValueError: cycle", "ValueError")

    checks.assert_raises(raiser, exc_type="ValueError")
    fails(checks.assert_raises, raiser, exc_type="TypeError", match="expected TypeError")
    fails(checks.assert_raises, lambda: 1, exc_type="ValueError", match="returned normally")


def test_speed_ratio_reads_as_a_ratio():
    checks.assert_speed_ratio({"fast": 1.0, "slow": 3.0}, "fast", "slow", 2.0)
    fails(checks.assert_speed_ratio, {"fast": 1.0, "slow": 1.5}, "fast", "slow", 2.0, match="1.50x")


def test_accuracy_uses_held_out_labels():
    assert checks.assert_accuracy([1, 0, 1, 1], np.array([1, 0, 0, 1]), 0.7) == 0.75
    fails(checks.assert_accuracy, [0, 0, 0, 0], [1, 0, 0, 1], 0.7, match="0.500")


class FakeRemote:
    """Answers the harness calls measure_speed makes, with a configurable delay and answer."""

    def __init__(self, delay, answer):
        self.delay, self.answer = delay, answer

    def harness(self, op, fn, batch):
        import time

        time.sleep(self.delay * len(batch))
        return [arr(self.answer(*args)) for args in batch]


def test_measure_speed_times_interleaved_and_checks_outputs(rng=np.random.default_rng(0)):
    fast = FakeRemote(0.0005, lambda x: x * 2)
    slow = FakeRemote(0.003, lambda x: x * 2)
    speeds = checks.measure_speed({"fast": (fast, "f"), "slow": (slow, "f")},
                                  lambda r: [r.normal(size=3).astype(np.float32)], rng, trials=3, calls=4)
    assert speeds["slow"] > speeds["fast"]


def test_measure_speed_rejects_a_fast_wrong_answer():
    good = FakeRemote(0.0, lambda x: x * 2)
    wrong = FakeRemote(0.0, lambda x: x * 0)
    fails(checks.measure_speed, {"ref": (good, "f"), "student": (wrong, "f")},
          lambda r: [r.normal(size=3).astype(np.float32) + 1], np.random.default_rng(0), trials=1, calls=2,
          match="student output 0 in the timing run")


class CountingRemote(FakeRemote):
    """A FakeRemote with a role (the judge's ``student`` / ``reference``) that logs its batches by role."""

    def __init__(self, role, delay, answer, log=None):
        super().__init__(delay, answer)
        self.role, self.batches, self.log = role, 0, log if log is not None else []

    def harness(self, op, fn, batch):
        self.batches += 1
        self.log.append(self.role)
        return super().harness(op, fn, batch)

    def require_untampered(self, what):
        pass

    @contextlib.contextmanager
    def frozen(self):
        yield


def test_a_student_that_raises_fails_before_the_baseline_runs():
    def unfinished(x):
        raise NotImplementedError("the release stub")

    baseline, student = CountingRemote("reference", 0.0, lambda x: x * 2), CountingRemote("student", 0.0, unfinished)
    with pytest.raises(NotImplementedError):
        checks.measure_speed({"baseline": (baseline, "f"), "student": (student, "f")},
                             lambda r: [r.normal(size=3)], np.random.default_rng(0), trials=2, calls=2)
    assert (baseline.batches, student.batches) == (0, 1), "the untimed warm-up calls the student's candidate first"


def test_timed_trials_keep_the_given_order_in_turn():
    calls = []
    baseline = CountingRemote("reference", 0.0, lambda x: x * 2, calls)
    student = CountingRemote("student", 0.0, lambda x: x * 2, calls)
    checks.measure_speed({"baseline": (baseline, "f"), "student": (student, "f")}, lambda r: [r.normal(size=3)],
                         np.random.default_rng(0), trials=2, calls=2)
    assert calls == ["student", "reference", "student", "reference", "reference", "student"]


class FlakyRemote(FakeRemote):
    """Slow on its first batches only, as a busy machine would make it."""

    def __init__(self, delay, answer, slow_batches):
        super().__init__(delay, answer)
        self.slow_batches = slow_batches

    def harness(self, op, fn, batch):
        if self.slow_batches > 0:
            self.slow_batches -= 1
            import time

            time.sleep(0.01 * len(batch))
        return super().harness(op, fn, batch)


def test_assert_speed_measures_again_before_failing():
    fast = FlakyRemote(0.0002, lambda x: x + 1, slow_batches=1)
    slow = FakeRemote(0.003, lambda x: x + 1)
    speeds = checks.assert_speed({"slow": (slow, "f"), "fast": (fast, "f")}, lambda r: [r.normal(size=2)],
                                 np.random.default_rng(0), fast="fast", slow="slow", min_ratio=2, trials=1, calls=3,
                                 warmup=0)
    assert speeds["slow"] / speeds["fast"] >= 2


def test_assert_speed_fails_when_every_measurement_is_too_slow():
    same = FakeRemote(0.001, lambda x: x + 1)
    fails(checks.assert_speed, {"a": (same, "f"), "b": (same, "f")}, lambda r: [r.normal(size=2)],
          np.random.default_rng(0), fast="a", slow="b", min_ratio=3, attempts=2, trials=1, calls=2, warmup=0,
          match="ratios over 2 measurements")

