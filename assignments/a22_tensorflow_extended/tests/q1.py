from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_example_gen_and_kfp_pipeline", points=1, hidden=False)
def test_example_gen_and_kfp_pipeline(split_for_key, csv_line_to_example, example_gen, compile_training_pipeline):
    import os
    import tempfile

    import tensorflow as tf
    import yaml

    assert split_for_key("42", {"train": 2, "eval": 1}) == "train"
    assert split_for_key("7", {"train": 2, "eval": 1}) == "eval"
    example = tf.train.Example.FromString(csv_line_to_example('1,"a, b",', ["id", "name", "x"],
                                                              {"id": "int", "name": "string", "x": "float"}))
    assert example.features.feature["name"].bytes_list.value == [b"a, b"]
    assert "x" not in example.features.feature, "an empty cell is a missing feature"
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "data.csv"), "w") as f:
        f.write("id,fare\n" + "".join(f"{i},{i / 2}\n" for i in range(30)))
    splits = example_gen(os.path.join(folder, "data.csv"), os.path.join(folder, "out"),
                         {"id": "int", "fare": "float"}, "id", {"train": 2, "eval": 1})
    counts = {s: sum(1 for _ in tf.data.TFRecordDataset(tf.io.gfile.glob(os.path.join(d, "*.tfrecord"))))
              for s, d in splits.items()}
    assert sum(counts.values()) == 30 and counts["train"] > counts["eval"] > 0, counts
    compile_training_pipeline(os.path.join(folder, "pipeline.yaml"))
    with open(os.path.join(folder, "pipeline.yaml")) as f:
        spec = yaml.safe_load(f)
    tasks = spec["root"]["dag"]["tasks"]
    assert {"ingest", "validate", "compute-statistics", "train", "evaluate"} <= set(tasks), sorted(tasks)
    assert "validate" in tasks["train"]["dependentTasks"], "train must wait for validate"
    assert any("triggerPolicy" in t for t in tasks.values()), "push belongs inside a dsl.If condition"
