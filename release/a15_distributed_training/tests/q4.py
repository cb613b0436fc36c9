from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_tpu_readiness_basics", points=1, hidden=False)
def test_tpu_readiness_basics(resolve_strategy, make_static_dataset, build_bf16_model, make_xla_train_step,
                              compile_for_tpu):
    import numpy as np
    import tensorflow as tf

    strategy = resolve_strategy()
    assert isinstance(strategy, tf.distribute.MirroredStrategy), "without a TPU, fall back to MirroredStrategy"
    rng = np.random.default_rng(0)
    ds = make_static_dataset(rng.normal(size=(50, 4)), rng.integers(0, 3, 50), 8)
    assert ds.element_spec[0].shape.as_list() == [8, 4] and ds.element_spec[1].dtype == tf.int32
    model = build_bf16_model(4, 8, 3)
    assert tf.keras.mixed_precision.global_policy().name == "float32", "leave the global policy at float32"
    assert model.layers[0].compute_dtype == "bfloat16" and model(tf.zeros((1, 4))).dtype == tf.float32
    step = make_xla_train_step(model, tf.keras.optimizers.SGD(0.1))
    for x, y in ds:
        step(x, y)
    traces = step.experimental_get_tracing_count()
    for x, y in ds:
        step(x, y)
    assert step.experimental_get_tracing_count() == traces, "the step must not retrace"
    compiled = compile_for_tpu(tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)]), 0.01, 4)
    assert int(compiled._steps_per_execution.numpy()) == 4
