# expect: {"q6": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The Evaluator execution is stored without last_known_state = COMPLETE.
# %% [q6]
def check_thresholds(candidate: dict, baseline, thresholds: dict) -> tuple:
    """Model validation with TFMA's threshold semantics.

    ``thresholds`` is ``{metric: {...}}`` with any of:

    - ``"lower_bound"`` / ``"upper_bound"`` (``GenericValueThreshold``): the candidate's value must be ``>=`` /
      ``<=`` it;
    - ``"change": {"direction": "HIGHER_IS_BETTER" | "LOWER_IS_BETTER", "absolute": a, "relative": r}``
      (``GenericChangeThreshold``, either key optional): with ``diff = candidate - baseline``, HIGHER_IS_BETTER
      needs ``diff >= a`` and ``diff / |baseline| >= r``; LOWER_IS_BETTER needs ``diff <= a`` and
      ``diff / |baseline| <= r`` (a zero baseline skips the relative check). Change thresholds are skipped when
      ``baseline`` is ``None`` (the first model has nothing to compare with).

    A metric missing from the candidate (or, for a change threshold, from the baseline) fails.

    Returns:
        ``(passed, failures)``: ``failures`` is a list of strings, each starting with the metric's name and a colon
        (``"auc: 0.71 < lower_bound 0.75"``), in the order of ``thresholds``.
    """
    failures = []
    for metric, spec in thresholds.items():
        if metric not in candidate or candidate[metric] is None:
            failures.append(f"{metric}: missing from the candidate's metrics")
            continue
        value = float(candidate[metric])
        if "lower_bound" in spec and not value >= spec["lower_bound"]:
            failures.append(f"{metric}: {value:.6g} < lower_bound {spec['lower_bound']}")
        if "upper_bound" in spec and not value <= spec["upper_bound"]:
            failures.append(f"{metric}: {value:.6g} > upper_bound {spec['upper_bound']}")
        change = spec.get("change")
        if change is None or baseline is None:
            continue
        if metric not in baseline or baseline[metric] is None:
            failures.append(f"{metric}: missing from the baseline's metrics")
            continue
        base = float(baseline[metric])
        diff = value - base
        higher = change.get("direction", "HIGHER_IS_BETTER") == "HIGHER_IS_BETTER"
        if "absolute" in change:
            ok = diff >= change["absolute"] if higher else diff <= change["absolute"]
            if not ok:
                failures.append(f"{metric}: change {diff:.6g} vs baseline fails absolute {change['absolute']}")
        if "relative" in change and base != 0:
            rel = diff / abs(base)
            ok = rel >= change["relative"] if higher else rel <= change["relative"]
            if not ok:
                failures.append(f"{metric}: relative change {rel:.6g} vs baseline fails relative "
                                f"{change['relative']}")
    return (not failures, failures)


def evaluate_and_bless(store, run_context_id: int, model_id: int, baseline_model_id, candidate_metrics: dict,
                       baseline_metrics, thresholds: dict, data_anomalies: int) -> dict:
    """The CI gate of a TFX run: validate the model and record the verdict in ML Metadata.

    The model is blessed only if ``data_anomalies == 0`` (the ExampleValidator found nothing) and
    ``check_thresholds`` passes (``baseline_metrics`` is ``None`` when there is no baseline model). Record, in
    one ``put_execution``:

    - an ``"Evaluator"`` execution (``last_known_state = COMPLETE``) with INPUT events for the model (path steps
      ``"model"``, 0) and the baseline model if any (``"baseline_model"``, 0);
    - an OUTPUT ``"ModelBlessing"`` artifact (path ``"blessing"``, 0), ``state = LIVE``, ``uri``
      ``f"blessing/{model_id}"``, with the custom properties TFX uses: ``blessed`` (int 1 or 0),
      ``current_model_id`` (int) and, with a baseline, ``baseline_model_id`` (int);
    - associated and attributed to the run context.

    Register the execution type ``"Evaluator"`` and the artifact type ``"ModelBlessing"`` if they are missing
    (``put_artifact_type`` / ``put_execution_type`` return the existing id for an identical type).

    Returns:
        ``{"blessed": bool, "reasons": list of str (the threshold failures, plus
        "data: N anomalies" first when there are anomalies), "blessing_id": int}``.
    """
    passed, failures = check_thresholds(candidate_metrics, baseline_metrics, thresholds)
    reasons = ([f"data: {data_anomalies} anomalies"] if data_anomalies else []) + failures
    blessed = passed and not data_anomalies
    exec_type_id = store.put_execution_type(metadata_store_pb2.ExecutionType(name="Evaluator"))
    blessing_type_id = store.put_artifact_type(metadata_store_pb2.ArtifactType(name="ModelBlessing"))
    execution = metadata_store_pb2.Execution(type_id=exec_type_id)
    ids = [model_id] + ([baseline_model_id] if baseline_model_id is not None else [])
    found = {a.id: a for a in store.get_artifacts_by_id(ids)}
    pairs = []
    for key, artifact_id in (("model", model_id), ("baseline_model", baseline_model_id)):
        if artifact_id is None:
            continue
        event = metadata_store_pb2.Event(type=metadata_store_pb2.Event.INPUT)
        event.path.steps.add().key = key
        event.path.steps.add().index = 0
        pairs.append((found[artifact_id], event))
    blessing = metadata_store_pb2.Artifact(type_id=blessing_type_id, uri=f"blessing/{model_id}",
                                           state=metadata_store_pb2.Artifact.LIVE)
    blessing.custom_properties["blessed"].int_value = int(blessed)
    blessing.custom_properties["current_model_id"].int_value = int(model_id)
    if baseline_model_id is not None:
        blessing.custom_properties["baseline_model_id"].int_value = int(baseline_model_id)
    event = metadata_store_pb2.Event(type=metadata_store_pb2.Event.OUTPUT)
    event.path.steps.add().key = "blessing"
    event.path.steps.add().index = 0
    pairs.append((blessing, event))
    context = store.get_contexts_by_id([run_context_id])[0]
    _, artifact_ids, _ = store.put_execution(execution, pairs, [context])
    return {"blessed": bool(blessed), "reasons": reasons, "blessing_id": int(artifact_ids[-1])}


def latest_blessed_model(store):
    """TFX's ``LatestBlessedModelStrategy``: the baseline the next run compares with.

    Returns:
        The id of the most recently created ``Model`` artifact that has a ``ModelBlessing`` with ``blessed == 1``
        and ``current_model_id`` equal to its id (the newest model is the one with the largest id); ``None`` if no
        model is blessed.
    """
    try:
        blessings = store.get_artifacts_by_type("ModelBlessing")
        models = {a.id for a in store.get_artifacts_by_type("Model")}
    except Exception:  # noqa: BLE001 - a type that was never registered means nothing is blessed
        return None
    blessed = {b.custom_properties["current_model_id"].int_value for b in blessings
               if "blessed" in b.custom_properties and b.custom_properties["blessed"].int_value == 1}
    candidates = blessed & models
    return max(candidates) if candidates else None
