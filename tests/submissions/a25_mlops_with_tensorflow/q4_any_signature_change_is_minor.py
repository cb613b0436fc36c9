# expect: {"q4": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# Only removed signature keys are breaking; changed inputs or outputs give a minor bump.
# %% [q4]
def model_content_hash(saved_model_dir: str) -> str:
    r"""A SavedModel's identity: its variables and its signatures, not its raw bytes.

    ``h = hashlib.sha256()``. Variables: ``reader = tf.train.load_checkpoint(<dir>/variables/variables)``; for every
    key of ``reader.get_variable_to_dtype_map()`` in sorted order except ``"_CHECKPOINTABLE_OBJECT_GRAPH"``:
    ``a = np.ascontiguousarray(reader.get_tensor(key))``,
    ``h.update(f"{key}|{a.dtype.str}|{list(a.shape)}\n".encode())`` then ``h.update(a.tobytes())``. Then
    ``h.update(json.dumps(signature_of(saved_model_dir), sort_keys=True).encode())``. Returns ``h.hexdigest()``.
    """
    reader = tf.train.load_checkpoint(os.path.join(saved_model_dir, "variables", "variables"))
    h = hashlib.sha256()
    for key in sorted(reader.get_variable_to_dtype_map()):
        if key == "_CHECKPOINTABLE_OBJECT_GRAPH":
            continue
        a = np.ascontiguousarray(reader.get_tensor(key))
        h.update(f"{key}|{a.dtype.str}|{list(a.shape)}\n".encode())
        h.update(a.tobytes())
    h.update(json.dumps(signature_of(saved_model_dir), sort_keys=True).encode())
    return h.hexdigest()


def signature_of(saved_model_dir: str) -> dict:
    """The serving signatures read from ``saved_model.pb``, without loading the model.

    Parse the file into ``saved_model_pb2.SavedModel`` (from ``tensorflow.core.protobuf``) and return
    ``{signature_key: {"inputs": {name: [dtype, shape]}, "outputs": {name: [dtype, shape]}}}`` for the first meta
    graph, every key except ``"__saved_model_init_op"``,
    ``dtype`` the name as in ``tf.as_dtype(enum).name`` (``"float32"``) and ``shape`` a list with ``None`` for an
    unknown dimension (``None`` for the whole shape when the rank is unknown).
    """
    from tensorflow.core.protobuf import saved_model_pb2

    saved = saved_model_pb2.SavedModel()
    with open(os.path.join(saved_model_dir, "saved_model.pb"), "rb") as f:
        saved.ParseFromString(f.read())
    out = {}
    for key, sig in saved.meta_graphs[0].signature_def.items():
        if key == "__saved_model_init_op":
            continue
        entry = {}
        for kind, tensors in (("inputs", sig.inputs), ("outputs", sig.outputs)):
            entry[kind] = {}
            for name, info in tensors.items():
                shape = None if info.tensor_shape.unknown_rank else [
                    None if d.size < 0 else int(d.size) for d in info.tensor_shape.dim]
                entry[kind][name] = [tf.as_dtype(info.dtype).name, shape]
        out[key] = entry
    return out


def next_version(prev: str, old_signature: dict, new_signature: dict, weights_changed: bool) -> str:
    """Semantic version of a new model release, from ``"MAJOR.MINOR.PATCH"``.

    - MAJOR (``x+1.0.0``) for a breaking signature change: a signature key, an input or an output removed, an
      input added (old clients do not send it), or an existing input's or output's ``[dtype, shape]`` changed;
    - else MINOR (``x.y+1.0``) for a backward-compatible change: a new signature key or a new output, or new weights
      (``weights_changed``);
    - else PATCH (``x.y.z+1``): metadata only.

    Signatures are in ``signature_of``'s format. A malformed ``prev`` raises ``ValueError``.
    """
    parts = prev.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a semantic version: {prev!r}")
    major, minor, patch = (int(p) for p in parts)
    breaking, compatible = False, bool(weights_changed)
    for key, old in old_signature.items():
        if key not in new_signature:
            breaking = True
            continue
        new = new_signature[key]
        for kind in ("inputs", "outputs"):
            for name, spec in old[kind].items():
                if name not in new[kind] or list(new[kind][name]) != list(spec):
                    compatible = True
        if set(new["outputs"]) - set(old["outputs"]):
            compatible = True
    if set(new_signature) - set(old_signature):
        compatible = True
    if breaking:
        return f"{major + 1}.0.0"
    if compatible:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def dataset_fingerprint(paths: list) -> str:
    r"""An order-independent fingerprint of data files.

    The SHA-256 hex digest of the sorted per-file SHA-256 hex digests joined by ``"\n"``: the same files listed in
    any order, or renamed, give the same fingerprint.
    """
    digests = []
    for path in paths:
        with open(path, "rb") as f:
            digests.append(hashlib.sha256(f.read()).hexdigest())
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()
