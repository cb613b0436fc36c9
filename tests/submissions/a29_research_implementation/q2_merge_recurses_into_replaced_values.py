# expect: {"q2": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The layer merge recurses when either side is a dict (or instead of and), so a layer that replaces a
# sub-dict with a plain value crashes.
# %% [q2]
class Registry:
    """Named components by kind: `@REGISTRY.register("model", "mlp")` on a factory, `REGISTRY.build(kind, name, **kw)`.

    Registering a (kind, name) pair twice raises KeyError; building an unknown one raises KeyError naming it.
    """

    def __init__(self):
        self._items = {}

    def register(self, kind, name):
        key = (kind, name)
        if key in self._items:
            raise KeyError(f"{kind}/{name} is already registered")

        def decorator(factory):
            self._items[key] = factory
            return factory

        return decorator

    def build(self, kind, name, **kwargs):
        if (kind, name) not in self._items:
            raise KeyError(f"no {kind} named {name!r}; known: {self.names(kind)}")
        return self._items[(kind, name)](**kwargs)

    def names(self, kind):
        return sorted(n for k, n in self._items if k == kind)


REGISTRY = Registry()


@REGISTRY.register("model", "mlp")
def build_mlp(input_dim=4, hidden=16, outputs=1, seed=0):
    """A Dense(hidden, relu) -> Dense(outputs) model, built, with GlorotUniform(seed) / GlorotUniform(seed + 1)."""
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(hidden, activation="relu",
                              kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed)),
        tf.keras.layers.Dense(outputs, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed + 1)),
    ])
    model.build((None, input_dim))
    return model


@REGISTRY.register("optimizer", "adam")
def build_adam(lr=0.01):
    """tf.keras.optimizers.Adam(learning_rate=lr)."""
    return tf.keras.optimizers.Adam(learning_rate=lr)


@REGISTRY.register("optimizer", "sgd")
def build_sgd(lr=0.01, momentum=0.9):
    """tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)."""
    return tf.keras.optimizers.SGD(learning_rate=lr, momentum=momentum)


_REF = re.compile(r"\$\{([^}]+)\}")


def resolve_config(base, *layers, overrides=()):
    """Merge configuration layers over `base`, apply dotted overrides, then resolve `${a.b}` interpolations.

    - Layers are merged in order, recursively for nested dicts (a later value wins). A key a layer or an override
      sets must exist in `base`: otherwise KeyError whose message contains its dotted path (e.g. "optimizer.lrr").
    - An override is "a.b.c=value"; value is parsed as JSON (`3`, `0.5`, `true`, `[1, 2]`, `"x"`, `null`) and kept
      as a plain string when it is not valid JSON.
    - A string that is exactly "${a.b}" becomes the (typed) value at a.b; "${a.b}" inside a longer string is
      replaced by str(value). References may chain; a cycle raises ValueError; a missing target raises KeyError.
    Inputs are not modified; the result is a new dict.
    """
    def merge(dst, src, prefix):
        for key, value in src.items():
            path = f"{prefix}{key}"
            if key not in dst:
                raise KeyError(f"unknown configuration key {path}")
            if isinstance(value, dict) or isinstance(dst[key], dict):
                merge(dst[key], value, path + ".")
            else:
                dst[key] = copy.deepcopy(value)

    def lookup(cfg, path):
        node = cfg
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"unknown configuration key {path}")
            node = node[part]
        return node

    cfg = copy.deepcopy(base)
    for layer in layers:
        merge(cfg, layer, "")
    for item in overrides:
        path, _, text = item.partition("=")
        path = path.strip()
        try:
            value = json.loads(text)
        except ValueError:
            value = text
        parts = path.split(".")
        parent = lookup(cfg, ".".join(parts[:-1])) if len(parts) > 1 else cfg
        if not isinstance(parent, dict) or parts[-1] not in parent:
            raise KeyError(f"unknown configuration key {path}")
        parent[parts[-1]] = value

    def resolve(value, stack):
        if isinstance(value, dict):
            return {k: resolve(v, stack) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v, stack) for v in value]
        if not isinstance(value, str):
            return value
        whole = _REF.fullmatch(value)
        if whole:
            return follow(whole.group(1), stack)
        return _REF.sub(lambda m: str(follow(m.group(1), stack)), value)

    def follow(path, stack):
        if path in stack:
            raise ValueError(f"interpolation cycle: {' -> '.join(stack + [path])}")
        return resolve(lookup(cfg, path), stack + [path])

    return resolve(cfg, [])


class Trainer:
    """A config-driven regression trainer whose runs can be checkpointed and resumed bitwise-exactly.

    config: {"model": {"name": ..., **kwargs}, "optimizer": {"name": ..., **kwargs},
             "data": {"n": int, "input_dim": int, "seed": int}, "train": {"batch_size": int, "seed": int}}.
    The model and optimizer come from REGISTRY (`self.model`, `self.optimizer`); the data is
    x ~ N(0, 1) of shape (n, input_dim) and y = sin(x @ (1, 2, ..., input_dim) / input_dim) drawn with
    np.random.default_rng(data.seed) (`rng.normal(size=(n, input_dim))`, float32); each step's minibatch indices
    are `gen.uniform((batch_size,), 0, n, dtype=tf.int64)` of a `tf.random.Generator.from_seed(train.seed)`; the
    loss is the mean squared error of the model's output (training=True) against y of shape (n, 1).
    `train(steps)` returns the step losses; `self.step` counts steps.
    `save(path)` writes everything a resume needs (weights, optimizer slots and iterations, generator state, step);
    `restore(path)` on a fresh Trainer of the same config continues exactly where the saved one stopped.
    """

    def __init__(self, config):
        self.config = copy.deepcopy(config)
        model_cfg = dict(config["model"])
        opt_cfg = dict(config["optimizer"])
        data = config["data"]
        self.model = REGISTRY.build("model", model_cfg.pop("name"), input_dim=data["input_dim"], **model_cfg)
        self.optimizer = REGISTRY.build("optimizer", opt_cfg.pop("name"), **opt_cfg)
        self.optimizer.build(self.model.trainable_variables)
        rng = np.random.default_rng(data["seed"])
        x = rng.normal(size=(data["n"], data["input_dim"])).astype(np.float32)
        coef = np.arange(1, data["input_dim"] + 1, dtype=np.float32) / data["input_dim"]
        self.x = tf.constant(x)
        self.y = tf.constant(np.sin(x @ coef)[:, None].astype(np.float32))
        self.gen = tf.random.Generator.from_seed(config["train"]["seed"])
        self.step_var = tf.Variable(0, dtype=tf.int64)

    @property
    def step(self):
        return int(self.step_var.numpy())

    def _checkpoint(self):
        return tf.train.Checkpoint(model=self.model, optimizer=self.optimizer, gen=self.gen, step=self.step_var)

    def train(self, steps):
        losses = []
        bs = self.config["train"]["batch_size"]
        for _ in range(int(steps)):
            idx = self.gen.uniform((bs,), 0, int(self.x.shape[0]), dtype=tf.int64)
            xb, yb = tf.gather(self.x, idx), tf.gather(self.y, idx)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self.model(xb, training=True) - yb))
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables, strict=True))
            self.step_var.assign_add(1)
            losses.append(float(loss))
        return losses

    def save(self, path):
        return self._checkpoint().write(path)

    def restore(self, path):
        self._checkpoint().read(path).assert_consumed()
