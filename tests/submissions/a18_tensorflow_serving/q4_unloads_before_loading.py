# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, grpc, ... come from the reference setup cell)
# poll() unloads the old versions first and loads the new one after: a gap with no version.
# %% [q4]
class VersionedRepository:
    """One model's versions under ``<base_path>/<name>/<int version>/``, served by a TF Serving version policy.

    - ``policy``: ``"latest:N"`` (the N newest), ``"all"``, or ``"specific:1,3"`` (``ValueError`` otherwise).
    - ``publish(src_dir, version)``: copy an exported SavedModel folder in atomically (copy to a hidden temporary
      folder beside it, then ``os.replace``); ``FileExistsError`` if the version exists. Returns the new path.
    - ``poll()``: scan the folder (integer names holding a ``saved_model.pb``; anything else, or a version that fails
      to load, is skipped), load the versions the policy wants that are not loaded yet, *then* unload those it no
      longer wants (``"END"``), so a swap never leaves the model without a version.
    - ``status(name) -> [(version, state)]`` for every version seen ("AVAILABLE" or "END"); ``KeyError`` if the
      name is not this model's.
    - ``set_label(label, version)``: only to an AVAILABLE version (``ValueError``), as TF Serving by default.
    - ``resolve(name, version=None, label=None) -> (version, servable)``: the newest available version by default;
      ``KeyError`` for another name, an unknown label or a version that is not available.
    ``__init__`` polls once.
    """

    def __init__(self, base_path: str, name: str, policy: str = "latest:1"):
        self.base_path, self.name = base_path, name
        kind, _, arg = policy.partition(":")
        if kind == "latest" and arg.isdigit() and int(arg) >= 1:
            self._policy = ("latest", int(arg))
        elif kind == "all" and not arg:
            self._policy = ("all", None)
        elif kind == "specific" and arg and all(part.strip().isdigit() for part in arg.split(",")):
            self._policy = ("specific", {int(part) for part in arg.split(",")})
        else:
            raise ValueError(f"unknown version policy {policy!r}")
        self._lock = threading.Lock()
        self._loaded = {}
        self._states = {}
        self._labels = {}
        self.poll()
    def _wanted(self, on_disk):
        kind, arg = self._policy
        if kind == "latest":
            return set(sorted(on_disk)[-arg:])
        if kind == "all":
            return set(on_disk)
        return set(on_disk) & arg

    def publish(self, src_dir, version):
        folder = os.path.join(self.base_path, self.name)
        target = os.path.join(folder, str(int(version)))
        if os.path.exists(target):
            raise FileExistsError(f"version {version} already exists")
        os.makedirs(folder, exist_ok=True)
        tmp = os.path.join(folder, f".tmp-{int(version)}-{uuid.uuid4().hex}")
        shutil.copytree(src_dir, tmp)
        os.replace(tmp, target)
        return target

    def poll(self):
        folder = os.path.join(self.base_path, self.name)
        wanted = self._wanted(list_versions(folder))
        with self._lock:
            for version in sorted(set(self._loaded) - wanted):
                del self._loaded[version]
                self._states[version] = "END"
        for version in sorted(wanted - set(self._loaded)):
            try:
                servable = tf.saved_model.load(os.path.join(folder, str(version)))
            except Exception:
                continue
            with self._lock:
                self._loaded[version] = servable
                self._states[version] = "AVAILABLE"
        with self._lock:
            if not wanted & set(self._loaded):
                return
            for version in sorted(set(self._loaded) - wanted):
                del self._loaded[version]
                self._states[version] = "END"
                self._labels = {k: v for k, v in self._labels.items() if v != version}

    def status(self, name):
        if name != self.name:
            raise KeyError(f"model {name!r} not found")
        with self._lock:
            return sorted(self._states.items())

    def set_label(self, label, version):
        with self._lock:
            if int(version) not in self._loaded:
                raise ValueError(f"version {version} is not AVAILABLE")
            self._labels[label] = int(version)

    def resolve(self, name, version=None, label=None):
        if name != self.name:
            raise KeyError(f"model {name!r} not found")
        with self._lock:
            if label is not None:
                if label not in self._labels:
                    raise KeyError(f"label {label!r} not found")
                version = self._labels[label]
            if version is None:
                if not self._loaded:
                    raise KeyError(f"model {name!r} has no available version")
                version = max(self._loaded)
            if int(version) not in self._loaded:
                raise KeyError(f"version {version} of {name!r} is not available")
            return int(version), self._loaded[int(version)]
