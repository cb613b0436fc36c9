# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, json, ... come from the reference setup cell)
# replicas and minReplicas as strings ("3"): schema-invalid in strict mode.
# %% [q4]
def render_manifests(p: dict) -> list:
    """Kubernetes objects for a model server, as plain dicts (``apiVersion``, ``kind``, ``metadata``, ``spec``).

    ``p`` holds ``name``, ``image``, ``model_name``, ``replicas``, ``min_replicas``, ``max_replicas``,
    ``target_cpu`` (percent), ``cpu_request``, ``cpu_limit``, ``memory_request``, ``memory_limit`` (quantity strings)
    and ``rest_port``. Returns, in this order:

    - ``apps/v1`` Deployment ``p["name"]``: ``replicas``; selector ``matchLabels`` ``{"app": name}`` (a subset of the
      pod template's labels); strategy RollingUpdate with ``maxUnavailable: 0``; one container ``"server"`` running
      ``image`` with args ``--rest_api_port=<rest_port>``, ``--model_name=<model_name>``,
      ``--model_base_path=/models/<model_name>``, ``--enable_batching=true`` and
      ``--batching_parameters_file=/config/batching.config``; a ``containerPort`` ``rest_port`` named ``http``;
      readiness and liveness ``httpGet`` probes on ``/v1/models/<model_name>`` at ``rest_port``; resources requests
      and limits from ``p``; a pod ``securityContext`` with ``runAsNonRoot: true`` and a ``runAsUser`` > 0; the
      ConfigMap mounted read-only at ``/config``.
    - ``v1`` Service ``name`` (ClusterIP, selector ``{"app": name}``, port ``rest_port`` -> targetPort ``http``).
    - ``v1`` ConfigMap ``<name>-config`` with the key ``batching.config`` (a BatchingParameters text proto).
    - ``autoscaling/v2`` HorizontalPodAutoscaler ``name`` targeting the Deployment, CPU utilization ``target_cpu``.
    - ``policy/v1`` PodDisruptionBudget ``name`` with ``minAvailable: 1`` and the same selector.
    """
    name, model, port = p["name"], p["model_name"], int(p["rest_port"])
    labels = {"app": name}
    probe = {"httpGet": {"path": f"/v1/models/{model}", "port": port}, "periodSeconds": 10}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "replicas": str(p["replicas"]),
            "selector": {"matchLabels": dict(labels)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": {**labels, "model": model}},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 1000, "runAsGroup": 1000},
                    "containers": [{
                        "name": "server", "image": p["image"],
                        "args": [f"--rest_api_port={port}", f"--model_name={model}",
                                 f"--model_base_path=/models/{model}", "--enable_batching=true",
                                 "--batching_parameters_file=/config/batching.config"],
                        "ports": [{"containerPort": port, "name": "http"}],
                        "readinessProbe": {**probe, "initialDelaySeconds": 5},
                        "livenessProbe": {**probe, "initialDelaySeconds": 15},
                        "resources": {
                            "requests": {"cpu": p["cpu_request"], "memory": p["memory_request"]},
                            "limits": {"cpu": p["cpu_limit"], "memory": p["memory_limit"]}},
                        "volumeMounts": [{"name": "config", "mountPath": "/config", "readOnly": True}],
                    }],
                    "volumes": [{"name": "config", "configMap": {"name": f"{name}-config"}}],
                },
            },
        },
    }
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": dict(labels)},
               "spec": {"type": "ClusterIP", "selector": dict(labels),
                        "ports": [{"name": "http", "port": port, "targetPort": "http"}]}}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-config"},
              "data": {"batching.config": "max_batch_size { value: 32 }\nbatch_timeout_micros { value: 2000 }\n"
                                          "num_batch_threads { value: 2 }\n"}}
    hpa = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                    "minReplicas": int(p["min_replicas"]), "maxReplicas": int(p["max_replicas"]),
                    "metrics": [{"type": "Resource", "resource": {
                        "name": "cpu", "target": {"type": "Utilization",
                                                  "averageUtilization": int(p["target_cpu"])}}}]}}
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
           "spec": {"minAvailable": 1, "selector": {"matchLabels": dict(labels)}}}
    return [deployment, service, config, hpa, pdb]


def dump_yaml(objs: list) -> str:
    """A multi-document YAML string (``---`` between documents) that ``yaml.safe_load_all`` reads back to ``objs``."""
    return yaml.safe_dump_all(objs, sort_keys=False)
