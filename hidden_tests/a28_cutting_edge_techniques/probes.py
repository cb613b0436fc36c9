"""Worker-side probes for A28, Cutting-edge Techniques.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of
the reference module. Probes hold no expected answers: they build the models and callables the judge describes
(from weights the judge sends), hand them to the namespace's functions, log what goes through them, and recompute
updates from variable snapshots with their own code. The reference worker also runs the grader's own attack, its own
MAML adaptation and its own finite differences here, on weights the student's code returned.
"""

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np
import tensorflow as tf


def _np(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


# --------------------------------------------------------------------------------------------
# Q1


def mixed_op_outputs(ns, x, alpha, position):
    """The student's MixedOp on ``x`` with the given alphas, its candidates' outputs, and the candidates' outputs
    again with the input changed at one time step (for the receptive fields)."""
    layer = ns["MixedOp"](x.shape[-1])
    xt = tf.constant(x)
    layer(xt)
    alpha_vars = [v for v in layer.trainable_variables if "alpha" in v.name]
    initial_alpha = _np(alpha_vars[0]) if alpha_vars else None
    alpha_vars[0].assign(alpha)
    x2 = x.copy()
    x2[:, position, :] += 1.0
    return {
        "out": _np(layer(xt)),
        "ops": [_np(o) for o in layer.op_outputs(xt)],
        "ops_changed": [_np(o) for o in layer.op_outputs(tf.constant(x2))],
        "alpha_vars": len(alpha_vars),
        "alpha_shape": list(alpha_vars[0].shape),
        "initial_alpha": initial_alpha,
    }


def _darts_model(ns, length, channels):
    return tf.keras.Sequential([tf.keras.Input((length, channels)), ns["MixedOp"](channels), ns["MixedOp"](channels),
                                tf.keras.layers.GlobalAveragePooling1D(), tf.keras.layers.Dense(1)])


def darts_check(ns, x_tr, y_tr, x_val, y_val, w_lr, a_lr, seed, alphas):
    """One ``darts_step`` of the student's on a two-cell model, and the same step recomputed here from a snapshot."""
    tf.keras.utils.set_random_seed(seed)
    model = _darts_model(ns, x_tr.shape[1], x_tr.shape[2])
    arch = [v for v in model.trainable_variables if "alpha" in v.name]
    weights = [v for v in model.trainable_variables if "alpha" not in v.name]
    for v, a in zip(arch, alphas, strict=True):
        v.assign(a)
    snapshot = [v.numpy() for v in model.trainable_variables]

    def mse(x, y):
        return tf.reduce_mean(tf.square(model(tf.constant(x)) - y))

    with tf.GradientTape() as tape:
        val_loss = mse(x_val, y_val)
    for v, g in zip(arch, tape.gradient(val_loss, arch), strict=True):
        v.assign_sub(a_lr * g)
    with tf.GradientTape() as tape:
        train_loss = mse(x_tr, y_tr)
    for v, g in zip(weights, tape.gradient(train_loss, weights), strict=True):
        if g is not None:
            v.assign_sub(w_lr * g)
    want = [v.numpy() for v in model.trainable_variables]
    want_losses = [float(val_loss), float(train_loss)]
    for v, s in zip(model.trainable_variables, snapshot, strict=True):
        v.assign(s)
    losses = ns["darts_step"](model, tf.constant(x_tr), tf.constant(y_tr), tf.constant(x_val), tf.constant(y_val),
                              w_lr, a_lr)
    got = [v.numpy() for v in model.trainable_variables]
    for v, a in zip(arch, ([3.0, 0, 0, 0, 0], [0, 0, 0, 0, 2.5]), strict=True):
        v.assign(np.asarray(a, np.float32))
    derived = ns["derive_architecture"](model)
    return {"got": got, "want": want, "losses": [float(v) for v in losses], "want_losses": want_losses,
            "n_arch": len(arch), "derived": list(derived)}


def evolution_run(ns, table, n_nodes, n_ops, population, sample, cycles, seed):
    """Run the student's search on a fitness table the judge made (flat, ``n_ops ** n_nodes`` entries) and log
    every architecture it evaluated, in order."""
    log = []

    def fitness_fn(arch):
        arch = [int(a) for a in arch]
        if len(arch) != n_nodes or min(arch) < 0 or max(arch) >= n_ops:
            raise ValueError(f"not an architecture of this space: {arch}")
        log.append(arch)
        return float(table[int(np.ravel_multi_index(arch, (n_ops,) * n_nodes))])

    result = ns["regularized_evolution"](fitness_fn, n_nodes, n_ops, population=population, sample=sample,
                                         cycles=cycles, seed=seed)
    return {"best": [int(a) for a in result["best"]], "best_fitness": float(result["best_fitness"]), "log": log}


# --------------------------------------------------------------------------------------------
# Q2


def _forward64(params, x):
    h = x
    n = len(params) // 2
    for i in range(n):
        h = tf.matmul(h, params[2 * i]) + params[2 * i + 1]
        if i < n - 1:
            h = tf.nn.relu(h)
    return h


def _meta_loss64(params, tasks, lr, steps):
    total = 0.0
    for x_s, y_s, x_q, y_q in tasks:
        fast = list(params)
        for _ in range(steps):
            with tf.GradientTape() as tape:
                tape.watch(fast)
                loss = tf.reduce_mean(tf.square(_forward64(fast, x_s) - y_s))
            grads = tape.gradient(loss, fast)
            fast = [p - lr * g for p, g in zip(fast, grads, strict=True)]
        total += tf.reduce_mean(tf.square(_forward64(fast, x_q) - y_q))
    return float(total) / len(tasks)


def fd_meta_gradient(ns, params, tasks, lr, steps, coords, eps):
    """Central finite differences of the MAML meta-loss (float64, the probe's own code) at the given coordinates
    ``[(param_index, flat_index), ...]``."""
    params = [tf.constant(np.asarray(p, np.float64)) for p in params]
    tasks = [[tf.constant(np.asarray(a, np.float64)) for a in t] for t in tasks]
    out = []
    for i, j in coords:
        vals = []
        for sign in (1.0, -1.0):
            p = [q.numpy().copy() for q in params]
            p[i].reshape(-1)[j] += sign * eps
            vals.append(_meta_loss64([tf.constant(a) for a in p], tasks, lr, steps))
        out.append((vals[0] - vals[1]) / (2 * eps))
    return out


def adapt_with_variables(ns, params, x_s, y_s, lr, steps):
    """The student's ``adapt`` given ``tf.Variable`` parameters: its result and the variables afterwards."""
    variables = [tf.Variable(np.asarray(p)) for p in params]
    out = ns["adapt"](variables, tf.constant(x_s), tf.constant(y_s), lr, steps)
    return {"out": [_np(o) for o in out], "after": [v.numpy() for v in variables]}


def _sinusoids(rng, n, k):
    tasks = []
    for _ in range(n):
        amp, phase = rng.uniform(0.1, 5.0), rng.uniform(0.0, np.pi)
        x_s, x_q = rng.uniform(-5, 5, size=(k, 1)), rng.uniform(-5, 5, size=(k, 1))
        tasks.append(tuple(a.astype(np.float32) for a in (x_s, amp * np.sin(x_s + phase), x_q,
                                                          amp * np.sin(x_q + phase))))
    return tasks


def meta_train_run(ns, params, task_seed, meta_steps, meta_batch, inner_lr, outer_lr):
    """The student's ``maml_train`` on sinusoid tasks drawn here (counted)."""
    rng = np.random.default_rng(task_seed)
    calls = []

    def sample_tasks(n):
        calls.append(int(n))
        return _sinusoids(rng, int(n), 10)

    out = ns["maml_train"]([np.asarray(p, np.float32) for p in params], sample_tasks, meta_steps=meta_steps,
                           meta_batch=meta_batch, inner_lr=inner_lr, outer_lr=outer_lr)
    return {"params": [np.asarray(_np(p), np.float32) for p in out], "calls": calls}


def adapted_mse(ns, params, tasks, lr):
    """Mean query MSE before and after one adaptation step (the probe's own code, float64)."""
    params = [tf.constant(np.asarray(p, np.float64)) for p in params]
    before, after = [], []
    for t in tasks:
        x_s, y_s, x_q, y_q = (tf.constant(np.asarray(a, np.float64)) for a in t)
        before.append(float(tf.reduce_mean(tf.square(_forward64(params, x_q) - y_q))))
        after.append(_meta_loss64(params, [(x_s, y_s, x_q, y_q)], lr, 1))
    return [float(np.mean(before)), float(np.mean(after))]


# --------------------------------------------------------------------------------------------
# Q3


def sampler_episodes(ns, x, labels, n_way, k_shot, q_queries, seed, n):
    """``n`` episodes of the student's sampler, and the first episode of a second sampler with the same seed."""
    sampler = ns["EpisodeSampler"](x, labels, n_way, k_shot, q_queries, seed)
    episodes = [[np.asarray(a) for a in sampler.sample()] for _ in range(n)]
    again = [np.asarray(a) for a in ns["EpisodeSampler"](x, labels, n_way, k_shot, q_queries, seed).sample()]
    return {"episodes": episodes, "again": again}


# --------------------------------------------------------------------------------------------
# Q5


def _mlp(weights):
    layers = []
    n = len(weights) // 2
    for i in range(n):
        layers.append(tf.keras.layers.Dense(weights[2 * i].shape[1], activation="relu" if i < n - 1 else None))
    model = tf.keras.Sequential(layers)
    model.build((None, weights[0].shape[0]))
    model.set_weights([np.asarray(w, np.float32) for w in weights])
    return model


def attack(ns, weights, x, y, kind, kwargs):
    """The student's ``fgsm`` or ``pgd`` on an MLP built here from ``weights``."""
    model = _mlp(weights)
    return _np(ns[kind](model, tf.constant(x, tf.float32), tf.constant(y, tf.int32), **kwargs))


def loss_per_example(ns, weights, x, y):
    """Cross-entropy per example of the MLP built here from ``weights``."""
    logits = _mlp(weights)(tf.constant(x, tf.float32))
    return tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(y, tf.int32), logits).numpy()


def _pgd(model, x, y, eps, steps, seed):
    x = tf.constant(x, tf.float32)
    y = tf.constant(y, tf.int32)
    adv = tf.clip_by_value(x + tf.random.stateless_uniform(tf.shape(x), [seed, 1], -eps, eps), 0.0, 1.0)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(adv)
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(y, model(adv))
        adv = adv + (eps / 4) * tf.sign(tape.gradient(loss, adv))
        adv = tf.clip_by_value(tf.clip_by_value(adv, x - eps, x + eps), 0.0, 1.0)
    return adv


def robust_accuracy(ns, weights, x, y, eps, steps, restarts, seed):
    """The grader's own PGD (with restarts) against the MLP built from ``weights``: clean accuracy and the accuracy
    on the worst of the restarts, per example."""
    model = _mlp(weights)
    clean = np.argmax(model(tf.constant(x, tf.float32)).numpy(), axis=1) == y
    robust = clean.copy()
    for r in range(restarts):
        adv = _pgd(model, x, y, eps, steps, seed + r)
        robust &= np.argmax(model(adv).numpy(), axis=1) == y
    return {"clean": float(clean.mean()), "robust": float(robust.mean()),
            "logits": model(tf.constant(x[:16], tf.float32)).numpy()}


def standard_train(ns, x, y, n_classes, hidden, epochs, seed):
    """A normally trained network of the same shape (the baseline), trained here; returns its weights."""
    tf.keras.utils.set_random_seed(seed)
    model = tf.keras.Sequential([tf.keras.layers.Dense(hidden, activation="relu"), tf.keras.layers.Dense(n_classes)])
    model.compile(tf.keras.optimizers.Adam(3e-3), tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x.astype(np.float32), y, epochs=epochs, batch_size=64, verbose=0)
    return model.get_weights()


# --------------------------------------------------------------------------------------------
# Q6


def _smooth_mlp(weights):
    """A tanh MLP (linear last layer) built from ``weights``; one layer is a linear model."""
    ws = [tf.constant(np.asarray(w, np.float64)) for w in weights]

    def model(x):
        h = tf.convert_to_tensor(x, tf.float64)
        n = len(ws) // 2
        for i in range(n):
            h = tf.matmul(h, ws[2 * i]) + ws[2 * i + 1]
            if i < n - 1:
                h = tf.tanh(h)
        return h

    return model


def ig_run(ns, weights, x, baseline, target, steps):
    """The student's integrated gradients on a smooth model built here, with the model's outputs at ``x`` and at
    the baseline."""
    model = _smooth_mlp(weights)
    attr = ns["integrated_gradients"](model, tf.constant(x, tf.float64), tf.constant(baseline, tf.float64), target,
                                      steps)
    b = np.broadcast_to(baseline, x.shape)
    return {"attr": _np(attr), "fx": model(x).numpy()[:, target], "fb": model(b).numpy()[:, target]}


def _numpy_f(weights, target, counter):
    ws = [np.asarray(w, np.float64) for w in weights]

    def f(rows):
        h = np.asarray(rows, np.float64)
        counter.append(len(h))
        n = len(ws) // 2
        for i in range(n):
            h = h @ ws[2 * i] + ws[2 * i + 1]
            if i < n - 1:
                h = np.tanh(h)
        return h[:, target]

    return f


def shap_run(ns, weights, x, background, nsamples, seed):
    """The student's KernelSHAP of a tanh MLP's output 0 (the function is evaluated here, rows counted)."""
    counter = []
    phi = ns["kernel_shap"](_numpy_f(weights, 0, counter), x, background, nsamples=nsamples, seed=seed)
    return {"phi": np.asarray(phi, np.float64), "rows": int(sum(counter))}


def lime_run(ns, weights, x, scale, num_samples, kernel_width, seed):
    """The student's LIME of a tanh MLP's output 0 (evaluated here)."""
    counter = []
    coef = ns["lime_tabular"](_numpy_f(weights, 0, counter), x, scale, num_samples=num_samples,
                              kernel_width=kernel_width, seed=seed)
    return {"coef": np.asarray(coef, np.float64), "rows": int(sum(counter))}
