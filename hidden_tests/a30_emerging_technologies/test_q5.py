"""Hidden tests for A30 Q5: Hodgkin-Huxley spike times against SciPy's solve_ivp and the trace against a NumPy RK4,
Izhikevich against a NumPy Euler loop, Wilson-Cowan fixed points against fsolve, and a gK fit on a hidden trace."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.optimize

from graders import checks

pytestmark = pytest.mark.question("q5")


def _hh_rhs(y, i_ext, g_k=36.0):
    V, m, h, n = y
    an = 0.01 * (V + 55) / (1 - math.exp(-(V + 55) / 10))
    bn = 0.125 * math.exp(-(V + 65) / 80)
    am = 0.1 * (V + 40) / (1 - math.exp(-(V + 40) / 10))
    bm = 4 * math.exp(-(V + 65) / 18)
    ah = 0.07 * math.exp(-(V + 65) / 20)
    bh = 1 / (1 + math.exp(-(V + 35) / 10))
    i_ion = 120 * m ** 3 * h * (V - 50) + g_k * n ** 4 * (V + 77) + 0.3 * (V + 54.387)
    return np.array([i_ext - i_ion, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n])


def _y0():
    V = -65.0
    am, bm = 0.1 * (V + 40) / (1 - math.exp(-(V + 40) / 10)), 4 * math.exp(-(V + 65) / 18)
    ah, bh = 0.07 * math.exp(-(V + 65) / 20), 1 / (1 + math.exp(-(V + 35) / 10))
    an, bn = 0.01 * (V + 55) / (1 - math.exp(-(V + 55) / 10)), 0.125 * math.exp(-(V + 65) / 80)
    return np.array([V, am / (am + bm), ah / (ah + bh), an / (an + bn)])


def _crossings(t, V, th=0.0):
    k = np.nonzero((V[:-1] < th) & (V[1:] >= th))[0]
    return t[k] + (th - V[k]) / (V[k + 1] - V[k]) * (t[k + 1] - t[k])


def _solve_ivp_spikes(i_ext, t_max):
    sol = scipy.integrate.solve_ivp(lambda t, y: _hh_rhs(y, i_ext), (0, t_max), _y0(), method="RK45", rtol=1e-9,
                                    atol=1e-9, dense_output=True)
    t = np.linspace(0, t_max, int(t_max / 0.001) + 1)
    return _crossings(t, sol.sol(t)[0])


@pytest.mark.points(3)
def test_hodgkin_huxley_against_solve_ivp(student, rng):
    i_ext = float(rng.uniform(8.0, 14.0))
    t, V = student.call("hodgkin_huxley", i_ext, 40.0, 0.01)
    t, V = np.asarray(t, np.float64), np.asarray(V, np.float64)
    assert t.shape == (4001,) and V.shape == (4001,), "40 ms at dt 0.01 gives 4001 samples including t = 0"
    got = _crossings(t, V)
    want = _solve_ivp_spikes(i_ext, 40.0)
    assert len(got) == len(want), "the number of spikes differs from solve_ivp's"
    checks.assert_tensor(got, want, expect="any", atol=0.1, rtol=0, name="spike times (ms) vs solve_ivp")
    checks.assert_tensor(student.call("spike_times", V, t), got, expect="any", atol=1e-9, name="spike_times")
    checks.assert_tensor(student.call("spike_times", V, t, -30.0), _crossings(t, V, -30.0), expect="any", atol=1e-11,
                         rtol=0, name="spike_times(threshold=-30) (float64 interpolation)")
    t0, V0 = student.call("hodgkin_huxley", 0.0, 20.0, 0.02)
    assert np.max(np.abs(np.asarray(V0) + 65.0)) < 0.05, "without input the neuron must stay at rest"


@pytest.mark.points(2)
def test_hodgkin_huxley_is_rk4(student, rng):
    i_ext, dt, g_k = float(rng.uniform(5, 15)), 0.05, float(rng.uniform(30, 40))
    y = _y0()
    want = [y[0]]
    for _ in range(200):
        k1 = _hh_rhs(y, i_ext, g_k)
        k2 = _hh_rhs(y + dt / 2 * k1, i_ext, g_k)
        k3 = _hh_rhs(y + dt / 2 * k2, i_ext, g_k)
        k4 = _hh_rhs(y + dt * k3, i_ext, g_k)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        want.append(y[0])
    _, V = student.call("hodgkin_huxley", i_ext, 10.0, dt, g_k)
    checks.assert_tensor(V, np.array(want), expect="any", atol=1e-6, rtol=1e-8, name="V with RK4 at dt=0.05")


def _izh(a, b, c, d, cur, dt):
    v, u = -65.0, b * -65.0
    trace, spikes = [], []
    for k, i_k in enumerate(cur):
        v, u = v + dt * (0.04 * v * v + 5 * v + 140 - u + i_k), u + dt * a * (b * v - u)
        if v >= 30:
            spikes.append(k)
            trace.append(30.0)
            v, u = c, u + d
        else:
            trace.append(v)
    return np.array(trace), np.array(spikes)


@pytest.mark.points(2)
def test_izhikevich_exact(student, rng):
    for a, b, c, d in ((0.02, 0.2, -65, 8), (0.02, 0.2, -50, 2), (0.1, 0.2, -65, 2)):
        cur = rng.uniform(0, 15, size=800)
        v, sp = student.call("izhikevich", a, b, c, d, cur, 0.25)
        want_v, want_sp = _izh(a, b, c, d, cur, 0.25)
        checks.assert_tensor(np.asarray(sp).astype(np.int64), want_sp.astype(np.int64), expect="any", atol=0,
                             name=f"spike indices (a={a}, c={c}, d={d})")
        checks.assert_tensor(v, want_v, expect="any", atol=1e-9, rtol=1e-12, name="v trace")


def _wc(s, p):
    e, i = s

    def sig(x, a, th):
        return 1 / (1 + np.exp(-a * (x - th)))

    return np.array([(-e + sig(p["w_ee"] * e - p["w_ei"] * i + p["P"], p["a_e"], p["theta_e"])) / p["tau_e"],
                     (-i + sig(p["w_ie"] * e - p["w_ii"] * i + p["Q"], p["a_i"], p["theta_i"])) / p["tau_i"]])


def _wc_points(p):
    found = []
    for e in np.linspace(0, 1, 15):
        for i in np.linspace(0, 1, 15):
            s, _, ok, _ = scipy.optimize.fsolve(lambda x: _wc(x, p), [e, i], full_output=True, xtol=1e-13)
            if ok == 1 and np.abs(_wc(s, p)).max() < 1e-9 and not any(np.abs(s - f).max() < 1e-6 for f in found):
                found.append(s)
    out = []
    for s in sorted(found, key=lambda x: x[0]):
        J = np.column_stack([(_wc(s + h, p) - _wc(s - h, p)) / 2e-7 for h in np.eye(2) * 1e-7])
        out.append((s, bool(np.all(np.linalg.eigvals(J).real < 0))))
    return out


@pytest.mark.points(2)
def test_wilson_cowan_fixed_points(student, rng):
    base = dict(w_ee=16.0, w_ie=15.0, w_ii=3.0, a_e=1.3, theta_e=4.0, a_i=2.0, theta_i=3.7, Q=0.0, tau_e=1.0,
                tau_i=2.0)
    state = rng.uniform(0, 1, size=2)
    checks.assert_tensor(student.call("wilson_cowan_rhs", state, dict(base, w_ei=12.0, P=1.0)),
                         _wc(state, dict(base, w_ei=12.0, P=1.0)), expect="any", atol=1e-12, name="wilson_cowan_rhs")
    for w_ei, P in ((2.0, 0.0), (4.0, 0.0), (12.0, 1.0)):
        p = dict(base, w_ei=w_ei, P=P)
        want = _wc_points(p)
        got = student.call("wilson_cowan_fixed_points", p)
        assert len(got) == len(want), f"w_ei={w_ei}, P={P}: wrong number of fixed points"
        for g, (s, stable) in zip(got, want, strict=True):
            assert abs(g["E"] - s[0]) < 1e-5 and abs(g["I"] - s[1]) < 1e-5, "a fixed point is off (sorted by E)"
            assert bool(g["stable"]) == stable, f"w_ei={w_ei}, P={P}: wrong stability at a fixed point"


def _rk4_trace(i_ext, t_max, dt, g_k):
    y = _y0()
    out = [y[0]]
    for _ in range(int(round(t_max / dt))):
        k1 = _hh_rhs(y, i_ext, g_k)
        k2 = _hh_rhs(y + dt / 2 * k1, i_ext, g_k)
        k3 = _hh_rhs(y + dt / 2 * k2, i_ext, g_k)
        k4 = _hh_rhs(y + dt * k3, i_ext, g_k)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y[0])
    return np.array(out)


@pytest.mark.points(2)
def test_fit_gk_recovers_hidden_conductance(student, rng):
    g_true = float(rng.uniform(28.0, 44.0))
    target = _rk4_trace(10.0, 20.0, 0.025, g_true) + rng.normal(0, 0.5, size=801)
    got = float(student.call("fit_gk", target, 10.0, 20.0, 0.025))
    assert abs(got - g_true) / g_true < 0.02, "fit_gk does not recover gK within 2%"
