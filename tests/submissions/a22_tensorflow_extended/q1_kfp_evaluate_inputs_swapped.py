# expect: {"q1": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# evaluate gets ingest's output as the model and train's output as the examples (the edges are the same).
# %% [q1]
def split_for_key(key: str, split_buckets: dict) -> str:
    """The split a row goes to, from a stable hash of its key (the same in every process and run).

    ``h = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % sum(buckets)``; the splits own
    consecutive ranges of hash buckets in the dict's order: with ``{"train": 2, "eval": 1}``, ``h`` in ``{0, 1}`` is
    ``"train"`` and ``h == 2`` is ``"eval"``. (Python's ``hash()`` is salted per process: never use it for this.)

    Args:
        key: the row's key (the value of its key column, as text).
        split_buckets: ``{split_name: number_of_hash_buckets}``, in order.

    Returns:
        The split name.
    """
    total = sum(int(n) for n in split_buckets.values())
    h = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % total
    for name, n in split_buckets.items():
        if h < int(n):
            return name
        h -= int(n)
    raise ValueError("empty split_buckets")


def csv_line_to_example(line: str, columns: list, column_types: dict) -> bytes:
    """One CSV line as a serialized ``tf.train.Example``.

    Parse the line with the ``csv`` module (quoted commas stay inside a field). Column ``c`` becomes a feature of
    one value: ``int64_list`` for type ``"int"``, ``float_list`` for ``"float"``, ``bytes_list`` (UTF-8) for
    ``"string"``. An empty cell means a missing value: leave the feature out of the example.

    Args:
        line: one data line (no header, no trailing newline).
        columns: the column names, in file order.
        column_types: ``{column: "int" | "float" | "string"}``.

    Returns:
        ``example.SerializeToString()``.
    """
    values = next(csv.reader(io.StringIO(line)))
    feature = {}
    for name, value in zip(columns, values, strict=False):
        if value == "":
            continue
        kind = column_types[name]
        if kind == "int":
            feature[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=[int(value)]))
        elif kind == "float":
            feature[name] = tf.train.Feature(float_list=tf.train.FloatList(value=[float(value)]))
        else:
            feature[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[value.encode("utf-8")]))
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def example_gen(csv_path: str, output_dir: str, column_types: dict, key_column: str, split_buckets: dict) -> dict:
    """A CSV ExampleGen as an Apache Beam pipeline on the DirectRunner.

    ``beam.Pipeline(runner="DirectRunner")``: ``ReadFromText(csv_path, skip_header_lines=1)`` (the header gives
    the column order), key each line by its ``key_column`` cell, ``beam.Partition`` it with ``split_for_key``,
    convert with ``csv_line_to_example`` and write each split with
    ``WriteToTFRecord(os.path.join(output_dir, split, "data"), file_name_suffix=".tfrecord")``.

    Args:
        csv_path: a CSV file with a header line.
        output_dir: where to write; one sub-folder per split.
        column_types: ``{column: "int" | "float" | "string"}``.
        key_column: the column whose value decides the split.
        split_buckets: ``{split_name: number_of_hash_buckets}``.

    Returns:
        ``{split_name: folder}`` with every split (a split with no rows gets a folder with an empty file).
    """
    with open(csv_path, newline="") as f:
        columns = next(csv.reader(f))
    key_index = columns.index(key_column)
    names = list(split_buckets)
    with beam.Pipeline(runner="DirectRunner") as pipeline:
        lines = pipeline | "Read" >> beam.io.ReadFromText(csv_path, skip_header_lines=1)
        parts = lines | "Split" >> beam.Partition(
            lambda line, n: names.index(split_for_key(next(csv.reader(io.StringIO(line)))[key_index],
                                                      split_buckets)), len(names))
        for name, part in zip(names, parts, strict=True):
            (part
             | f"ToExample[{name}]" >> beam.Map(csv_line_to_example, columns, column_types)
             | f"Write[{name}]" >> beam.io.WriteToTFRecord(os.path.join(output_dir, name, "data"),
                                                           file_name_suffix=".tfrecord"))
    return {name: os.path.join(output_dir, name) for name in names}


def compile_training_pipeline(package_path: str) -> None:
    """A KFP v2 training pipeline, compiled to its IR YAML with ``kfp.compiler.Compiler().compile``.

    Lightweight ``@dsl.component`` functions (their bodies are placeholders; only the DAG is graded):

    - ``ingest(source: str) -> str``, ``validate(examples: str) -> int`` (number of anomalies),
      ``compute_statistics(examples: str) -> str``, ``train(examples: str, epochs: int) -> str``,
      ``evaluate(model: str, examples: str) -> float``, ``push(model: str) -> str``.

    ``@dsl.pipeline(name="tfx-training")`` with parameters ``source: str = "gs://bucket/data.csv"``,
    ``epochs: int = 5`` and ``min_auc: float = 0.8``:

    - ``ingest(source)``; then ``validate`` and ``compute_statistics`` on its output (these two run in parallel);
    - ``train(ingest output, epochs)``, which must also wait for ``validate`` (``.after(...)``) and is retried up
      to 3 times (``.set_retry(num_retries=3)``);
    - ``evaluate(train output, ingest output)``;
    - ``push(train output)`` only inside ``with dsl.If(evaluate.output >= min_auc):``.

    Args:
        package_path: where to write the YAML.
    """
    @dsl.component
    def ingest(source: str) -> str:
        return source + "/examples"

    @dsl.component
    def validate(examples: str) -> int:
        return 0

    @dsl.component
    def compute_statistics(examples: str) -> str:
        return examples + "/stats"

    @dsl.component
    def train(examples: str, epochs: int) -> str:
        return examples + "/model"

    @dsl.component
    def evaluate(model: str, examples: str) -> float:
        return 0.9

    @dsl.component
    def push(model: str) -> str:
        return model + "/pushed"

    @dsl.pipeline(name="tfx-training")
    def training_pipeline(source: str = "gs://bucket/data.csv", epochs: int = 5, min_auc: float = 0.8):
        examples = ingest(source=source)
        checked = validate(examples=examples.output)
        compute_statistics(examples=examples.output)
        model = train(examples=examples.output, epochs=epochs).after(checked)
        model.set_retry(num_retries=3)
        auc = evaluate(model=examples.output, examples=model.output)
        with dsl.If(auc.output >= min_auc):
            push(model=model.output)

    compiler.Compiler().compile(training_pipeline, package_path)
