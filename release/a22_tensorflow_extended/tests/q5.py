from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_metadata_and_lineage", points=1, hidden=False)
def test_metadata_and_lineage(connect, register_types, start_run, record_execution, upstream_lineage,
                              models_trained_on):
    import os
    import tempfile

    store = connect(os.path.join(tempfile.mkdtemp(), "mlmd.sqlite"))
    ids = register_types(store)
    assert register_types(store) == ids
    run = start_run(store, "demo", "run-1", "abc123")
    gen = record_execution(store, run, "ExampleGen", {},
                           {"examples": [{"type": "Examples", "uri": "data/1", "properties": {"span": 1}}]}, {})
    examples = gen["outputs"]["examples"][0]
    train = record_execution(store, run, "Trainer", {"examples": [examples]},
                             {"model": [{"type": "Model", "uri": "model/1", "properties": {}}]}, {"epochs": 2})
    model = train["outputs"]["model"][0]
    assert upstream_lineage(store, model) == {"artifacts": [examples],
                                              "executions": sorted([gen["execution_id"], train["execution_id"]])}
    assert models_trained_on(store, "data/1") == ["model/1"]
    assert len(store.get_events_by_execution_ids([train["execution_id"]])) == 2
