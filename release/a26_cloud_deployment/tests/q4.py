from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_manifests", points=1, hidden=False)
def test_manifests(render_manifests, dump_yaml):
    import yaml

    p = dict(name="srv", image="registry.example/srv:1.0.0", model_name="digits", replicas=2, min_replicas=2,
             max_replicas=4, target_cpu=70, cpu_request="250m", cpu_limit="1", memory_request="256Mi",
             memory_limit="512Mi", rest_port=8501)
    objs = render_manifests(p)
    assert [o["kind"] for o in objs] == ["Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler",
                                         "PodDisruptionBudget"]
    assert list(yaml.safe_load_all(dump_yaml(objs))) == objs
    pod = objs[0]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["containers"][0]["readinessProbe"]["httpGet"]["path"] == "/v1/models/digits"
