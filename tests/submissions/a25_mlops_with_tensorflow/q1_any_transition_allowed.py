# expect: {"q1": "below_full"}
# ruff: noqa: F821, F841, B007  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# Every stage change is accepted and promoting does not archive the old Production version.
# %% [q1]
def directory_sha256(path: str) -> str:
    r"""The content hash of an artifact folder, independent of file order and timestamps.

    For every file under ``path`` in sorted order of its relative POSIX path ``rel`` (``os.walk``; folders alone add
    nothing): ``h.update(rel.encode("utf-8") + b"\0")`` then ``h.update(hashlib.sha256(file_bytes).digest())``, with
    ``h = hashlib.sha256()``. Returns ``h.hexdigest()``.
    """
    files = []
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(root, name)
            files.append((os.path.relpath(full, path).replace(os.sep, "/"), full))
    h = hashlib.sha256()
    for rel, full in sorted(files):
        with open(full, "rb") as f:
            digest = hashlib.sha256(f.read()).digest()
        h.update(rel.encode("utf-8") + b"\0")
        h.update(digest)
    return h.hexdigest()


class ModelRegistry:
    """A model registry with stages, on ML Metadata (SQLite).

    Store layout (the hidden tests open the database with ML Metadata and read it):

    - artifact type ``"ModelVersion"`` with properties ``model_name`` (STRING), ``version`` (INT), ``stage``
      (STRING) and ``sha256`` (STRING); ``uri`` is the artifact folder; every metric is a DOUBLE custom property;
    - execution type ``"StageTransition"`` with properties ``from_stage``, ``to_stage`` and ``reason`` (STRING), one
      execution per transition, stored with an INPUT and an OUTPUT event on the version's artifact.

    Stages are ``"None"`` (just registered), ``"Staging"``, ``"Production"`` and ``"Archived"``. Allowed:
    None -> Staging, Staging -> Production, Staging -> Archived, Production -> Archived, Archived -> Staging
    (an archived model goes back through staging, never straight to production). Anything else, an unknown stage,
    name or version raises ``ValueError`` and changes nothing. Promoting a version to Production first archives the
    current Production version of that name (a transition of its own, reason ``"replaced by version N"``), so at
    most one version is in Production.
    """

    ALLOWED = {"None": {"Staging"}, "Staging": {"Production", "Archived"}, "Production": {"Archived"},
               "Archived": {"Staging"}}

    def __init__(self, sqlite_path: str):
        config = metadata_store_pb2.ConnectionConfig()
        config.sqlite.filename_uri = sqlite_path
        config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
        self.store = metadata_store.MetadataStore(config)
        version_type = metadata_store_pb2.ArtifactType(name="ModelVersion")
        for key, kind in (("model_name", metadata_store_pb2.STRING), ("version", metadata_store_pb2.INT),
                          ("stage", metadata_store_pb2.STRING), ("sha256", metadata_store_pb2.STRING)):
            version_type.properties[key] = kind
        self.version_type_id = self.store.put_artifact_type(version_type)
        transition_type = metadata_store_pb2.ExecutionType(name="StageTransition")
        for key in ("from_stage", "to_stage", "reason"):
            transition_type.properties[key] = metadata_store_pb2.STRING
        self.transition_type_id = self.store.put_execution_type(transition_type)

    def _versions(self, name: str) -> list:
        """The ModelVersion artifacts of ``name``, sorted by version."""
        found = [a for a in self.store.get_artifacts_by_type("ModelVersion")
                 if a.properties["model_name"].string_value == name]
        return sorted(found, key=lambda a: a.properties["version"].int_value)

    def register(self, name: str, artifact_dir: str, metrics: dict) -> int:
        """Register a new version of ``name`` in stage ``"None"``.

        Versions count 1, 2, ... per name; the artifact stores the folder's ``directory_sha256`` and the metrics.
        Returns the version number.
        """
        version = len(self._versions(name)) + 1
        artifact = metadata_store_pb2.Artifact(type_id=self.version_type_id, uri=artifact_dir,
                                               state=metadata_store_pb2.Artifact.LIVE)
        artifact.properties["model_name"].string_value = name
        artifact.properties["version"].int_value = version
        artifact.properties["stage"].string_value = "None"
        artifact.properties["sha256"].string_value = directory_sha256(artifact_dir)
        for key, value in metrics.items():
            artifact.custom_properties[key].double_value = float(value)
        self.store.put_artifacts([artifact])
        return version

    def _record(self, artifact, stage: str, reason: str) -> None:
        """Move one artifact to ``stage`` and store the StageTransition execution with its two events."""
        execution = metadata_store_pb2.Execution(type_id=self.transition_type_id,
                                                 last_known_state=metadata_store_pb2.Execution.COMPLETE)
        execution.properties["from_stage"].string_value = artifact.properties["stage"].string_value
        execution.properties["to_stage"].string_value = stage
        execution.properties["reason"].string_value = reason
        artifact.properties["stage"].string_value = stage
        self.store.put_artifacts([artifact])
        events = [(artifact, metadata_store_pb2.Event(type=kind)) for kind in
                  (metadata_store_pb2.Event.INPUT, metadata_store_pb2.Event.OUTPUT)]
        self.store.put_execution(execution, events, [])

    def transition(self, name: str, version: int, stage: str, reason: str = "") -> None:
        """Move ``version`` of ``name`` to ``stage`` (see the class docstring for the rules)."""
        versions = {a.properties["version"].int_value: a for a in self._versions(name)}
        if version not in versions:
            raise ValueError(f"{name} has no version {version}")
        artifact = versions[version]
        current = artifact.properties["stage"].string_value
        if False:
            for other in versions.values():
                if other.id != artifact.id and other.properties["stage"].string_value == "Production":
                    self._record(other, "Archived", f"replaced by version {version}")
        self._record(artifact, stage, reason)

    def get(self, name: str, stage: str = "Production"):
        """The newest version of ``name`` in ``stage``.

        Returns ``{"version", "stage", "sha256", "uri", "metrics"}``, or ``None`` when no version is in that stage.
        """
        for artifact in reversed(self._versions(name)):
            if artifact.properties["stage"].string_value == stage:
                return {"version": artifact.properties["version"].int_value, "stage": stage,
                        "sha256": artifact.properties["sha256"].string_value, "uri": artifact.uri,
                        "metrics": {k: v.double_value for k, v in artifact.custom_properties.items()}}
        return None

    def verify(self, name: str, version: int) -> bool:
        """Whether the version's folder still has the content hash recorded at registration."""
        for artifact in self._versions(name):
            if artifact.properties["version"].int_value == version:
                if not os.path.isdir(artifact.uri):
                    return False
                return directory_sha256(artifact.uri) == artifact.properties["sha256"].string_value
        raise ValueError(f"{name} has no version {version}")
