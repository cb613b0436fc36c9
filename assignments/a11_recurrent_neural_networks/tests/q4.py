from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_teacher_forcing_and_model_shape", points=1, hidden=False)
def test_teacher_forcing_and_model_shape(teacher_forcing_batch, build_seq2seq, greedy_decode):
    import numpy as np

    dec_in, target = teacher_forcing_batch(np.array([[3, 4, 5]], np.int32))
    assert np.asarray(dec_in).tolist() == [[1, 5, 4, 3]]
    assert np.asarray(target).tolist() == [[5, 4, 3, 2]]
    model = build_seq2seq(8, 4, 6)
    logits = model([np.array([[3, 4, 5]]), np.asarray(dec_in)])
    assert tuple(logits.shape) == (1, 4, 8)
    decoded = np.asarray(greedy_decode(model, np.array([[3, 4, 5], [6, 7, 3]], np.int32), 5))
    assert decoded.shape == (2, 5) and decoded.dtype == np.int32


@test_case(name="test_beam_search_on_a_table", points=1, hidden=False)
def test_beam_search_on_a_table(beam_search):
    import numpy as np
    import tensorflow as tf

    # After START, token 3 looks best (0.6) but leads nowhere good; token 4 (0.4) then END (0.9) wins.
    table = np.log(np.array([[0.0, 0.0, 0.0, 0.6, 0.4], [0.0, 0.0, 0.0, 0.6, 0.4],
                             [0.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.3, 0.4, 0.3],
                             [0.0, 0.0, 0.9, 0.05, 0.05]]) + 1e-12)

    def step_fn(prefixes):
        return tf.gather(tf.constant(table, tf.float32), prefixes[:, -1])

    tokens, _ = beam_search(step_fn, 1, 2)
    assert np.asarray(tokens).tolist() == [3, 3], "beam_width=1 is greedy"
    tokens, score = beam_search(step_fn, 2, 2)
    assert np.asarray(tokens).tolist() == [4, 2]
    assert abs(score - np.log(0.4 * 0.9)) < 1e-4
