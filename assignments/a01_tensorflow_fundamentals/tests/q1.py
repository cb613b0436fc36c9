from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_environment_report_keys", points=1, hidden=False)
def test_environment_report_keys(environment_report):
    report = environment_report()
    keys = {"tf_version", "keras_impl", "keras_version", "python_version", "num_gpus", "num_cpus_visible",
            "eager", "legacy_keras_env", "onednn_env"}
    assert set(report) == keys, f"environment_report() keys should be {sorted(keys)}, got {sorted(report)}"
    assert report["tf_version"].startswith("2."), "tf_version should be tf.__version__"
    assert report["eager"] is True, "eager should be True in a fresh TF 2 session"


@test_case(name="test_keras_flavour_of_tf_keras", points=1, hidden=False)
def test_keras_flavour_of_tf_keras(keras_flavour):
    import tensorflow as tf

    assert keras_flavour(tf.keras) == "tf_keras", "with TF_USE_LEGACY_KERAS=1, tf.keras is tf_keras"


@test_case(name="test_configure_runtime_reproducible", points=1, hidden=False)
def test_configure_runtime_reproducible(configure_runtime):
    import tensorflow as tf

    report = configure_runtime(7)
    a = tf.random.uniform([2]).numpy()
    configure_runtime(7)
    b = tf.random.uniform([2]).numpy()
    assert (a == b).all(), "the same seed must give the same draws"
    assert set(report) == {"seed", "threads_applied", "intra_op", "inter_op"}, "configure_runtime() keys"


@test_case(name="test_version_ok_basics", points=1, hidden=False)
def test_version_ok_basics(version_ok):
    assert version_ok("2.18.1", ">=2.18,<2.19") is True
    assert version_ok("2.19.0", ">=2.18,<2.19") is False
    assert version_ok("2.18.1", "==2.18.*") is True
    assert version_ok("2.18.0rc1", ">=2.17") is False, "pre-releases only match with prereleases=True"
