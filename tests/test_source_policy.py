"""The source policy: tampering tools and forbidden routines found in the submitted cells, never by running them."""

import pytest

from graders import authoring, source_policy
from graders.course import assignment_ids, load_assignment
from graders.judge.remote import Cell

SETUP = Cell(0, "import sys\nimport numpy as np\nimport tensorflow as tf\n", None)


def _tampering(source: str, question: str = "q3") -> list[str]:
    return [hit.what for hit in source_policy.tampering([SETUP, Cell(4, source, question)], [SETUP])]


@pytest.mark.parametrize("source", [
    "sys.setprofile(None)",
    "import sys as s\nalias = s\nalias.settrace(None)",
    "getattr(sys, 'setprofile')(None)",
    "f = len\ngetattr(f, '__co' + 'de__')",
    "name = ''.join(chr(c) for c in (95, 95))\nsetattr(sys, name, None)",
    "code = tf.matmul.__code__",
    "from sys import modules as loaded",
    "sys.modules['tfgrade_probes'].traced_ops = lambda *a: {}",
    "import types\nclone = types.FunctionType(len, {})",
    "import gc\nfor obj in gc.get_objects():\n    pass",
    "import ctypes",
    "import importlib\nimportlib.import_module('sys')",
    "eval('1 + 1')",
    "exec('x = 1')",
    "__import__('sys')",
    "frame = sys._getframe(1).f_back",
    "import inspect\nraw = inspect.unwrap(tf.nn.softmax)",
    "import threading\nthreading.setprofile(None)",
    "from operator import attrgetter\nattrgetter('__code__')(len)",
    "vars(sys)['modules']",
    "__builtins__['len'] = None",
    "def f():\n    return sys.settrace(None)",  # inside a function body still counts: it can run later
    "name = 'modules'\ngetattr(sys, name)",
    "getattr(tf, f'__buil{suffix}')",
    "getattr(sys, 'set' + 'profile')",
    "globals()['__builtins__']",
    "globals()[key]",
    "ns = globals()",
    "'x' in vars(sys)",
])
def test_a_tampering_tool_is_found_with_its_line(source):
    hits = source_policy.tampering([SETUP, Cell(4, source, "q3")], [SETUP])
    assert hits, source
    assert all(hit.cell == 5 and 1 <= hit.line <= source.count("\n") + 1 for hit in hits)
    assert "cell 5, line" in hits[0].message()


@pytest.mark.parametrize("source", [
    "import gc\ngc.collect()",
    "model.compile(optimizer='adam', loss='mse')",
    "layer = getattr(tf.keras.layers, 'Dense')(4)",
    "print(sys.version)\nsys.path.append('/tmp')",
    "x = np.asarray([1, 2])\ntotal = sum(len(str(v)) for v in x)",
    "class Block(tf.keras.layers.Layer):\n    def __init__(self):\n        super().__init__()\n",
    "%timeit tf.constant(1)\n!ls",
    "if 'model' not in globals():\n    model = None",
    "weights = globals()['trained_weights']",
    "class Stack(tf.keras.Model):\n    def call(self, x):\n        for i in range(3):\n"
    "            x = getattr(self, f'dense_{i}')(x)\n        return x\n",
    "setattr(self, 'block_' + str(i), layer)",
    "if hasattr(model, name):\n    pass",
    "self.modules = []",
])
def test_ordinary_code_is_not_tampering(source):
    assert _tampering(source) == []


def test_the_course_cells_and_what_the_reference_of_the_same_question_uses_are_allowed():
    reference = [SETUP,
                 Cell(1, "import importlib\n\ndef report():\n    return importlib.import_module('numpy')\n", "q1")]
    student_q1 = Cell(1, "import importlib\n\ndef report():\n    return importlib.import_module('tensorflow')\n", "q1")
    student_q2 = Cell(2, "import importlib\nimportlib.reload(np)\n", "q2")
    hits = source_policy.tampering([SETUP, student_q1, student_q2], reference)
    assert {hit.cell for hit in hits} == {3}  # q1's cell may, q2's may not; the setup cell is the course's


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_no_reference_solution_edited_by_a_student_is_flagged(assignment_id):
    reference = authoring.reference_cells(load_assignment(assignment_id))
    edited = [Cell(c.index, c.source + "\n# my own copy\n", c.question) for c in reference]
    assert source_policy.tampering(edited, reference) == []


def test_a_forbidden_routine_is_found_in_what_the_function_reaches_only():
    source = (
        "from tensorflow.linalg import matmul as mm\n"
        "\n"
        "def helper(a, b):\n"
        "    return mm(a, b)\n"
        "\n"
        "def other(a, b):\n"
        "    return tf.matmul(a, b)\n"
        "\n"
        "def product(a, b):\n"
        "    return helper(a, b) * 2\n")
    cells = [SETUP, Cell(3, source, "q2")]
    found = source_policy.forbidden_uses(cells, "product", ["tf.linalg.matmul"], [SETUP])
    assert [(hit.line, hit.what) for hit in found] == [(4, "mm")]
    assert [hit.line for hit in source_policy.forbidden_uses(cells, "other", ["tf.linalg.matmul"], [SETUP])] == [7]
    thread = Cell(3, "import threading\n\ndef product(a, b):\n    out = {}\n    threading.Thread(target=lambda: "
                     "out.update(v=tf.linalg.matmul(a, b))).start()\n    return out['v']\n", "q2")
    assert source_policy.forbidden_uses([SETUP, thread], "product", ["tf.linalg.matmul"], [SETUP])


def test_a_forbidden_method_matches_any_use_of_its_class_and_what_the_reference_does_is_allowed():
    student = Cell(3, "def migrate(path):\n    saver = tf.compat.v1.train.Saver()\n    return saver\n", "q3")
    assert source_policy.forbidden_uses([SETUP, student], "probes.migrate", ["tf.compat.v1.train.Saver.restore"],
                                        [SETUP], "q3")
    assert not source_policy.forbidden_uses([SETUP, student], "probes.migrate", ["tf.compat.v1.train.Saver.restore"],
                                            [SETUP], "q2")  # the entry is a probe: only the check's question is read
    reference = [SETUP, Cell(3, "def migrate(path):\n    return tf.compat.v1.train.Saver\n", "q3")]
    assert not source_policy.forbidden_uses([SETUP, student], "migrate", ["tf.compat.v1.train.Saver.restore"],
                                            reference, "q3")
