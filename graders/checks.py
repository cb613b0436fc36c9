"""Assertion helpers for hidden tests.

Each check works in stages (type, then shape, then dtype, then finite values, then closeness) and stops at the first
stage that fails, with a message that says what the student should fix. They run in the trusted judge on plain data
that came back from the workers, so a student's object can never take part in its own comparison.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from graders import source_policy, wire

TENSOR_ORIGINS = ("tf.Tensor", "tf.Variable")


class CheckFailed(AssertionError):
    """A check failed; the message is shown to the student.

    Args:
        message: What failed and what to fix, without the hidden inputs' or the reference's values.
        values: The values behind it (what was expected, what came back). The instructor's reports show them; the
            student's feedback shows them only where the assignment's manifest says ``feedback = "values"``, since
            with fixed seeds a student who reads expected values can hard-code them and resubmit.
    """

    def __init__(self, message: str, *, values: str = ""):
        super().__init__(message)
        self.values = values


def _describe(value) -> str:
    if isinstance(value, wire.WireArray):
        return f"{value.origin} of shape {tuple(value.shape)} and dtype {value.dtype}"
    if isinstance(value, wire.Handle):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def assert_tensor(got, want, *, expect: str = "any", dtype: str | None = None, rtol: float = 1e-6,
                  atol: float = 1e-6, name: str = "result", allow_nonfinite: bool = False) -> None:
    """Checks an array-like result against the reference's, stage by stage.

    Args:
        got: What the student's worker returned.
        want: What the reference worker returned for the same inputs.
        expect: ``"tensor"`` requires a ``tf.Tensor``/``tf.Variable``; ``"array"`` accepts any numeric array or a
            Python number; ``"any"`` accepts anything array-like (lists included).
        dtype: The exact dtype name required; defaults to the reference's dtype.
        rtol: Relative tolerance of the closeness stage.
        atol: Absolute tolerance of the closeness stage.
        name: What to call the value in messages.
        allow_nonfinite: Accept NaN/inf where the reference has them at the same places.
    """
    if isinstance(got, wire.Handle) or got is None or isinstance(got, (str, bytes, dict)):
        raise CheckFailed(f"{name}: expected a tensor, got {_describe(got)}")
    if expect == "tensor" and getattr(got, "origin", None) not in TENSOR_ORIGINS:
        raise CheckFailed(f"{name}: expected a tf.Tensor, got {_describe(got)}; return a TensorFlow tensor, "
                          "not a NumPy array or Python value")
    if expect == "array" and not isinstance(got, (np.ndarray, int, float, bool)):
        raise CheckFailed(f"{name}: expected an array or a number, got {_describe(got)}")
    try:
        got_array = np.asarray(got)
    except (ValueError, TypeError):
        raise CheckFailed(f"{name}: could not be read as an array (ragged nested lists?)") from None
    want_array = np.asarray(want)
    if got_array.dtype == object:
        raise CheckFailed(f"{name}: holds Python objects, not numbers")
    if got_array.shape != want_array.shape:
        raise CheckFailed(f"{name}: expected shape {tuple(want_array.shape)}, got {tuple(got_array.shape)}")
    wanted_dtype = np.dtype(dtype) if dtype else want_array.dtype
    if (dtype or expect == "tensor") and got_array.dtype != wanted_dtype:
        raise CheckFailed(f"{name}: expected dtype {wanted_dtype}, got {got_array.dtype}")
    if got_array.dtype.kind in "fc":
        bad = ~np.isfinite(got_array)
        expected_bad = ~np.isfinite(want_array) if want_array.dtype.kind in "fc" else np.zeros_like(bad)
        if bad.any() and not (allow_nonfinite and np.array_equal(bad, expected_bad)):
            where = tuple(int(i) for i in np.argwhere(bad & ~expected_bad)[0]) if (bad & ~expected_bad).any() else ()
            raise CheckFailed(f"{name}: contains NaN or inf (first at index {where}); check for division by zero, "
                              "log of zero or overflow")
    if got_array.dtype.kind in "SU" or want_array.dtype.kind in "SU":
        equal = got_array == want_array
        if not np.all(equal):
            first = tuple(int(i) for i in np.argwhere(~np.asarray(equal))[0])
            raise CheckFailed(f"{name}: differs from the expected value at index {first}")
        return
    try:
        close = np.isclose(got_array.astype(np.complex128 if got_array.dtype.kind == "c" else np.float64),
                           want_array.astype(np.complex128 if want_array.dtype.kind == "c" else np.float64),
                           rtol=rtol, atol=atol, equal_nan=allow_nonfinite)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name}: cannot be compared numerically with the expected value") from None
    if not close.all():
        diff = np.abs(got_array.astype(np.float64) - want_array.astype(np.float64))
        worst = np.unravel_index(np.nanargmax(np.where(close, 0, diff)), diff.shape) if diff.ndim else ()
        worst = tuple(int(i) for i in worst)
        raise CheckFailed(f"{name}: {int((~close).sum())} of {close.size} values differ from the expected ones "
                          f"(tolerance rtol={rtol:g}, atol={atol:g})",
                          values=f"the largest difference is {float(np.max(np.where(close, 0, diff))):.3g} at index "
                                 f"{worst}: got {got_array[worst].item()!r}, expected {want_array[worst].item()!r}")


def assert_value(got, want, *, rtol: float = 1e-7, atol: float = 0.0, name: str = "result") -> None:
    """Checks plain data (dicts, lists, tuples, scalars, strings) against the expected value, path by path."""
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping):
            raise CheckFailed(f"{name}: expected a dict, got {_describe(got)}")
        missing = [k for k in want if k not in got]
        if missing:
            raise CheckFailed(f"{name}: missing keys {missing}")
        for key in want:
            assert_value(got[key], want[key], rtol=rtol, atol=atol, name=f"{name}[{key!r}]")
        return
    if isinstance(want, (list, tuple)) and not isinstance(want, np.ndarray):
        if not isinstance(got, (list, tuple)):
            raise CheckFailed(f"{name}: expected a {type(want).__name__}, got {_describe(got)}")
        if len(got) != len(want):
            raise CheckFailed(f"{name}: expected {len(want)} items, got {len(got)}")
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_value(g, w, rtol=rtol, atol=atol, name=f"{name}[{i}]")
        return
    if isinstance(want, np.ndarray):
        assert_tensor(got, want, expect="any", rtol=rtol, atol=atol, name=name)
        return
    if isinstance(want, bool) or want is None or isinstance(want, (str, bytes)):
        if type(got) is not type(want):
            raise CheckFailed(f"{name}: expected {'None' if want is None else 'a ' + type(want).__name__}, got "
                              f"{_describe(got)}")
        if got != want:
            raise CheckFailed(f"{name}: differs from the expected value",
                              values=f"expected {want!r}, got {got!r}"[:2000])
        return
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float, np.ndarray)) or np.ndim(got) != 0:
            raise CheckFailed(f"{name}: expected a number, got {_describe(got)}")
        if not np.isclose(float(got), float(want), rtol=rtol, atol=atol):
            shown = got.item() if isinstance(got, np.ndarray) else got
            raise CheckFailed(f"{name}: differs from the expected value (tolerance rtol={rtol:g}, atol={atol:g})",
                              values=f"expected {want!r}, got {shown!r}")
        return
    raise CheckFailed(f"{name}: cannot compare {_describe(want)}")


def assert_raises(fn: Callable, *args, exc_type: str | Sequence[str], **kwargs) -> None:
    """Checks that a remote call raises one of the named exception types in the student's code."""
    names = (exc_type,) if isinstance(exc_type, str) else tuple(exc_type)
    try:
        fn(*args, **kwargs)
    except wire.StudentException as exc:
        if exc.exc_type not in names:
            raise CheckFailed(f"expected {' or '.join(names)}, but {exc.exc_type} was raised: {exc}") from None
        return
    raise CheckFailed(f"expected {' or '.join(names)} to be raised, but the call returned normally")


def assert_gradients(student, reference, fn: str, args: Sequence, *, wrt: Sequence[int] = (0,),
                     rtol: float = 1e-5, atol: float = 1e-6, upstream_seed: int = 7,
                     kwargs: Mapping | None = None) -> None:
    """Compares ``tf.GradientTape`` gradients of the student's ``fn`` with the reference's, on the same inputs."""
    options = {"wrt": tuple(wrt), "upstream_seed": upstream_seed, "kwargs": dict(kwargs or {})}
    got = student.harness("gradient", fn, list(args), **options)
    want = reference.harness("gradient", fn, list(args), **options)
    for i, g, w in zip(wrt, got, want, strict=False):
        if g is None and w is not None:
            raise CheckFailed(f"gradient of {fn} with respect to argument {i} is None: the computation is not "
                              "differentiable (a tf.cast to an integer type, .numpy() or a Python float in the way?)")
        if w is not None:
            assert_tensor(g, w, rtol=rtol, atol=atol, name=f"gradient of {fn} with respect to argument {i}")


def assert_gradients_fd(remote, fn: str, args: Sequence, *, wrt: int = 0, eps: float = 1e-3,
                        atol: float = 1e-3, max_entries: int = 64, upstream_seed: int = 7,
                        kwargs: Mapping | None = None) -> None:
    """Compares the tape gradient with central finite differences of ``fn``'s own values (judge-side arithmetic)."""
    kwargs = dict(kwargs or {})
    (tape,) = remote.harness("gradient", fn, list(args), wrt=(wrt,), upstream_seed=upstream_seed, kwargs=kwargs)
    if tape is None:
        raise CheckFailed(f"gradient of {fn} is None: the computation is not differentiable")
    x = np.asarray(_unwrap(args[wrt]), dtype=np.float64)
    probe_rng = np.random.default_rng(upstream_seed)
    entries = probe_rng.choice(x.size, size=min(x.size, max_entries), replace=False)
    calls = []
    for flat in entries:
        for sign in (1.0, -1.0):
            shifted = x.copy().ravel()
            shifted[flat] += sign * eps
            new_args = list(args)
            new_args[wrt] = _rewrap(args[wrt], shifted.reshape(x.shape))
            calls.append(new_args)
    outputs = remote.harness("map_call", fn, calls, kwargs=kwargs)
    weights = None
    for k, flat in enumerate(entries):
        plus, minus = np.asarray(outputs[2 * k], np.float64), np.asarray(outputs[2 * k + 1], np.float64)
        if weights is None:
            weights = upstream_weights(plus.shape, upstream_seed)
        numeric = float(np.sum((plus - minus) * weights) / (2 * eps))
        analytic = float(np.asarray(tape, np.float64).ravel()[flat])
        if abs(numeric - analytic) > atol + 1e-3 * abs(numeric):
            index = tuple(int(i) for i in np.unravel_index(flat, x.shape))
            raise CheckFailed(f"gradient of {fn} at input index {index} does not match finite differences of the "
                              f"function", values=f"the gradient is {analytic:.6g}, finite differences give "
                                                  f"{numeric:.6g}")


def upstream_weights(shape, seed: int) -> np.ndarray:
    """The output weights the worker's gradient harness uses for ``upstream_seed`` (same NumPy generator)."""
    return np.random.default_rng(seed).standard_normal(tuple(shape))


def _unwrap(arg):
    return arg.array if isinstance(arg, wire.Tensor) else arg


def _rewrap(original, value):
    if isinstance(original, wire.Tensor):
        return wire.Tensor(value.astype(np.asarray(original.array).dtype), original.dtype)
    return value.astype(np.asarray(original).dtype)


def measure_speed(candidates: Mapping[str, tuple], make_args: Callable, rng: np.random.Generator, *,
                  trials: int = 5, calls: int = 20, warmup: int = 1, rtol: float = 1e-4,
                  atol: float = 1e-4) -> dict[str, float]:
    """Median seconds per call of each candidate, timed by the judge around interleaved batches.

    Each trial makes fresh inputs with ``make_args(rng)`` (a list of positional arguments), sends the same ``calls``
    argument lists to every candidate in turn, and checks that every candidate's outputs agree with the first's, so
    a fast wrong answer or a cache of old answers gains nothing.

    A baseline belongs in a trusted worker (``reference``, running only course code and probes), never in the
    student's: code in the student's process could slow it down. While a candidate of another worker is timed, every
    process of the student's sandbox is stopped, so nothing the student's code left running competes for the cores.

    Args:
        candidates: ``{label: (remote, fn_name)}``; the first is the one outputs are checked against.
        make_args: ``rng -> list`` of arguments for one call.
        rng: The test's generator.
        trials: Number of interleaved trials; the median is taken.
        calls: Calls per trial and candidate (one round trip each trial, so the RPC cost is amortised).
        warmup: Untimed trials first (tracing, first-op costs).
        rtol: Relative tolerance of the output check.
        atol: Absolute tolerance of the output check.
    """
    students = []
    for remote, _fn in candidates.values():
        if getattr(remote, "role", "") == "student" and remote not in students:
            remote.require_untampered("a speed measurement in your worker")
            students.append(remote)
    times: dict[str, list[float]] = {label: [] for label in candidates}
    labels = list(candidates)
    # Untimed warm-up calls the student's candidates first: one that raises (a blank or broken submission) fails the
    # test before a trusted baseline is started or run at all.
    students_first = sorted(labels, key=lambda label: candidates[label][0] not in students)
    for trial in range(warmup + trials):
        batch = [make_args(rng) for _ in range(calls)]
        order = students_first if trial < warmup else labels if trial % 2 == 0 else labels[::-1]
        outputs = {}
        for label in order:
            remote, fn = candidates[label]
            with contextlib.ExitStack() as freeze:
                for student in students:
                    if student is not remote:
                        freeze.enter_context(student.frozen())
                start = time.perf_counter()
                outputs[label] = remote.harness("map_call", fn, batch)
                elapsed = time.perf_counter() - start
            if trial >= warmup:
                times[label].append(elapsed / calls)
        first = outputs[labels[0]]
        for label in labels[1:]:
            if len(outputs[label]) != len(first):
                raise CheckFailed(f"{label} returned {len(outputs[label])} outputs for {len(first)} calls")
            for k, (a, b) in enumerate(zip(first, outputs[label], strict=True)):
                assert_tensor(b, a, rtol=rtol, atol=atol, name=f"{label} output {k} in the timing run")
    return {label: float(np.median(v)) for label, v in times.items()}


def assert_speed_ratio(speeds: Mapping[str, float], fast: str, slow: str, min_ratio: float) -> None:
    """Checks that ``fast`` is at least ``min_ratio`` times as fast as ``slow`` (a ratio from one run)."""
    ratio = speeds[slow] / max(speeds[fast], 1e-12)
    if ratio < min_ratio:
        raise CheckFailed(f"{fast} should be at least {min_ratio:g}x as fast as {slow}, but it is {ratio:.2f}x "
                          f"({speeds[fast] * 1e3:.3g} ms vs {speeds[slow] * 1e3:.3g} ms per call, medians of one run)")


def assert_speed(candidates: Mapping[str, tuple], make_args: Callable, rng: np.random.Generator, *, fast: str,
                 slow: str, min_ratio: float, attempts: int = 3, **measure_kwargs) -> dict[str, float]:
    """Measures with ``measure_speed`` and checks ``fast`` against ``slow``, measuring again before failing.

    A busy machine only ever makes a run look slower, so one passing measurement out of ``attempts`` is kept, while
    an implementation that is really too slow fails them all; this keeps regrades from flipping. Returns the speeds
    of the passing (or last) attempt.
    """
    ratios = []
    for _ in range(attempts):
        speeds = measure_speed(candidates, make_args, rng, **measure_kwargs)
        try:
            assert_speed_ratio(speeds, fast, slow, min_ratio)
            return speeds
        except CheckFailed as failure:
            ratios.append(speeds[slow] / max(speeds[fast], 1e-12))
            last = failure
    raise CheckFailed(f"{last} (ratios over {attempts} measurements: {', '.join(f'{r:.2f}' for r in ratios)})")


def assert_accuracy(predicted, labels, min_accuracy: float, *, name: str = "accuracy") -> float:
    """Accuracy of predicted labels against held-out labels that never entered the worker."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.shape != labels.shape:
        raise CheckFailed(f"expected {labels.shape[0]} predictions, got shape {predicted.shape}")
    accuracy = float(np.mean(predicted == labels))
    if accuracy < min_accuracy:
        raise CheckFailed(f"{name} on held-out data is {accuracy:.3f}, below the required {min_accuracy:.3f}")
    return accuracy


def assert_no_forbidden_calls(remote, fn: str, args: Sequence, forbidden: Sequence[str], *,
                              why: str = "implement it yourself", kwargs: Mapping | None = None) -> None:
    """Checks a function against a list of forbidden library routines: in its source, then in what it really calls.

    The judge reads the code that ``fn`` reaches in the student's cells (``graders.source_policy``); the worker then
    profiles the call, for routines reached some other way (through another library, say).
    """
    cells = getattr(remote, "cells", None)
    if cells is not None and getattr(remote, "role", "") == "student":
        hits = source_policy.forbidden_uses(cells, fn, forbidden, remote.course_cells, remote.question)
        if hits:
            raise CheckFailed(f"{fn} uses {'; '.join(hit.message() for hit in hits[:5])}, which this question asks "
                              f"you not to use: {why}")
    used = remote.harness("calls_made", fn, list(args), list(forbidden), kwargs=dict(kwargs or {}))
    if used:
        raise CheckFailed(f"{fn} calls {', '.join(used)}, which this question asks you not to use: {why}")


def assert_graph_ops(remote, fn: str, signature: Sequence, *, include: Sequence[str] = (),
                     include_any: Sequence[str] = (), exclude: Sequence[str] = ()) -> dict:
    """Checks the op types of the graph that ``fn`` traces for ``signature``; returns the op counts."""
    ops = remote.harness("traced_ops", fn, list(signature))
    missing = [op for op in include if op not in ops]
    if missing:
        raise CheckFailed(f"the traced graph of {fn} has no {', '.join(missing)} op")
    if include_any and not any(op in ops for op in include_any):
        raise CheckFailed(f"the traced graph of {fn} has none of {', '.join(include_any)}")
    present = [op for op in exclude if op in ops]
    if present:
        raise CheckFailed(f"the traced graph of {fn} should not contain {', '.join(present)}")
    return ops


def assert_instance(remote, target, dotted_type: str, *, name: str | None = None) -> None:
    """Checks ``isinstance(obj, dotted_type)`` in the worker; ``target`` is a global name or a Handle."""
    if not remote.harness("isinstance_of", target, dotted_type):
        label = name or (target if isinstance(target, str) else target.type_name)
        raise CheckFailed(f"{label} should be a {dotted_type}")
