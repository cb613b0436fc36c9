from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_dockerfile_text", points=1, hidden=False)
def test_dockerfile_text(dockerfile, entrypoint_sh, dockerignore, image_tag):
    text = dockerfile()
    froms = [line for line in text.splitlines() if line.upper().startswith("FROM ")]
    assert len(froms) >= 2, "use a multi-stage build"
    assert all(":" in line.split()[1] and ":latest" not in line for line in froms), "pin the base images"
    assert 'ENTRYPOINT ["' in text, "exec-form ENTRYPOINT"
    assert "exec " in entrypoint_sh(), "the entrypoint should exec the server"
    assert ".git" in dockerignore().split()
    assert image_tag("reg.io/p", "Digits", "1.4.0", "0123456789abcdef") == "reg.io/p/digits:1.4.0-0123456"
