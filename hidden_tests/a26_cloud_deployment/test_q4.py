"""Hidden tests for A26 Q4: Kubernetes manifests.

There is no cluster, so no server-side dry run: every object is validated in the judge with ``kubernetes-validate``
(strict: unknown fields and wrong types fail) against Kubernetes 1.30, then checked against policies that a schema
cannot express. The manifests are plain dicts, so nothing of the student's runs here.
"""

import re

import kubernetes_validate
import numpy as np
import pytest
import yaml

from graders import checks

pytestmark = pytest.mark.question("q4")

KINDS = ["Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler", "PodDisruptionBudget"]


def params(rng):
    cpu_req = int(rng.integers(1, 8)) * 100
    mem_req = int(rng.integers(2, 8)) * 128
    return {"name": f"srv-{int(rng.integers(100, 999))}", "image": f"registry.example/srv:1.{int(rng.integers(9))}.0",
            "model_name": f"digits{int(rng.integers(10, 99))}", "replicas": int(rng.integers(2, 5)),
            "min_replicas": 2, "max_replicas": int(rng.integers(5, 12)), "target_cpu": int(rng.integers(50, 90)),
            "cpu_request": f"{cpu_req}m", "cpu_limit": f"{cpu_req * 2}m", "memory_request": f"{mem_req}Mi",
            "memory_limit": f"{mem_req * 2}Mi", "rest_port": int(rng.integers(8000, 9000))}


def rendered(student, rng):
    p = params(rng)
    objs = student.call("render_manifests", p)
    assert isinstance(objs, list) and all(isinstance(o, dict) for o in objs), "return a list of dicts"
    checks.assert_value([o.get("kind") for o in objs], KINDS, name="the kinds, in order")
    return p, dict(zip(KINDS, objs, strict=True))


def quantity(value):
    units = {"m": 1e-3, "": 1, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match and match.group(2) in units, f"not a Kubernetes quantity: {value!r}"
    return float(match.group(1)) * units[match.group(2)]


@pytest.mark.points(3)
def test_every_object_passes_strict_schema_validation(student, rng):
    _p, objs = rendered(student, rng)
    for kind, obj in objs.items():
        try:
            kubernetes_validate.validate(obj, "1.30", strict=True)
        except kubernetes_validate.ValidationError as error:
            path = "/".join(str(x) for x in error.path)
            raise checks.CheckFailed(f"the {kind} is not valid for Kubernetes 1.30 (strict) at {path or '<root>'}: "
                                     f"{error.message}") from None
        except kubernetes_validate.SchemaNotFoundError as error:
            raise checks.CheckFailed(f"the {kind} has no schema in Kubernetes 1.30: {error}") from None


@pytest.mark.points(2)
def test_selectors_services_and_autoscaling_are_wired(student, rng):
    p, objs = rendered(student, rng)
    dep = objs["Deployment"]
    name = p["name"]
    assert all(o["metadata"].get("name", "").startswith(name) for o in objs.values()), "name objects after p['name']"
    selector = dep["spec"]["selector"]["matchLabels"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert selector and selector.items() <= labels.items(), "the Deployment's selector must match its pod labels"
    assert dep["spec"]["replicas"] == p["replicas"], "replicas from p"
    svc = objs["Service"]["spec"]
    assert svc.get("type", "ClusterIP") == "ClusterIP", "a ClusterIP Service"
    assert svc["selector"] and svc["selector"].items() <= labels.items(), "the Service must select the pods"
    container = dep["spec"]["template"]["spec"]["containers"][0]
    port_names = {q.get("name"): q["containerPort"] for q in container.get("ports", [])}
    assert svc["ports"][0]["port"] == p["rest_port"], "the Service port is rest_port"
    target = svc["ports"][0].get("targetPort")
    assert port_names.get(target, target) == p["rest_port"], "the Service's targetPort must reach the REST port"
    hpa = objs["HorizontalPodAutoscaler"]["spec"]
    checks.assert_value(hpa["scaleTargetRef"], {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                        name="the HPA's scaleTargetRef")
    checks.assert_value([hpa["minReplicas"], hpa["maxReplicas"]], [p["min_replicas"], p["max_replicas"]],
                        name="the HPA's min and max replicas")
    metric = hpa["metrics"][0]["resource"]
    checks.assert_value([metric["name"], metric["target"]], ["cpu", {"type": "Utilization",
                                                                   "averageUtilization": p["target_cpu"]}],
                        name="the HPA's CPU utilisation target")
    pdb = objs["PodDisruptionBudget"]["spec"]
    assert pdb.get("minAvailable") == 1 and pdb["selector"]["matchLabels"].items() <= labels.items(), (
        "the PDB keeps one pod available and selects the pods")


@pytest.mark.points(2)
def test_probes_resources_and_security(student, rng):
    p, objs = rendered(student, rng)
    pod = objs["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == p["image"], "the container runs p['image']"
    port_names = {q.get("name"): q["containerPort"] for q in container.get("ports", [])}
    for kind in ("readinessProbe", "livenessProbe"):
        get = container.get(kind, {}).get("httpGet")
        assert get, f"set an httpGet {kind}"
        assert get["path"] == f"/v1/models/{p['model_name']}", f"the {kind} should ask the model's status route"
        assert port_names.get(get["port"], get["port"]) == p["rest_port"], f"the {kind} must target the REST port"
    res = container["resources"]
    for key in ("cpu", "memory"):
        assert quantity(res["requests"][key]) <= quantity(res["limits"][key]), f"{key} request above its limit"
        checks.assert_value([res["requests"][key], res["limits"][key]],
                            [p[f"{key}_request"], p[f"{key}_limit"]], name=f"{key} request and limit")
    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    assert security.get("runAsNonRoot") is True, "run as non-root (runAsNonRoot: true)"
    assert security.get("runAsUser", 1) > 0, "runAsUser 0 is root"
    rolling = objs["Deployment"]["spec"].get("strategy", {}).get("rollingUpdate", {})
    assert rolling.get("maxUnavailable") in (0, "0%"), "a rollout must not remove a serving replica first"
    assert rolling.get("maxSurge", "25%") not in (0, "0%"), (
        "with maxUnavailable 0 the API server needs maxSurge above 0, or the rollout cannot start")
    for kind in ("readinessProbe", "livenessProbe"):
        timing = container[kind]
        assert timing.get("periodSeconds", 10) >= 1 and timing.get("initialDelaySeconds", 0) >= 0, (
            f"the {kind}'s periodSeconds must be >= 1 and initialDelaySeconds >= 0 (the API server refuses others)")


@pytest.mark.points(3)
def test_server_flags_and_config_files(student, rng):
    p, objs = rendered(student, rng)
    pod = objs["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    args = list(container.get("command", [])[1:]) + list(container.get("args", []))
    flags = dict(a.split("=", 1) for a in args if a.startswith("--") and "=" in a)
    checks.assert_value({k: flags.get(k) for k in ("--rest_api_port", "--model_name", "--model_base_path")},
                        {"--rest_api_port": str(p["rest_port"]), "--model_name": p["model_name"],
                         "--model_base_path": f"/models/{p['model_name']}"}, name="the server's flags")
    config = objs["ConfigMap"]
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    cm_volumes = [n for n, v in volumes.items() if v.get("configMap", {}).get("name") == config["metadata"]["name"]]
    assert cm_volumes, "mount the ConfigMap you declare (a volume referencing it by name)"
    referenced = [v["configMap"]["name"] for v in volumes.values() if "configMap" in v]
    assert all(n == config["metadata"]["name"] for n in referenced), "every referenced ConfigMap must be declared"
    mount = mounts.get(cm_volumes[0])
    assert mount and mount.get("readOnly") is True, "mount the config read-only"
    files = {f"{mount['mountPath'].rstrip('/')}/{key}" for key in config.get("data", {})}
    batching = flags.get("--batching_parameters_file")
    assert batching in files, "--batching_parameters_file must name a file of the mounted ConfigMap"
    assert flags.get("--enable_batching") == "true", "--batching_parameters_file is ignored without " \
                                                      "--enable_batching=true"
    text = config["data"][batching.rsplit("/", 1)[1]]
    assert re.search(r"max_batch_size\s*\{\s*value:\s*\d+\s*\}", text), "the batching file is a BatchingParameters " \
                                                                        "text proto (max_batch_size { value: N })"
    fields = dict(re.findall(r"(\w+)\s*\{\s*value:\s*(-?\d+)\s*\}", text))
    for field, least in (("max_batch_size", 1), ("num_batch_threads", 1), ("batch_timeout_micros", 0),
                         ("max_enqueued_batches", 1)):
        assert int(fields.get(field, least)) >= least, f"the batching file's {field} must be at least {least}"


@pytest.mark.points(1)
def test_dump_yaml_round_trips(student, rng):
    p = params(rng)
    objs = student.call("render_manifests", p)
    text = student.call("dump_yaml", objs)
    assert isinstance(text, str) and text.count("\n---") + text.startswith("---") >= len(objs) - 1, (
        "separate the documents with ---")
    checks.assert_value(list(yaml.safe_load_all(text)), objs, name="yaml.safe_load_all(dump_yaml(objs))")
    assert np.all([isinstance(o, dict) for o in yaml.safe_load_all(text)])
