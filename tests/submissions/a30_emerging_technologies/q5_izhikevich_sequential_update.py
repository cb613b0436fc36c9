# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, cirq, ... come from the reference setup cell)
# Izhikevich: u is updated with the new v (sequential, not simultaneous).
# %% [q5]
def hodgkin_huxley(i_ext: float, t_max_ms: float = 50.0, dt: float = 0.01, g_k: float = 36.0):
    """The Hodgkin-Huxley squid axon model integrated with classical fourth-order Runge-Kutta.

    C = 1 uF/cm2, gNa = 120, gK = ``g_k``, gL = 0.3 mS/cm2, ENa = 50, EK = -77, EL = -54.387 mV; V0 = -65 mV and
    m, h, n at their steady states ``alpha / (alpha + beta)`` at V0. Rates (V in mV, per ms):
    ``a_n = 0.01 (V + 55) / (1 - exp(-(V + 55) / 10))``, ``b_n = 0.125 exp(-(V + 65) / 80)``,
    ``a_m = 0.1 (V + 40) / (1 - exp(-(V + 40) / 10))``, ``b_m = 4 exp(-(V + 65) / 18)``,
    ``a_h = 0.07 exp(-(V + 65) / 20)``, ``b_h = 1 / (1 + exp(-(V + 35) / 10))``. State order (V, m, h, n).

    Returns:
        ``(t, V)``: ``round(t_max_ms / dt) + 1`` times from 0 and the membrane potential there (float64).
    """
    def rates(V):
        an = 0.01 * (V + 55) / (1 - math.exp(-(V + 55) / 10))
        bn = 0.125 * math.exp(-(V + 65) / 80)
        am = 0.1 * (V + 40) / (1 - math.exp(-(V + 40) / 10))
        bm = 4 * math.exp(-(V + 65) / 18)
        ah = 0.07 * math.exp(-(V + 65) / 20)
        bh = 1 / (1 + math.exp(-(V + 35) / 10))
        return am, bm, ah, bh, an, bn

    def f(y):
        V, m, h, n = y
        am, bm, ah, bh, an, bn = rates(V)
        i_ion = 120 * m ** 3 * h * (V - 50) + g_k * n ** 4 * (V + 77) + 0.3 * (V + 54.387)
        return np.array([i_ext - i_ion, am * (1 - m) - bm * m, ah * (1 - h) - bh * h, an * (1 - n) - bn * n])

    am, bm, ah, bh, an, bn = rates(-65.0)
    y = np.array([-65.0, am / (am + bm), ah / (ah + bh), an / (an + bn)])
    steps = int(round(t_max_ms / dt))
    V = np.empty(steps + 1)
    V[0] = y[0]
    for k in range(steps):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        V[k + 1] = y[0]
    return np.arange(steps + 1) * dt, V


def spike_times(V, t, threshold: float = 0.0) -> np.ndarray:
    """Times of upward crossings of ``threshold`` (``V[k] < threshold <= V[k+1]``), linearly interpolated."""
    V = np.asarray(V, np.float64)
    t = np.asarray(t, np.float64)
    k = np.nonzero((V[:-1] < threshold) & (V[1:] >= threshold))[0]
    return t[k] + (threshold - V[k]) / (V[k + 1] - V[k]) * (t[k + 1] - t[k])


def izhikevich(a: float, b: float, c: float, d: float, i_ext, dt: float = 0.25):
    """Izhikevich (2003) neuron with forward Euler, one step per entry of ``i_ext``; v0 = -65, u0 = b * v0.

    Each step (both updates use the old v and u): ``v' = v + dt (0.04 v^2 + 5 v + 140 - u + I)``,
    ``u' = u + dt a (b v - u)``; if ``v' >= 30``: record the step's index as a spike, store 30 in the trace, then
    ``v' = c``, ``u' = u' + d``.

    Returns:
        ``(v trace (len(i_ext),), spike step indices)``.
    """
    i_ext = np.asarray(i_ext, np.float64)
    v, u = -65.0, b * -65.0
    trace = np.empty(len(i_ext))
    spikes = []
    for k, current in enumerate(i_ext):
        v = v + dt * (0.04 * v * v + 5 * v + 140 - u + current)
        u = u + dt * a * (b * v - u)
        if v >= 30:
            spikes.append(k)
            trace[k] = 30.0
            v, u = c, u + d
        else:
            trace[k] = v
    return trace, np.array(spikes, dtype=np.int64)


def _wc_sigmoid(x, a, theta):
    return 1.0 / (1.0 + np.exp(-a * (x - theta)))


def wilson_cowan_rhs(state, params: dict) -> np.ndarray:
    """Wilson-Cowan rates ``(dE/dt, dI/dt)`` at ``state = (E, I)``.

    ``tau_e dE/dt = -E + S_e(w_ee E - w_ei I + P)``, ``tau_i dI/dt = -I + S_i(w_ie E - w_ii I + Q)``, with
    ``S_x(u) = 1 / (1 + exp(-a_x (u - theta_x)))``. ``params`` holds those names.
    """
    exc, inh = state
    p = params
    d_exc = (-exc + _wc_sigmoid(p["w_ee"] * exc - p["w_ei"] * inh + p["P"], p["a_e"], p["theta_e"])) / p["tau_e"]
    d_inh = (-inh + _wc_sigmoid(p["w_ie"] * exc - p["w_ii"] * inh + p["Q"], p["a_i"], p["theta_i"])) / p["tau_i"]
    return np.array([d_exc, d_inh])


def wilson_cowan_fixed_points(params: dict) -> list:
    """All fixed points of ``wilson_cowan_rhs`` in [0, 1]^2 with their stability.

    Returns:
        A list of ``{"E": float, "I": float, "stable": bool}`` sorted by E; stable when every eigenvalue of the
        Jacobian there has a negative real part.
    """
    found = []
    for e0 in np.linspace(0, 1, 11):
        for i0 in np.linspace(0, 1, 11):
            sol, info, ok, _ = scipy.optimize.fsolve(lambda s: wilson_cowan_rhs(s, params), [e0, i0],
                                                     full_output=True, xtol=1e-13)
            if ok != 1 or np.max(np.abs(wilson_cowan_rhs(sol, params))) > 1e-9:
                continue
            if not all(-1e-9 <= v <= 1 + 1e-9 for v in sol):
                continue
            if any(np.max(np.abs(sol - f)) < 1e-6 for f in found):
                continue
            found.append(sol)
    out = []
    for sol in sorted(found, key=lambda s: s[0]):
        J = np.empty((2, 2))
        for k in range(2):
            h = np.zeros(2)
            h[k] = 1e-6
            J[:, k] = (wilson_cowan_rhs(sol + h, params) - wilson_cowan_rhs(sol - h, params)) / 2e-6
        out.append({"E": float(sol[0]), "I": float(sol[1]), "stable": bool(np.all(np.linalg.eigvals(J).real < 0))})
    return out


def fit_gk(target_V, i_ext: float, t_max_ms: float, dt: float, bounds=(20.0, 50.0)) -> float:
    """Fits the potassium conductance gK of ``hodgkin_huxley`` to a recorded voltage trace (least squares on V)."""
    target_V = np.asarray(target_V, np.float64)

    def loss(g):
        return float(np.mean((hodgkin_huxley(i_ext, t_max_ms, dt, g_k=g)[1] - target_V) ** 2))

    grid = np.linspace(bounds[0], bounds[1], 16)
    k = int(np.argmin([loss(g) for g in grid]))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    return float(scipy.optimize.minimize_scalar(loss, bounds=(lo, hi), method="bounded",
                                                options={"xatol": 1e-4}).x)
