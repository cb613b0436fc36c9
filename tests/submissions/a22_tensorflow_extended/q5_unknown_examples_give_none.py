# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# models_trained_on returns None (not an empty list) for a URI no Examples artifact has.
# %% [q5]
def connect(db_path: str) -> metadata_store.MetadataStore:
    """An ML Metadata store backed by SQLite at ``db_path`` (created if missing: ``READWRITE_OPENCREATE``)."""
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = db_path
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    return metadata_store.MetadataStore(config)


ARTIFACT_TYPES = {"Examples": {"span": "INT", "split_names": "STRING"},
                  "ExampleStatistics": {"span": "INT"},
                  "Schema": {},
                  "Model": {"framework": "STRING"},
                  "ModelEvaluation": {}}
EXECUTION_TYPES = {"ExampleGen": {"input_base": "STRING"},
                   "StatisticsGen": {},
                   "SchemaGen": {},
                   "Trainer": {"epochs": "INT", "learning_rate": "DOUBLE"},
                   "Evaluator": {}}


def register_types(store) -> dict:
    """Register the pipeline's types (``put_artifact_type`` / ``put_execution_type`` / ``put_context_type``).

    Artifact types and execution types are the module constants ``ARTIFACT_TYPES`` and ``EXECUTION_TYPES``
    (``{name: {property: "INT" | "DOUBLE" | "STRING"}}``, as ``metadata_store_pb2.INT`` ...); the context type is
    ``"pipeline_run"`` with properties ``pipeline_name`` (STRING) and ``git_sha`` (STRING). Registering twice must
    work and give the same ids.

    Returns:
        ``{type_name: type_id}`` for all of them.
    """
    kinds = {"INT": metadata_store_pb2.INT, "DOUBLE": metadata_store_pb2.DOUBLE, "STRING": metadata_store_pb2.STRING}
    ids = {}
    for name, props in ARTIFACT_TYPES.items():
        t = metadata_store_pb2.ArtifactType(name=name)
        for prop, kind in props.items():
            t.properties[prop] = kinds[kind]
        ids[name] = store.put_artifact_type(t)
    for name, props in EXECUTION_TYPES.items():
        t = metadata_store_pb2.ExecutionType(name=name)
        for prop, kind in props.items():
            t.properties[prop] = kinds[kind]
        ids[name] = store.put_execution_type(t)
    t = metadata_store_pb2.ContextType(name="pipeline_run")
    t.properties["pipeline_name"] = metadata_store_pb2.STRING
    t.properties["git_sha"] = metadata_store_pb2.STRING
    ids["pipeline_run"] = store.put_context_type(t)
    return ids


def _set_value(value_proto, value) -> None:
    if isinstance(value, bool) or isinstance(value, (int, np.integer)):
        value_proto.int_value = int(value)
    elif isinstance(value, (float, np.floating)):
        value_proto.double_value = float(value)
    else:
        value_proto.string_value = str(value)


def start_run(store, pipeline_name: str, run_id: str, git_sha: str) -> int:
    """Create the ``"pipeline_run"`` context named ``run_id`` (properties ``pipeline_name``, ``git_sha``); its id."""
    context = metadata_store_pb2.Context(type_id=store.get_context_type("pipeline_run").id, name=run_id)
    context.properties["pipeline_name"].string_value = pipeline_name
    context.properties["git_sha"].string_value = git_sha
    return store.put_contexts([context])[0]


def record_execution(store, run_context_id: int, execution_type: str, inputs: dict, outputs: dict,
                     properties: dict) -> dict:
    """Record one completed component run, as a TFX launcher does, in one ``store.put_execution`` call.

    - An ``Execution`` of type ``execution_type`` with ``last_known_state = COMPLETE``; each ``properties`` item
      goes to ``properties`` if the type declares it, else to ``custom_properties`` (int, float or str values).
    - ``inputs`` is ``{key: [artifact ids]}`` of existing artifacts: an ``INPUT`` event for each, whose ``path``
      has two steps, ``key`` and the index in the list.
    - ``outputs`` is ``{key: [{"type": name, "uri": str, "properties": {...}}]}``: new artifacts with
      ``state = LIVE`` (properties split the same way), each with an ``OUTPUT`` event and the same path steps.
    - The execution is associated, and every artifact it touches (inputs and outputs) attributed, to the run
      context ``run_context_id`` (``put_execution`` does both when given the context).

    Returns:
        ``{"execution_id": int, "outputs": {key: [new artifact ids, in order]}}``.
    """
    exec_type = store.get_execution_type(execution_type)
    execution = metadata_store_pb2.Execution(type_id=exec_type.id,
                                             last_known_state=metadata_store_pb2.Execution.COMPLETE)
    for key, value in properties.items():
        target = execution.properties if key in exec_type.properties else execution.custom_properties
        _set_value(target[key], value)
    input_artifacts = {}
    wanted = [i for ids in inputs.values() for i in ids]
    if wanted:
        input_artifacts = {a.id: a for a in store.get_artifacts_by_id(wanted)}
    pairs = []
    for key, ids in inputs.items():
        for index, artifact_id in enumerate(ids):
            event = metadata_store_pb2.Event(type=metadata_store_pb2.Event.INPUT)
            event.path.steps.add().key = key
            event.path.steps.add().index = index
            pairs.append((input_artifacts[artifact_id], event))
    order = []
    for key, specs in outputs.items():
        for index, spec in enumerate(specs):
            art_type = store.get_artifact_type(spec["type"])
            artifact = metadata_store_pb2.Artifact(type_id=art_type.id, uri=spec["uri"],
                                                   state=metadata_store_pb2.Artifact.LIVE)
            for prop, value in spec.get("properties", {}).items():
                target = artifact.properties if prop in art_type.properties else artifact.custom_properties
                _set_value(target[prop], value)
            event = metadata_store_pb2.Event(type=metadata_store_pb2.Event.OUTPUT)
            event.path.steps.add().key = key
            event.path.steps.add().index = index
            pairs.append((artifact, event))
            order.append(key)
    context = store.get_contexts_by_id([run_context_id])[0]
    execution_id, artifact_ids, _ = store.put_execution(execution, pairs, [context])
    new_ids = artifact_ids[len(pairs) - len(order):]
    result = {key: [] for key in outputs}
    for key, artifact_id in zip(order, new_ids, strict=True):
        result[key].append(artifact_id)
    return {"execution_id": execution_id, "outputs": result}


def upstream_lineage(store, artifact_id: int) -> dict:
    """Everything an artifact was derived from.

    Walk ``OUTPUT`` events back to the producing executions, their ``INPUT`` events back to their input artifacts,
    and so on.

    Returns:
        ``{"artifacts": sorted ids (the artifact itself excluded), "executions": sorted ids}``.
    """
    artifacts, executions = set(), set()
    frontier = [artifact_id]
    while frontier:
        events = store.get_events_by_artifact_ids(frontier)
        producers = {e.execution_id for e in events if e.type == metadata_store_pb2.Event.OUTPUT} - executions
        executions |= producers
        if not producers:
            break
        inputs = {e.artifact_id for e in store.get_events_by_execution_ids(list(producers))
                  if e.type == metadata_store_pb2.Event.INPUT}
        frontier = list(inputs - artifacts)
        artifacts |= inputs
    artifacts.discard(artifact_id)
    return {"artifacts": sorted(artifacts), "executions": sorted(executions)}


def models_trained_on(store, examples_uri: str) -> list:
    """The models trained on some data.

    Returns:
        The sorted URIs of the ``Model`` artifacts output by ``Trainer`` executions that took an ``Examples``
        artifact with this URI as input.
    """
    examples = [a.id for a in store.get_artifacts_by_uri(examples_uri)]
    if not examples:
        return None
    trainer_type = store.get_execution_type("Trainer").id
    consumers = {e.execution_id for e in store.get_events_by_artifact_ids(examples)
                 if e.type == metadata_store_pb2.Event.INPUT}
    trainers = [x.id for x in store.get_executions_by_id(list(consumers)) if x.type_id == trainer_type]
    if not trainers:
        return []
    produced = [e.artifact_id for e in store.get_events_by_execution_ids(trainers)
                if e.type == metadata_store_pb2.Event.OUTPUT]
    model_type = store.get_artifact_type("Model").id
    return sorted(a.uri for a in store.get_artifacts_by_id(produced) if a.type_id == model_type)
