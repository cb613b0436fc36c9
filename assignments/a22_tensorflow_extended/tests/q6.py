from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_validation_and_blessing", points=1, hidden=False)
def test_validation_and_blessing(check_thresholds, evaluate_and_bless, latest_blessed_model):
    from ml_metadata.metadata_store import metadata_store
    from ml_metadata.proto import metadata_store_pb2 as pb

    thresholds = {"auc": {"lower_bound": 0.7, "change": {"direction": "HIGHER_IS_BETTER", "absolute": -0.01}}}
    assert check_thresholds({"auc": 0.75}, None, thresholds) == (True, [])
    ok, failures = check_thresholds({"auc": 0.75}, {"auc": 0.8}, thresholds)
    assert not ok and failures[0].startswith("auc:")
    config = pb.ConnectionConfig()
    config.fake_database.SetInParent()
    store = metadata_store.MetadataStore(config)
    model_type = store.put_artifact_type(pb.ArtifactType(name="Model"))
    run_type = store.put_context_type(pb.ContextType(name="pipeline_run"))
    run = store.put_contexts([pb.Context(type_id=run_type, name="r1")])[0]
    model = store.put_artifacts([pb.Artifact(type_id=model_type, uri="m1")])[0]
    assert latest_blessed_model(store) is None
    verdict = evaluate_and_bless(store, run, model, None, {"auc": 0.75}, None, thresholds, 0)
    assert verdict["blessed"] is True
    blessing = store.get_artifacts_by_id([verdict["blessing_id"]])[0]
    assert blessing.custom_properties["blessed"].int_value == 1
    assert latest_blessed_model(store) == model
