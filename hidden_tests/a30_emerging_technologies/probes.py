"""Worker-side probes for A30, Emerging Technologies.

Each probe is ``probe(ns, *args, **kwargs)`` where ``ns`` is the global namespace of the student's notebook or of the
reference module. Probes hold no expected answers: they build the objects the judge described in plain data (Cirq
circuits from JSON, device graphs from edge lists, gymnasium environments), call the namespace's functions and hand
back plain data (Cirq JSON, counts, layer summaries) for the judge to check.
"""

import numpy as np

# --------------------------------------------------------------------------------------------
# Q2


def cartpole_rollout(ns, W, b, seeds) -> list:
    """Returns of the greedy linear policy ``argmax(s @ W + b)`` on CartPole-v1, one episode per seed.

    Called in the reference worker with the student's parameters: the environment and the loop are the course's.
    """
    import gymnasium as gym

    W = np.asarray(W, np.float64).reshape(4, 2)
    b = np.asarray(b, np.float64).reshape(2)
    env = gym.make("CartPole-v1")
    out = []
    for seed in seeds:
        s, _ = env.reset(seed=int(seed))
        total, done = 0.0, False
        while not done:
            s, r, term, trunc, _ = env.step(int(np.argmax(s @ W + b)))
            total += r
            done = term or trunc
        out.append(total)
    env.close()
    return out


# --------------------------------------------------------------------------------------------
# Q4


def compile_case(ns, circuit_json: str, edges_json: str) -> dict:
    """Runs ``compile_for_device`` on a circuit and a device graph given as Cirq JSON; returns Cirq JSON back."""
    import cirq
    import networkx as nx

    circuit = cirq.read_json(json_text=circuit_json)
    graph = nx.Graph()
    graph.add_edges_from(cirq.read_json(json_text=edges_json))
    compiled, initial, final = ns["compile_for_device"](circuit, graph)
    return {
        "circuit": cirq.to_json(compiled),
        "initial": cirq.to_json([list(kv) for kv in dict(initial).items()]),
        "final": cirq.to_json([list(kv) for kv in dict(final).items()]),
    }


def shots_case(ns, circuit_json: str, n_measured: int, shots: int, seeds) -> list:
    """``sample_expectation`` on the first ``n_measured`` qubits (sorted) for each seed: ``[[mean, stderr], ...]``."""
    import cirq

    circuit = cirq.read_json(json_text=circuit_json)
    qubits = sorted(circuit.all_qubits())[:n_measured]
    out = []
    for seed in seeds:
        mean, se = ns["sample_expectation"](circuit, qubits, int(shots), int(seed))
        out.append([float(mean), float(se)])
    return out


# --------------------------------------------------------------------------------------------
# Q6


def eegnet_summary(ns, chans, samples, n_classes, **kwargs) -> dict:
    """Layer types, depthwise multipliers, constraints, parameter count and a forward pass of ``build_eegnet``."""
    import tensorflow as tf

    model = ns["build_eegnet"](chans, samples, n_classes, **kwargs)
    layers = [layer for layer in model.layers if not isinstance(layer, tf.keras.layers.InputLayer)]
    kinds = [type(layer).__name__ for layer in layers]
    depthwise = [layer for layer in layers if type(layer).__name__ == "DepthwiseConv2D"]
    x = np.random.default_rng(0).normal(size=(3, chans, samples, 1)).astype(np.float32)
    y = np.asarray(model(x, training=False))
    return {
        "kinds": kinds,
        "params": int(model.count_params()),
        "trainable": int(sum(int(np.prod(w.shape)) for w in model.trainable_weights)),
        "depth_multiplier": [int(layer.depth_multiplier) for layer in depthwise],
        "depthwise_kernel": [list(layer.kernel_size) for layer in depthwise],
        "depthwise_max_norm": [
            float(getattr(layer.depthwise_constraint, "max_value", 0.0) or 0.0) for layer in depthwise],
        "input_shape": [None if d is None else int(d) for d in model.input_shape],
        "output": y.tolist(),
        "elu_count": sum(type(layer).__name__ == "ELU" or getattr(getattr(layer, "activation", None), "__name__", "")
                         == "elu" for layer in layers),
        "dropout_rates": [float(layer.rate) for layer in layers if type(layer).__name__ == "Dropout"],
        "dense_max_norm": [float(getattr(layer.kernel_constraint, "max_value", 0.0) or 0.0)
                           for layer in layers if type(layer).__name__ == "Dense"],
        "pool_sizes": [list(layer.pool_size) for layer in layers if type(layer).__name__ == "AveragePooling2D"],
        "kernel_sizes": [list(layer.kernel_size) for layer in layers if type(layer).__name__ in (
            "Conv2D", "SeparableConv2D")],
        "use_bias": [bool(getattr(layer, "use_bias", False)) for layer in layers if type(layer).__name__ in (
            "Conv2D", "DepthwiseConv2D", "SeparableConv2D")],
    }
