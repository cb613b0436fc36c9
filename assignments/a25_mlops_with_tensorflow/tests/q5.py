from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_suite_is_pytest_source", points=1, hidden=False)
def test_suite_is_pytest_source(churnkit_test_suite):
    import ast

    source = churnkit_test_suite()
    assert isinstance(source, str), "churnkit_test_suite must return the source text of a pytest module"
    tree = ast.parse(source)
    tests = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert len(tests) >= 5, "write at least five test functions"
    namespace = {}
    exec(compile(tree, "test_churnkit.py", "exec"), namespace)
    for name in tests:
        if not getattr(namespace[name], "pytestmark", None):
            namespace[name]()  # every plain test passes on the package as shipped
