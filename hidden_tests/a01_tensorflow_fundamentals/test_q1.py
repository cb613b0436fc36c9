"""Hidden tests for A01 Q1: installation and environment setup."""

import pytest

from graders import checks

pytestmark = pytest.mark.question("q1")

REPORT_TYPES = {
    "tf_version": str,
    "keras_impl": str,
    "keras_version": str,
    "python_version": str,
    "num_gpus": int,
    "num_cpus_visible": int,
    "eager": bool,
    "legacy_keras_env": bool,
    "onednn_env": (str, type(None)),
}


def test_environment_report_has_every_key_with_its_type(student):
    got = student.call("environment_report")
    assert isinstance(got, dict), f"environment_report() must return a dict, got {type(got).__name__}"
    missing = sorted(set(REPORT_TYPES) - set(got))
    extra = sorted(set(got) - set(REPORT_TYPES))
    assert not missing, f"environment_report() is missing the keys {missing}"
    assert not extra, f"environment_report() has unexpected keys {extra}; return exactly the documented ones"
    for key, kind in REPORT_TYPES.items():
        value = got[key]
        # bool is an int subclass: a count must not be a bool, and a flag must be a real bool.
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        assert ok, f"environment_report()[{key!r}] should be {kind}, got {type(value).__name__} ({value!r})"


@pytest.mark.points(2)
def test_environment_report_describes_the_running_installation(student, reference):
    got = student.call("environment_report")
    want = reference.call("environment_report")
    checks.assert_value(got, want, name="environment_report()")


@pytest.mark.points(2)
def test_keras_flavour_tells_tf_keras_from_keras3(student, reference):
    got = student.probe("keras_flavours")
    want = reference.probe("keras_flavours")
    checks.assert_value(got, want, name="keras_flavour(module) for tf.keras, keras and tf_keras")


@pytest.mark.points(2)
def test_configure_runtime_makes_every_generator_reproducible(student, reference, rng):
    seed = int(rng.integers(1, 2**31 - 1))
    got = student.probe("seeded_draws", seed)
    want = reference.probe("seeded_draws", seed)
    for gen in ("python", "numpy", "tensorflow"):
        checks.assert_value(
            list(map(float, got["second"][gen])),
            list(map(float, got["first"][gen])),
            name=f"{gen} draws after configure_runtime({seed}) called twice (seed every generator)",
        )
        checks.assert_value(
            list(map(float, got["first"][gen])),
            list(map(float, want["first"][gen])),
            name=f"{gen} draws after configure_runtime({seed}) (use random.seed, np.random.seed, tf.random.set_seed)",
        )
    report = got["report"]
    assert isinstance(report, dict), "configure_runtime() must return a dict"
    checks.assert_value(sorted(report), ["inter_op", "intra_op", "seed", "threads_applied"],
                        name="configure_runtime() keys")
    checks.assert_value(
        [report["intra_op"], report["inter_op"]],
        got["threads_now"],
        name="configure_runtime() intra_op/inter_op (report what tf.config.threading says after the call)",
    )
    checks.assert_value(report["threads_applied"], want["report"]["threads_applied"], name="threads_applied")


VERSION_CASES = [
    ("2.18.1", ">=2.18,<2.19", False),
    ("2.19.0", ">=2.18,<2.19", False),
    ("2.19.0rc1", "<2.19", True),
    ("2.19.0rc1", "<2.19.0rc2", True),
    ("2.19.0rc1", ">=2.18", False),
    ("2.19.0rc1", ">=2.18", True),
    ("2.18.0.dev1", ">=2.17", False),
    ("2.18.1", "~=2.18.0", False),
    ("2.19.0", "~=2.18.0", False),
    ("2.19.0", "~=2.18", False),
    ("3.0", "~=2.18", False),
    ("2.18", "==2.18.0", False),
    ("2.18.7", "==2.18.*", False),
    ("2.180.1", "==2.18.*", False),
    ("2.18.7", "!=2.18.*", False),
    ("2.17.9", "!= 2.18.*, >= 2.0", False),
    ("2.18.post1", ">2.18", False),
    ("2.18.1", ">2.18", False),
    ("2.18.0", ">2.18", False),  # equal releases: an exclusive bound excludes them
    ("2.18", ">2.18.0", False),
    ("1.15.5", "", False),
    ("2.18.1", "<=2.18.1,!=2.18.1", False),
    ("2.18.1", "<=2.18.1, >2.17", False),
    ("10.0", ">9.9", False),
]


@pytest.mark.points(3)
def test_version_ok_truth_table(student, reference):
    wrong, expected = [], []
    for version, spec, pre in VERSION_CASES:
        got = student.call("version_ok", version, spec, prereleases=pre)
        want = reference.call("version_ok", version, spec, prereleases=pre)
        if got is not want:
            call = f"version_ok({version!r}, {spec!r}, prereleases={pre})"
            wrong.append(f"{call} returned {got!r}")
            expected.append(f"{call}: expected {want!r}")
    if wrong:
        raise checks.CheckFailed(f"{len(wrong)} of {len(VERSION_CASES)} answers are wrong (each must be the bool the "
                                 "PEP 440 rules give):\n" + "\n".join(wrong), values="\n".join(expected))


def test_version_ok_rejects_malformed_specs(student):
    checks.assert_raises(student.call, "version_ok", "2.18.1", "=>2.18", exc_type="ValueError")
    checks.assert_raises(student.call, "version_ok", "2.18.1", "~=2", exc_type="ValueError")


def test_version_ok_does_not_use_packaging_specifiers(student, reference):
    args = ("2.18.1", ">=2.18,<2.19,!=2.18.0")
    # A working answer first, so a blank stub cannot pass by calling nothing at all.
    checks.assert_value(student.call("version_ok", *args), reference.call("version_ok", *args), name="version_ok")
    # The forbidden names are resolved in the worker, so packaging.specifiers must be imported there.
    student.probe("import_packaging_specifiers")
    checks.assert_no_forbidden_calls(
        student,
        "version_ok",
        args,
        forbidden=[
            "packaging.specifiers.SpecifierSet.contains",
            "packaging.specifiers.Specifier.contains",
        ],
    )
