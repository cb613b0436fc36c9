import ast
import json
import re

import pytest

from graders import authoring, cli, mutants
from tests.conftest import make_course, requires_bwrap

REGION = re.compile(r"(### BEGIN SOLUTION\n.*?### END SOLUTION)", re.DOTALL)

# A section with one of everything the operators look for, and code outside the markers that must never change.
SECTION = '''\
def kitchen_sink(a, b, model, x, flag=True, keepdims=False):
    """Outside the region: 1 + 2 < 3 and tf.reduce_sum(a) must stay as they are."""
    limit = 1 + 2
    ### BEGIN SOLUTION
    total = tf.reduce_sum(a * b, axis=-1, keepdims=keepdims)
    if total.shape.rank < 2 and not flag:
        total += 1.5
    y = model(x, training=True)
    c = tf.matmul(a, b, transpose_b=True)
    z = tf.where(a > 0, a, b)
    assert limit is not None
    return total - tf.reduce_max(c, axis=0) + y + z
    ### END SOLUTION
'''


def outside(text: str) -> list[str]:
    """The text around the solution regions, which mutants must keep byte-identical."""
    return REGION.split(text)[0::2]


@pytest.fixture(scope="module")
def mini_mutants(mini):
    sections = authoring.reference_sections(mini)
    module = mini.reference_module.read_text()
    return {q: mutants.generate(sections[q], q, module=module) for q in ("q1", "q2")}, sections, module


def test_every_mini_mutant_compiles_differs_and_stays_in_its_region(mini_mutants):
    found, sections, _ = mini_mutants
    for qid, ms in found.items():
        assert len(ms) >= 5, qid
        original = ast.unparse(ast.parse(sections[qid]))
        normalized = [ast.unparse(ast.parse(m.source)) for m in ms]
        assert original not in normalized
        assert len(set(normalized)) == len(normalized), "two mutants are the same code"
        for mutant in ms:
            compile(mutant.source, "<mutant>", "exec")
            assert outside(mutant.source) == outside(sections[qid]), mutant.diff
            assert mutant.question == qid


def test_diffs_name_lines_of_the_reference_module(mini_mutants):
    found, _, module = mini_mutants
    lines = module.split("\n")
    return_none = next(m for m in found["q1"] if m.operator == "return_none")
    assert lines[return_none.line - 1].strip().startswith("return k * tf.reduce_sum")
    assert return_none.diff.splitlines() == [
        f"@@ -{return_none.line} +{return_none.line} @@", f"-{lines[return_none.line - 1]}", "+    return None"]


def test_generation_is_deterministic(mini_mutants):
    found, sections, module = mini_mutants
    again = mutants.generate(sections["q1"], "q1", module=module)
    assert [m.source for m in again] == [m.source for m in found["q1"]]


def test_operators_make_the_expected_mutants():
    sources = {m.source for m in mutants.generate(SECTION, "q9")}
    region = REGION.search(SECTION).group(1)

    def made(old: str, new: str) -> bool:
        assert old in region, old
        return SECTION.replace(old, new, 1) in sources

    assert made("tf.reduce_sum(a * b", "tf.reduce_mean(a * b")           # call swap
    assert made("tf.reduce_sum(a * b", "tf.reduce_sum(a / b")            # arithmetic
    assert made("axis=-1, keepdims=keepdims", "axis=0, keepdims=keepdims")  # constant
    assert made("keepdims=keepdims)", "keepdims=not keepdims)")          # flag
    assert made(", keepdims=keepdims)", ")")                            # keyword removed
    assert made("rank < 2", "rank <= 2")                                 # comparison
    assert made("< 2 and not", "< 2 or not")                             # boolean
    assert made("and not flag", "and flag")                              # unary removed
    assert made("total += 1.5", "total -= 1.5")                          # augmented arithmetic
    assert made("training=True", "training=False")                       # training flip
    assert made("tf.matmul(a, b,", "tf.matmul(b, a,")                    # argument swap
    assert made("transpose_b=True", "transpose_b=False")                 # transpose flag
    assert made("tf.matmul(a, b, transpose_b=True)", "tf.matmul(a, b, transpose_b=True, transpose_a=True)")
    assert made("tf.where(a > 0, a, b)", "tf.where(a > 0, b, a)")        # where branches swapped
    assert made("is not None", "is None")
    assert made("    y = model(x, training=True)\n", "    pass\n")       # dropped statement
    assert made("return total - tf.reduce_max(c, axis=0) + y + z", "return None")
    assert made("tf.reduce_max(c, axis=0)", "tf.reduce_min(c, axis=0)")
    assert all(outside(s) == outside(SECTION) for s in sources)


def test_nothing_outside_the_markers_is_mutated():
    unmarked = re.sub(r"^ *### (BEGIN|END) SOLUTION\n", "", SECTION, flags=re.MULTILINE)
    assert "SOLUTION" not in unmarked and mutants.generate(unmarked, "q9") == []


def test_sampling_is_seeded_and_spreads_over_operators():
    every = mutants.generate(SECTION, "q9")
    first, again = mutants.sample(every, 10, seed=3), mutants.sample(every, 10, seed=3)
    assert [m.index for m in first] == [m.index for m in again]
    assert len(first) == 10 and len({m.operator for m in first}) >= 8
    assert [m.index for m in mutants.sample(every, 10, seed=4)] != [m.index for m in first]
    assert mutants.sample(every, None, seed=0) == every


def test_rounds_hold_one_mutant_per_question_and_keep_clashing_questions_apart():
    made = {q: [mutants.Mutant(q, i, "constant", 1, "", "") for i in range(n)] for q, n in
            (("q1", 3), ("q2", 2), ("q3", 1))}
    rounds = mutants.plan_rounds(made, {"q1": {"q3"}, "q3": {"q1"}, "q2": set()})
    assert sorted((m.question, m.index) for r in rounds for m in r) == sorted(
        (m.question, m.index) for ms in made.values() for m in ms)
    for batch in rounds:
        questions = [m.question for m in batch]
        assert len(questions) == len(set(questions))
        assert not {"q1", "q3"} <= set(questions)
    assert len(rounds) == 4


def test_conflicts_follow_names_across_questions(mini):
    sections = authoring.reference_sections(mini)
    assert mutants.conflicts(mini, {q: sections[q] for q in ("q1", "q2")}) == {"q1": set(), "q2": set()}
    uses_q1 = sections["q2"] + "\n\ndef total(x):\n    return scaled_sum(x, 1.0)\n"
    assert mutants.conflicts(mini, {"q1": sections["q1"], "q2": uses_q1}) == {"q1": {"q2"}, "q2": {"q1"}}
    begin = "    ### BEGIN SOLUTION\n"
    configures = sections["q1"].replace(begin, begin + "    tf.config.run_functions_eagerly(True)\n")
    assert mutants.conflicts(mini, {"q1": configures, "q2": sections["q2"]}) == {"q1": {"q2"}, "q2": {"q1"}}
    signature = "def scaled_sum(x, k):\n"
    outside_region = sections["q1"].replace(signature, signature + "    tf.config.list_physical_devices()\n")
    assert mutants.conflicts(mini, {"q1": outside_region, "q2": sections["q2"]}) == {"q1": set(), "q2": set()}


def test_report_shares_and_exit_codes():
    def report(*statuses):
        made = [mutants.Mutant("q1", i, "constant", 1, "", "", status=s) for i, s in enumerate(statuses)]
        return mutants.Report("a00_mini", 0, None, 0.9, {"q1": len(made)}, made)

    assert report(*["caught"] * 9, "survived").exit_code == 0
    bad = report(*["caught"] * 8, "survived", "survived")
    assert bad.exit_code == 1 and bad.questions()["q1"]["caught_share"] == 0.8
    assert "survived q1 #8" in bad.render()
    assert report("caught", "error").exit_code == 2
    assert report("caught").to_json()["questions"]["q1"] == {
        "generated": 1, "sampled": 1, "graded": 1, "caught": 1, "survived": 0, "errors": 0, "caught_share": 1.0,
        "ok": True}


@pytest.mark.slow
@requires_bwrap
def test_mutants_command_grades_every_mini_mutant(tmp_path, monkeypatch, capsys):
    course = make_course(tmp_path, 0)
    monkeypatch.setenv("TFGRADE_COURSE", str(course))
    out = tmp_path / "mutants.json"
    code = cli.main(["mutants", "a00_mini", "--max", "0", "--json", str(out)])
    data = json.loads(out.read_text())
    assert code == data["exit_code"] != 2
    assert data["baseline_failures"] is None
    for qid, q in data["questions"].items():
        own = [m for m in data["mutants"] if m["question"] == qid]
        assert q["sampled"] == q["generated"] == len(own) >= 5
        assert q["caught"] == sum(m["status"] == "caught" for m in own)
        assert q["survived"] == sum(m["status"] == "survived" for m in own)
        assert q["errors"] == 0 and q["caught"] + q["survived"] == q["graded"] == len(own)
        assert q["caught_share"] == round(q["caught"] / q["graded"], 4)
    assert code == (0 if all(q["caught_share"] >= 0.9 for q in data["questions"].values()) else 1)
    by_diff = {(m["question"], m["diff"].splitlines()[-1][1:].strip()): m for m in data["mutants"]}
    assert by_diff[("q1", "return None")]["status"] == "caught"
    assert by_diff[("q1", "return k + tf.reduce_sum(tf.convert_to_tensor(x, tf.float32), axis=-1)")][
        "status"] == "caught"
    assert by_diff[("q2", "return None")]["status"] == "caught"
    printed = capsys.readouterr().out
    assert f"q1  caught {data['questions']['q1']['caught']}/" in printed
    for mutant in data["mutants"]:
        if mutant["status"] == "survived":
            assert f"survived {mutant['question']} #{mutant['index']}" in printed
