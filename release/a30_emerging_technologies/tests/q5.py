from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_neuron_models", points=1, hidden=False)
def test_neuron_models(hodgkin_huxley, spike_times, izhikevich, wilson_cowan_rhs):
    import numpy as np

    t, V = hodgkin_huxley(0.0, t_max_ms=5.0, dt=0.01)
    assert len(t) == 501 and abs(V[0] + 65.0) < 1e-12 and np.max(np.abs(V + 65.0)) < 0.01
    t, V = hodgkin_huxley(10.0, t_max_ms=10.0, dt=0.01)
    assert len(spike_times(V, t)) == 1
    assert np.allclose(spike_times(np.array([-1.0, 1.0]), np.array([0.0, 1.0])), [0.5])
    v, spikes = izhikevich(0.02, 0.2, -65.0, 8.0, np.full(400, 10.0))
    assert len(v) == 400 and len(spikes) >= 3 and np.all(v <= 30.0)
    p = dict(w_ee=16, w_ei=12, w_ie=15, w_ii=3, a_e=1.3, theta_e=4, a_i=2, theta_i=3.7, P=0, Q=0, tau_e=1, tau_i=2)
    assert np.asarray(wilson_cowan_rhs(np.array([0.0, 0.0]), p)).shape == (2,)
