# expect: {"q1": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, grpc, ... come from the reference setup cell)
# The course's serving function: softmax applied to outputs that are already probabilities.
# %% [q1]
def export_for_serving(model: tf.keras.Model, base_dir: str, name: str, version: int) -> str:
    """Export a logits model as a servable SavedModel at ``<base_dir>/<name>/<version>/``.

    Signatures (both take ``inputs``: uint8 pixels of shape ``[None, features]``, scaled by 1/255 once, in the graph):

    - ``serving_default`` -> ``{"probabilities": softmax(logits) (float32), "predicted_class": argmax (int64)}``
    - ``embeddings`` -> ``{"embeddings": the penultimate layer's output (float32)}``

    Returns:
        The version folder's path. Raises ``FileExistsError`` if that version already exists (versions are immutable).
    """
    path = os.path.join(base_dir, name, str(int(version)))
    if os.path.exists(path):
        raise FileExistsError(f"version {version} of {name!r} already exists at {path}")
    features = int(model.input_shape[-1])
    embedder = tf.keras.Model(model.inputs, model.layers[-2].output)
    spec = tf.TensorSpec([None, features], tf.uint8, name="inputs")

    module = tf.Module()
    module.model = model
    module.embedder = embedder

    @tf.function(input_signature=[spec])
    def serve(inputs):
        x = tf.cast(inputs, tf.float32) / 255.0
        logits = model(x, training=False)
        return {"probabilities": tf.nn.softmax(tf.nn.softmax(logits, axis=-1)),
                "predicted_class": tf.argmax(logits, axis=-1, output_type=tf.int64)}

    @tf.function(input_signature=[spec])
    def embed(inputs):
        x = tf.cast(inputs, tf.float32) / 255.0
        return {"embeddings": embedder(x, training=False)}

    tf.saved_model.save(module, path, signatures={"serving_default": serve, "embeddings": embed})
    return path


def call_signature(fn, inputs: dict) -> dict:
    """Run a signature on named inputs, checked against its input specs; returns NumPy outputs.

    Raises ``ValueError`` when the input names differ from the signature's, or a value does not fit its spec
    (shape, or a non-integer / out-of-range value for an integer input).
    """
    specs = signature_input_specs(fn)
    if set(inputs) != set(specs):
        raise ValueError(f"expected inputs {sorted(specs)}, got {sorted(inputs)}")
    feed = {}
    for key, spec in specs.items():
        value = np.asarray(inputs[key])
        if value.dtype == object or not spec.shape.is_compatible_with(value.shape):
            raise ValueError(f"input {key!r} has shape {value.shape}, the signature expects {spec.shape}")
        if spec.dtype.is_integer:
            info = np.iinfo(spec.dtype.as_numpy_dtype)
            if (not np.all(np.isfinite(value)) or np.any(value != np.round(value))
                    or np.any(value < info.min) or np.any(value > info.max)):
                raise ValueError(f"input {key!r} must hold integers in [{info.min}, {info.max}]")
        feed[key] = tf.constant(value.astype(spec.dtype.as_numpy_dtype))
    return {key: np.asarray(value) for key, value in fn(**feed).items()}


def list_versions(base_path: str) -> list:
    """The integer version folders under ``base_path`` that hold a ``saved_model.pb``, ascending."""
    found = []
    if os.path.isdir(base_path):
        for entry in os.listdir(base_path):
            if entry.isdigit() and os.path.isfile(os.path.join(base_path, entry, "saved_model.pb")):
                found.append(int(entry))
    return sorted(found)


class ServableManager:
    """Serves the models of a ``ModelServerConfig`` text proto, each at its latest version (TF Serving's default).

    - ``__init__(config_text)``: parse with ``text_format.Parse(..., model_server_config_pb2.ModelServerConfig())``;
      every ``model_config_list`` entry must have ``model_platform: "tensorflow"`` (``ValueError`` otherwise, and for
      an empty list or a repeated name); load ``<base_path>/<latest version>`` with ``tf.saved_model.load``
      (``FileNotFoundError`` when a model has no version).
    - ``resolve(name, version=None, label=None) -> (version, servable)``: ``KeyError`` for an unknown model, a version
      that is not loaded, or any label (labels are Q4's).
    - ``status(name) -> [(version, "AVAILABLE")]``; ``KeyError`` for an unknown model.
    - ``predict(name, inputs, version=None, signature_name="serving_default") -> dict[str, np.ndarray]``
      (``KeyError`` for an unknown signature too).
    """
    def __init__(self, config_text: str):
        config = text_format.Parse(config_text, model_server_config_pb2.ModelServerConfig())
        entries = list(config.model_config_list.config)
        if not entries:
            raise ValueError("the config lists no models")
        self._servables = {}
        for entry in entries:
            if entry.model_platform != "tensorflow":
                raise ValueError(f"model {entry.name!r}: model_platform must be 'tensorflow', "
                                 f"got {entry.model_platform!r}")
            if entry.name in self._servables:
                raise ValueError(f"model {entry.name!r} is configured twice")
            versions = list_versions(entry.base_path)
            if not versions:
                raise FileNotFoundError(f"model {entry.name!r}: no version under {entry.base_path}")
            latest = versions[-1]
            self._servables[entry.name] = (latest, tf.saved_model.load(os.path.join(entry.base_path, str(latest))))

    def resolve(self, name, version=None, label=None):
        if name not in self._servables:
            raise KeyError(f"model {name!r} not found")
        if label is not None:
            raise KeyError(f"label {label!r} of model {name!r} not found")
        loaded, servable = self._servables[name]
        if version is not None and int(version) != loaded:
            raise KeyError(f"version {version} of model {name!r} is not loaded")
        return loaded, servable

    def status(self, name):
        return [(self.resolve(name)[0], "AVAILABLE")]

    def predict(self, name, inputs, version=None, signature_name="serving_default"):
        _, servable = self.resolve(name, version)
        if signature_name not in servable.signatures:
            raise KeyError(f"signature {signature_name!r} not found in model {name!r}")
        return call_signature(servable.signatures[signature_name], inputs)
