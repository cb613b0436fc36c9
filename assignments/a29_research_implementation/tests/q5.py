from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_patch_is_produced", points=1, hidden=False)
def test_patch_is_produced(make_base_repo, make_contribution):
    repo = make_base_repo()
    patch = make_contribution(repo)
    assert isinstance(patch, str) and patch.startswith("From "), "return `git format-patch -1 --stdout` output"
    assert "Signed-off-by:" in patch, "sign off the commit (git commit -s)"
    assert "minitfkit/encodings.py" in patch
