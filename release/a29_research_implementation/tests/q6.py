from otter.test_files import test_case

OK_FORMAT = False

name = "q6"
points = None


@test_case(name="test_table_and_citations", points=1, hidden=False)
def test_table_and_citations(latex_table, check_citations):
    tex = latex_table({"base": {"d": [0.5, 0.6, 0.7]}, "new": {"d": [0.6, 0.75, 0.75]}}, "base")
    assert "\\toprule" in tex and "$\\mathbf{0.70 \\pm 0.09}$" in tex
    bib = "@article{k1,\n  title = {T}\n}\n"
    assert check_citations("\\cite{k1,k2}", bib) == {"missing": ["k2"], "unused": []}
