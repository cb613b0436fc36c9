"""Worker-side probes for A22, TensorFlow Extended.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes run inside the sandboxed worker, so they hold no expected answers: they call the
namespace's functions on inputs the judge sent, and open what those functions wrote (TFRecords, the compiled KFP
YAML, SavedModels, the ML Metadata SQLite file) here, never in the judge, returning plain data. Protos cross the
wire as dicts (``json_format.MessageToDict``; 64-bit integers come back as strings).
"""

import os
import tempfile

import numpy as np
import tensorflow as tf


def _tmpdir() -> str:
    return tempfile.mkdtemp(dir=os.path.expanduser("~"))


def _tfmd():
    # Imported lazily: the notebook's setup cell has made the protos importable by then.
    from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2, statistics_pb2

    return anomalies_pb2, schema_pb2, statistics_pb2


def _to_dict(message) -> dict:
    from google.protobuf import json_format

    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _from_dict(data, cls):
    from google.protobuf import json_format

    return json_format.ParseDict(data, cls())


def _example_to_dict(serialized: bytes) -> dict:
    example = tf.train.Example.FromString(serialized)
    out = {}
    for name, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        if kind == "int64_list":
            out[name] = ["int64_list", [int(v) for v in feature.int64_list.value]]
        elif kind == "float_list":
            out[name] = ["float_list", [float(v) for v in feature.float_list.value]]
        elif kind == "bytes_list":
            out[name] = ["bytes_list", [v.decode("utf-8", "replace") for v in feature.bytes_list.value]]
        else:
            out[name] = ["empty", []]
    return out


# --------------------------------------------------------------------------------------------
# Q1


def run_example_gen(ns, csv_text, column_types, key_column, split_buckets):
    """Write ``csv_text`` to a file, run the namespace's ``example_gen`` and read back what it wrote."""
    import apache_beam as beam
    from apache_beam.io import tfrecordio

    folder = _tmpdir()
    out = os.path.join(folder, "out")
    path = os.path.join(folder, "data.csv")
    with open(path, "w") as f:
        f.write(csv_text)
    runners, sinks = [], []
    original = beam.Pipeline.run

    class SinkVisitor(beam.pipeline.PipelineVisitor):
        """Collects the path prefix of every TFRecord sink in the pipeline graph that runs."""

        def visit_transform(self, node):
            sink = getattr(node.transform, "_sink", None)
            if isinstance(sink, tfrecordio._TFRecordSink):
                sinks.append(os.path.relpath(os.path.abspath(sink.file_path_prefix.get()), out))

        enter_composite_transform = visit_transform

    def recording_run(self, *args, **kwargs):
        runners.append(type(self.runner).__name__)
        self.visit(SinkVisitor())
        return original(self, *args, **kwargs)

    beam.Pipeline.run = recording_run
    try:
        returned = ns["example_gen"](path, os.path.join(folder, "out"), dict(column_types), key_column,
                                     dict(split_buckets))
    finally:
        beam.Pipeline.run = original
    splits, files = {}, {}
    for split, split_dir in dict(returned).items():
        names = sorted(os.listdir(split_dir)) if os.path.isdir(split_dir) else []
        files[split] = names
        records = []
        paths = [os.path.join(split_dir, n) for n in names if n.endswith(".tfrecord")]
        if paths:
            records = [_example_to_dict(r.numpy()) for r in tf.data.TFRecordDataset(paths)]
        splits[split] = records
    return {"runners": runners, "splits": splits, "files": files, "tfrecord_sinks": sinks,
            "split_dirs": {split: os.path.relpath(os.path.abspath(str(d)), out) for split, d in dict(returned).items()},
            "inside_output_dir": all(os.path.abspath(str(d)).startswith(os.path.join(folder, "out"))
                                     for d in dict(returned).values())}


def parse_line(ns, line, columns, column_types):
    """The namespace's ``csv_line_to_example`` on one line, parsed back into plain data."""
    serialized = ns["csv_line_to_example"](line, list(columns), dict(column_types))
    if not isinstance(serialized, bytes):
        return {"type": type(serialized).__name__}
    return {"type": "bytes", "example": _example_to_dict(serialized)}


def compiled_pipeline(ns):
    """Compile the namespace's KFP pipeline to YAML and summarise its DAG (tasks, edges, conditions, retries)."""
    import yaml

    path = os.path.join(_tmpdir(), "pipeline.yaml")
    ns["compile_training_pipeline"](path)
    with open(path) as f:
        spec = yaml.safe_load(f)
    components = spec.get("components", {})
    tasks = {}

    def walk(dag, parent):
        for name, task in dag.get("tasks", {}).items():
            ref = task.get("componentRef", {}).get("name", "")
            params = task.get("inputs", {}).get("parameters", {})
            inputs = {}
            for key, source in params.items():
                if "taskOutputParameter" in source:
                    inputs[key] = "task:" + source["taskOutputParameter"].get("producerTask", "")
                elif "componentInputParameter" in source:
                    inputs[key] = "param:" + source["componentInputParameter"]
                else:
                    inputs[key] = "const"
            tasks[name] = {"parent": parent, "component": ref, "deps": sorted(task.get("dependentTasks", [])),
                           "condition": task.get("triggerPolicy", {}).get("condition"),
                           "retries": task.get("retryPolicy", {}).get("maxRetryCount"), "inputs": inputs}
            inner = components.get(ref, {}).get("dag")
            if inner:
                walk(inner, name)

    walk(spec.get("root", {}).get("dag", {}), None)
    params = {name: {"type": p.get("parameterType"), "default": p.get("defaultValue")}
              for name, p in spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {}).items()}
    outputs = {name: {k: v.get("parameterType") for k, v in c.get("outputDefinitions", {}).get("parameters",
                                                                                                {}).items()}
               for name, c in components.items()}
    return {"pipeline_name": spec.get("pipelineInfo", {}).get("name"), "params": params, "tasks": tasks,
            "component_outputs": outputs}


# --------------------------------------------------------------------------------------------
# Q2


def statistics(ns, columns, num_buckets):
    """The namespace's ``generate_statistics`` as a dict, with its type and a text-format round trip check."""
    from google.protobuf import text_format

    _, _, statistics_pb2 = _tfmd()
    stats = ns["generate_statistics"]({k: list(v) for k, v in columns.items()}, int(num_buckets))
    if not isinstance(stats, statistics_pb2.DatasetFeatureStatisticsList):
        return {"type": type(stats).__name__}
    again = text_format.Parse(text_format.MessageToString(stats), statistics_pb2.DatasetFeatureStatisticsList())
    return {"type": "DatasetFeatureStatisticsList", "stats": _to_dict(stats), "round_trip": again == stats}


def schema(ns, stats, max_domain):
    """The namespace's ``infer_schema`` on statistics sent as a dict."""
    _, schema_pb2, statistics_pb2 = _tfmd()
    result = ns["infer_schema"](_from_dict(stats, statistics_pb2.DatasetFeatureStatisticsList), int(max_domain))
    if not isinstance(result, schema_pb2.Schema):
        return {"type": type(result).__name__}
    return {"type": "Schema", "schema": _to_dict(result)}


def validate(ns, stats, schema_dict, previous=None, serving=None):
    """The namespace's ``validate_statistics`` on protos sent as dicts."""
    anomalies_pb2, schema_pb2, statistics_pb2 = _tfmd()

    def stats_or_none(d):
        return None if d is None else _from_dict(d, statistics_pb2.DatasetFeatureStatisticsList)

    result = ns["validate_statistics"](stats_or_none(stats), _from_dict(schema_dict, schema_pb2.Schema),
                                       stats_or_none(previous), stats_or_none(serving))
    if not isinstance(result, anomalies_pb2.Anomalies):
        return {"type": type(result).__name__}
    reasons = {name: sorted(anomalies_pb2.AnomalyInfo.Type.Name(r.type) for r in info.reason)
               for name, info in result.anomaly_info.items()}
    severities = {name: anomalies_pb2.AnomalyInfo.Severity.Name(info.severity)
                  for name, info in result.anomaly_info.items()}
    measured = {}
    for info in result.drift_skew_info:
        name = "/".join(info.path.step)
        for kind in ("drift_measurements", "skew_measurements"):
            for m in getattr(info, kind):
                measured[f"{name}|{kind}"] = {"type": anomalies_pb2.DriftSkewInfo.Measurement.Type.Name(m.type),
                                              "value": float(m.value), "threshold": float(m.threshold)}
    return {"type": "Anomalies", "reasons": reasons, "severities": severities, "measured": measured}


def js(ns, hist_a, hist_b):
    """The namespace's ``approx_js_divergence`` on two histograms sent as dicts."""
    _, _, statistics_pb2 = _tfmd()
    return ns["approx_js_divergence"](_from_dict(hist_a, statistics_pb2.Histogram),
                                      _from_dict(hist_b, statistics_pb2.Histogram))


# --------------------------------------------------------------------------------------------
# Q4


class _Linear(tf.Module):
    """A trusted tiny model: ``x @ w``, with a serving input signature."""

    def __init__(self, w):
        super().__init__()
        self.w = tf.Variable(np.asarray(w, np.float32))

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.float32)])
    def __call__(self, x):
        return tf.matmul(x, self.w)


def push_versions(ns, weights, preexisting, x):
    """Push one ``_Linear`` model per weight matrix with the namespace's ``push_model``; inspect the results."""
    base = os.path.join(_tmpdir(), "serving", "model")
    for name in preexisting:
        os.makedirs(os.path.join(base, name))
    saved_to = []
    original = tf.saved_model.save

    def recording_save(obj, export_dir, *args, **kwargs):
        saved_to.append(os.path.relpath(str(export_dir), base))
        return original(obj, export_dir, *args, **kwargs)

    tf.saved_model.save = recording_save
    try:
        returned = [os.path.relpath(str(ns["push_model"](_Linear(w), base)), base) for w in weights]
    finally:
        tf.saved_model.save = original
    outputs, signatures = {}, {}
    for name in sorted(os.listdir(base)):
        folder = os.path.join(base, name)
        if not os.path.exists(os.path.join(folder, "saved_model.pb")):
            continue
        loaded = tf.saved_model.load(folder)
        keys = sorted(loaded.signatures.keys())
        signatures[name] = keys
        if "serving_default" in keys:
            result = loaded.signatures["serving_default"](tf.constant(np.asarray(x, np.float32)))
            outputs[name] = next(iter(result.values())).numpy()
    return {"returned": returned, "dirs": sorted(os.listdir(base)), "saved_to": saved_to, "outputs": outputs,
            "signatures": signatures}


def _router(ns, stable, ops):
    router = ns["TrafficRouter"](int(stable))
    for method, *args in ops:
        getattr(router, method)(*args)
    return router


def route_many(ns, stable, ops, request_ids):
    """Build a ``TrafficRouter``, apply ``ops`` (``[method, *args]``) and route every request id."""
    router = _router(ns, stable, ops)
    routes = [router.route(str(r)) for r in request_ids]
    return {"serve": [int(r["serve"]) for r in routes],
            "shadow": [None if r["shadow"] is None else int(r["shadow"]) for r in routes]}


def route_stages(ns, stable, stages, request_ids):
    """Route the same request ids after each stage of operations (one router throughout)."""
    router = ns["TrafficRouter"](int(stable))
    out = []
    for ops in stages:
        for method, *args in ops:
            getattr(router, method)(*args)
        out.append([int(router.route(str(r))["serve"]) for r in request_ids])
    return out


def serve_many(ns, weights, stable, ops, requests):
    """Serve ``requests`` through the namespace's router and ``serve_request``.

    One trusted ``_Linear`` per weight matrix is saved first as versions 1..K.
    """
    base = os.path.join(_tmpdir(), "model")
    for version, w in enumerate(weights, start=1):
        tf.saved_model.save(_Linear(w), os.path.join(base, str(version)))
    router = _router(ns, stable, ops)
    cache = {}
    out = []
    for request_id, x in requests:
        r = ns["serve_request"](base, router, str(request_id), np.asarray(x, np.float32), cache)
        out.append({"version": int(r["version"]), "outputs": np.asarray(r["outputs"]),
                    "shadow_version": None if r["shadow_version"] is None else int(r["shadow_version"]),
                    "shadow_outputs": None if r["shadow_outputs"] is None else np.asarray(r["shadow_outputs"])})
    return {"results": out, "cached": sorted(int(k) for k in cache)}


# --------------------------------------------------------------------------------------------
# Q5 and Q6: ML Metadata


def _mlmd():
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2

    return metadata_store, metadata_store_pb2


def _value(v):
    kind = v.WhichOneof("value")
    return None if kind is None else getattr(v, kind)


def _dump(store, uri_of_artifact=None):
    """The whole store as plain data, with artifacts named by URI and executions by id."""
    _, pb = _mlmd()
    kinds = {pb.INT: "INT", pb.DOUBLE: "DOUBLE", pb.STRING: "STRING"}
    art_types = {t.id: t for t in store.get_artifact_types()}
    exe_types = {t.id: t for t in store.get_execution_types()}
    ctx_types = {t.id: t for t in store.get_context_types()}
    artifacts = store.get_artifacts()
    uri = {a.id: a.uri for a in artifacts}
    executions = store.get_executions()
    events = store.get_events_by_execution_ids([e.id for e in executions]) if executions else []
    contexts = store.get_contexts()
    return {
        "artifact_types": {t.name: {k: kinds.get(v, str(v)) for k, v in t.properties.items()}
                           for t in art_types.values()},
        "execution_types": {t.name: {k: kinds.get(v, str(v)) for k, v in t.properties.items()}
                            for t in exe_types.values()},
        "context_types": {t.name: {k: kinds.get(v, str(v)) for k, v in t.properties.items()}
                          for t in ctx_types.values()},
        "artifacts": {a.uri: {"type": art_types[a.type_id].name, "state": pb.Artifact.State.Name(a.state),
                              "properties": {k: _value(v) for k, v in a.properties.items()},
                              "custom_properties": {k: _value(v) for k, v in a.custom_properties.items()}}
                      for a in artifacts},
        "executions": {str(e.id): {"type": exe_types[e.type_id].name,
                                   "state": pb.Execution.State.Name(e.last_known_state),
                                   "properties": {k: _value(v) for k, v in e.properties.items()},
                                   "custom_properties": {k: _value(v) for k, v in e.custom_properties.items()}}
                       for e in executions},
        "events": sorted([[uri.get(ev.artifact_id, str(ev.artifact_id)), str(ev.execution_id),
                           pb.Event.Type.Name(ev.type),
                           [s.key if s.WhichOneof("value") == "key" else s.index for s in ev.path.steps]]
                          for ev in events], key=str),
        "contexts": {c.name: {"type": ctx_types[c.type_id].name,
                              "properties": {k: _value(v) for k, v in c.properties.items()},
                              "artifacts": sorted(a.uri for a in store.get_artifacts_by_context(c.id)),
                              "executions": sorted(str(e.id) for e in store.get_executions_by_context(c.id))}
                     for c in contexts},
    }


def mlmd_scenario(ns, runs):
    """Drive the namespace's Q5 functions through a pipeline history, then read the SQLite store back.

    ``runs`` is a list of ``{"name", "pipeline", "git_sha", "steps": [{"type", "inputs": {key: [uri]},
    "outputs": {key: [spec]}, "properties"}]}``; inputs name artifacts by URI. Returns the types' ids from two
    registrations, every step's returned execution id and output URIs, the store dumped through a second, fresh
    connection to the same file, and the namespace's lineage answers for every Model (by URI) and every
    Examples URI.
    """
    metadata_store, pb = _mlmd()
    path = os.path.join(_tmpdir(), "mlmd.sqlite")
    store = ns["connect"](path)
    first = ns["register_types"](store)
    second = ns["register_types"](store)
    by_uri, steps = {}, []
    for run in runs:
        context_id = ns["start_run"](store, run["pipeline"], run["name"], run["git_sha"])
        for step in run["steps"]:
            inputs = {key: [by_uri[u] for u in uris] for key, uris in step["inputs"].items()}
            result = ns["record_execution"](store, int(context_id), step["type"], inputs, step["outputs"],
                                            step["properties"])
            out_uris = {}
            for key, ids in result["outputs"].items():
                specs = step["outputs"][key]
                out_uris[key] = [specs[i]["uri"] for i in range(len(ids))]
                for i, artifact_id in enumerate(ids):
                    by_uri[specs[i]["uri"]] = int(artifact_id)
            steps.append({"execution_id": str(int(result["execution_id"])), "outputs": out_uris})
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = path
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READONLY
    fresh = metadata_store.MetadataStore(config)
    uri_of = {v: k for k, v in by_uri.items()}
    lineage = {}
    for a in fresh.get_artifacts_by_type("Model"):
        got = ns["upstream_lineage"](store, int(a.id))
        lineage[a.uri] = {"artifacts": sorted(uri_of.get(int(i), str(i)) for i in got["artifacts"]),
                          "executions": sorted(str(int(i)) for i in got["executions"])}
    trained = {a.uri: list(ns["models_trained_on"](store, a.uri)) for a in fresh.get_artifacts_by_type("Examples")}
    unknown = ns["models_trained_on"](store, "gs://nowhere/never-ingested")
    trained["gs://nowhere/never-ingested"] = unknown if unknown is None else list(unknown)
    return {"first_ids": dict(first), "second_ids": dict(second), "steps": steps, "dump": _dump(fresh),
            "lineage": lineage, "trained_on": trained}


def ci_scenario(ns, rounds):
    """Drive the namespace's Q6 functions through rounds of a CI pipeline on a trusted MLMD store.

    One Model artifact per round; the namespace's ``evaluate_and_bless`` judges each against the currently blessed
    baseline found by its ``latest_blessed_model``.

    ``rounds`` is a list of ``{"metrics": {...}, "thresholds": {...}, "anomalies": int}``. The baseline metrics are
    the metrics of the round whose model ``latest_blessed_model`` returns. Returns per round the verdict, the
    baseline (as a round index) and the blessing artifact as stored, and the final store dump.
    """
    metadata_store, pb = _mlmd()
    config = pb.ConnectionConfig()
    config.sqlite.filename_uri = os.path.join(_tmpdir(), "ci.sqlite")
    config.sqlite.connection_mode = pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    model_type = store.put_artifact_type(pb.ArtifactType(name="Model"))
    run_type = store.put_context_type(pb.ContextType(name="pipeline_run"))
    round_of_model, out = {}, []
    for k, r in enumerate(rounds):
        context_id = store.put_contexts([pb.Context(type_id=run_type, name=f"run-{k}")])[0]
        model_id = store.put_artifacts([pb.Artifact(type_id=model_type, uri=f"models/{k}",
                                                    state=pb.Artifact.LIVE)])[0]
        round_of_model[model_id] = k
        baseline_id = ns["latest_blessed_model"](store)
        baseline_round = round_of_model.get(baseline_id) if baseline_id is not None else None
        baseline_metrics = rounds[baseline_round]["metrics"] if baseline_round is not None else None
        verdict = ns["evaluate_and_bless"](store, int(context_id), int(model_id), baseline_id, r["metrics"],
                                           baseline_metrics, r["thresholds"], int(r["anomalies"]))
        blessing = store.get_artifacts_by_id([int(verdict["blessing_id"])])
        stored = None
        if blessing:
            b = blessing[0]
            props = {key: _value(v) for key, v in b.custom_properties.items()}
            for key in ("current_model_id", "baseline_model_id"):
                if isinstance(props.get(key), int):
                    props[key] = round_of_model.get(props[key], -1)
            events = store.get_events_by_artifact_ids([b.id])
            producer = [e.execution_id for e in events if e.type == pb.Event.OUTPUT]
            inputs = []
            if producer:
                inputs = sorted([[s.key if s.WhichOneof("value") == "key" else s.index for s in e.path.steps],
                                 round_of_model.get(e.artifact_id, -1)]
                                for e in store.get_events_by_execution_ids(producer) if e.type == pb.Event.INPUT)
            executions = store.get_executions_by_id(producer)
            stored = {"type": [t.name for t in store.get_artifact_types() if t.id == b.type_id],
                      "state": pb.Artifact.State.Name(b.state), "custom_properties": props, "inputs": inputs,
                      "producer_types": sorted(t.name for t in store.get_execution_types()
                                               if any(x.type_id == t.id for x in executions)),
                      "producer_states": sorted(pb.Execution.State.Name(x.last_known_state) for x in executions),
                      "in_context": b.id in {a.id for a in store.get_artifacts_by_context(context_id)},
                      "execution_in_context": bool(producer) and producer[0] in {
                          x.id for x in store.get_executions_by_context(context_id)}}
        out.append({"blessed": verdict["blessed"], "reasons": list(verdict["reasons"]),
                    "baseline_round": baseline_round, "blessing": stored})
    final = ns["latest_blessed_model"](store)
    return {"rounds": out, "final": None if final is None else round_of_model.get(final, -1)}
