from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_span_metrics_and_retrieval", points=1, hidden=False)
def test_span_metrics_and_retrieval(best_span, squad_em_f1, tfidf_retrieve):
    s, e, _ = best_span([0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 0.0, 9.0], 2)
    assert (s, e) == (2, 3), "the span must be at most 2 tokens long"
    assert squad_em_f1("The Kitchen!", ["kitchen"]) == (1.0, 1.0)
    passages = ["mary went to the kitchen", "john went to the garden", "the cat sat"]
    assert tfidf_retrieve("where did john go", passages, 1) == [1]
