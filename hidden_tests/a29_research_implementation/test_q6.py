"""Hidden tests for A29 Q6: a LaTeX results table, BibTeX read back with bibtexparser, citations and anonymity."""

import re

import bibtexparser
import numpy as np
import pytest
import scipy.stats
from statsmodels.stats.multitest import multipletests

from graders import checks

pytestmark = pytest.mark.question("q6")

CELL = re.compile(r"^\$(\\mathbf\{)?(-?\d+\.\d+) \\pm (\d+\.\d+)(\})?(\^\{\\dagger\})?\$$")


def _results(rng):
    seeds = 6
    base = {d: rng.normal(m, 0.01, size=seeds) for d, m in [("CIFAR", 0.7), ("SVHN", 0.8), ("Tiny", 0.5)]}
    results = {"baseline": {d: v.tolist() for d, v in base.items()}}
    results["ours"] = {d: (v + rng.normal(0.03, 0.005, size=seeds)).tolist() for d, v in base.items()}
    # ours-small: no difference on two datasets, and on CIFAR a raw p near 0.03 that Holm's correction rejects
    pattern = np.array([0.01, -0.01, 0.005, -0.005, 0.008, -0.008])
    shift = {"CIFAR": 3.0 * pattern.std(ddof=1) / np.sqrt(seeds), "SVHN": 0.0, "Tiny": 0.0}
    results["ours-small"] = {d: (v + pattern + shift[d]).tolist() for d, v in base.items()}
    results["ablated"] = {d: (v - rng.normal(0.02, 0.004, size=seeds)).tolist() for d, v in base.items()}
    results["ours"]["Tiny"] = (np.asarray(results["ours-small"]["Tiny"])).tolist()     # a tie in one column
    return results


def _parse(tex, n_cols):
    lines = [ln.strip() for ln in tex.strip().splitlines() if ln.strip()]
    assert lines[0] == "\\begin{tabular}{l" + "c" * n_cols + "}", "the first line must open the tabular"
    assert lines[1] == "\\toprule" and lines[3] == "\\midrule", "booktabs rules: \\toprule, header, \\midrule"
    assert lines[-2] == "\\bottomrule" and lines[-1] == "\\end{tabular}", "close with \\bottomrule and \\end{tabular}"
    header = [c.strip() for c in lines[2].removesuffix("\\\\").split("&")]
    rows = {}
    for line in lines[4:-2]:
        assert line.endswith("\\\\"), "every row must end with \\\\"
        cells = [c.strip() for c in line.removesuffix("\\\\").split("&")]
        parsed = []
        for cell in cells[1:]:
            m = CELL.match(cell)
            assert m, f"cannot read the cell {cell!r}: write $m \\pm s$, $\\mathbf{{m \\pm s}}$, with ^{{\\dagger}}"
            assert bool(m.group(1)) == bool(m.group(4)), "unbalanced \\mathbf{...}"
            parsed.append({"mean": m.group(2), "sd": m.group(3), "bold": bool(m.group(1)), "dagger": bool(m.group(5))})
        rows[cells[0]] = parsed
    return header, rows


@pytest.mark.points(4)
def test_latex_table_numbers_bold_and_daggers(student, rng):
    results = _results(rng)
    datasets = list(results["baseline"])
    tex = student.call("latex_table", results, "baseline", decimals=3)
    assert isinstance(tex, str), "latex_table must return a string"
    header, rows = _parse(tex, len(datasets))
    assert header == ["Method"] + datasets, "the header must be Method then the datasets"
    assert list(rows) == list(results), "one row per method, in the given order"
    tests = [(m, d) for m in results if m != "baseline" for d in datasets]
    pvals = [scipy.stats.ttest_rel(results[m][d], results["baseline"][d]).pvalue for m, d in tests]
    dagger = dict(zip(tests, multipletests(pvals, alpha=0.05, method="holm")[0], strict=True))
    for j, d in enumerate(datasets):
        means = {m: f"{np.mean(results[m][d]):.3f}" for m in results}
        best = max(float(v) for v in means.values())
        for m in results:
            cell = rows[m][j]
            assert cell["mean"] == means[m], f"the mean of {m} on {d} is wrong at the displayed precision"
            assert cell["sd"] == f"{np.std(results[m][d], ddof=1):.3f}", f"the sd of {m} on {d} is wrong (ddof=1)"
            assert cell["bold"] == (float(means[m]) == best), f"bold marks in column {d} are wrong"
            assert cell["dagger"] == bool(dagger.get((m, d), False)), (
                f"the dagger of {m} on {d} is wrong (paired t-test vs the baseline, Holm over all cells)")


def _entries(rng):
    year = int(rng.integers(2015, 2025))
    return [
        {"key": "lin2017focal", "type": "inproceedings", "title": "Focal Loss for Dense Object Detection",
         "authors": ["Tsung-Yi Lin", "Priya Goyal", "Ross Girshick"], "year": 2017, "venue": "ICCV"},
        {"key": f"doe{year}", "type": "article", "title": "R&D of 5% Faster TF_Ops on $1 Hardware",
         "authors": ["Jane Doe", "John Q. Public"], "year": year, "venue": "Journal of ML & Systems"},
        {"key": "smith2020", "type": "inproceedings", "title": "BERT #2: Pre-training Revisited",
         "authors": ["A. Smith"], "year": 2020, "venue": "NeurIPS"},
    ]


@pytest.mark.points(3)
def test_bibtex_reads_back_with_bibtexparser(student, rng):
    entries = _entries(rng)
    bib = student.call("make_bibtex", entries)
    assert isinstance(bib, str), "make_bibtex must return a string"
    db = bibtexparser.loads(bib)
    got = {e["ID"]: e for e in db.entries}
    assert list(got) == [e["key"] for e in entries], "bibtexparser reads other keys (or another order) than given"
    for e in entries:
        parsed = got[e["key"]]
        assert parsed["ENTRYTYPE"] == e["type"], f"{e['key']}: wrong entry type"
        assert parsed["author"] == " and ".join(e["authors"]), f"{e['key']}: authors must be joined with ' and '"
        assert parsed["year"] == str(e["year"]), f"{e['key']}: wrong year"
        escaped = re.sub(r"([&%$#_])", r"\\\1", e["title"])
        assert parsed["title"] == "{" + escaped + "}", (
            f"{e['key']}: the title must be protected with an extra pair of braces and special characters escaped")
        field = "journal" if e["type"] == "article" else "booktitle"
        assert parsed.get(field) == re.sub(r"([&%$#_])", r"\\\1", e["venue"]), f"{e['key']}: wrong or missing {field}"


@pytest.mark.points(2)
def test_check_citations(student, rng):
    bib = "\n".join(f"@article{{{k},\n  title = {{T}},\n  year = {{2020}}\n}}\n" for k in ["a1", "b2", "c3", "d4"])
    extra = f"x{int(rng.integers(10, 99))}"
    tex = (f"As shown by \\citet{{a1}} and others \\citep[see][p.~4]{{b2, {extra}}}, see also \\cite{{a1,c3}}. "
           "Email cite{d4} is not a citation.")
    got = student.call("check_citations", tex, bib)
    checks.assert_value(got, {"missing": [extra], "unused": ["d4"]}, name="check_citations")


@pytest.mark.points(3)
def test_anonymity_issues(student, reference, rng):
    code = int(rng.integers(100, 999))
    text = (f"We extend our previous work on focal losses (Girshick, 2015). "
            f"Code: https://github.com/rgirshick/fl{code}. "
            f"Contact ross.girshick{code}@fair.example.com or see www.example.org/fl. Our Prior Work showed gains; "
            "Lin et al. report 39.1 AP. Linear probes are not names. Girshickian is not a name either.")
    authors = ["Ross Girshick", "Tsung-Yi Lin"]
    got = student.call("anonymity_issues", text, authors)
    want = reference.call("anonymity_issues", text, authors)
    got = sorted([list(p) for p in got]) if isinstance(got, list) else got
    checks.assert_value(got, want, name="anonymity_issues")
    clean = "We propose a method. Code will be released after review."
    assert student.call("anonymity_issues", clean, authors) == [], "a clean abstract must report nothing"
