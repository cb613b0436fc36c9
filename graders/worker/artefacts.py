"""Artefacts a worker exported (a SavedModel, a ``.keras`` file, a checkpoint, a ``.tflite`` file), moved as bytes.

The student's worker packs what its code wrote (``pack``); the judge carries the bytes without opening them; the
inspector, a sandboxed worker where no student code runs, unpacks them (``unpack``) and reads them with TensorFlow's
own loaders. ``graph_ops`` reads a SavedModel's or GraphDef's op types from the protocol buffer without executing
anything, so a test can refuse a graph that holds file, process or Python-callback ops before it runs it.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile

import numpy as np

MAX_ARTEFACT_BYTES = 64 << 20
MAX_MEMBERS = 2000
# Ops that reach outside the graph: files, processes, Python callbacks. A model has no reason to hold them. (Every
# SavedModel holds its saver's SaveV2/RestoreV2/MergeV2Checkpoints; the loader runs those itself, so they are not
# listed.)
OUTSIDE_OPS = frozenset({
    "PyFunc", "PyFuncStateless", "EagerPyFunc", "ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst",
    "DebugIdentity", "DebugIdentityV2", "DebugIdentityV3", "TFRecordReader", "TFRecordReaderV2", "WholeFileReader",
    "WholeFileReaderV2", "TextLineReader", "TextLineReaderV2", "FixedLengthRecordReaderV2", "IdentityReader",
    "DeleteSessionTensor", "GetSessionHandle", "GetSessionHandleV2", "GetSessionTensor", "EncodeProto",
    "DecodeProtoV2", "ExperimentalDatasetToTFRecord", "DatasetToTFRecord", "SnapshotDataset", "SnapshotDatasetV2",
    "SaveDataset", "SaveDatasetV2", "LoadDataset", "ExperimentalLMDBDataset", "LMDBDataset", "SqlDataset",
    "ExperimentalSqlDataset", "TFRecordDataset", "TFRecordDatasetV2", "FixedLengthRecordDataset",
    "FixedLengthRecordDatasetV2", "TextLineDataset", "CSVDataset", "CSVDatasetV2", "ExperimentalCSVDataset",
})


def pack(worker, path: str) -> np.ndarray:
    """The file or folder at ``path`` (relative to the worker's working folder, or absolute) as tar bytes.

    Links are refused: an artefact holds plain files and folders only.
    """
    path = os.path.abspath(path)
    if not os.path.lexists(path):
        raise FileNotFoundError(f"nothing was written at {path}")
    buffer = io.BytesIO()
    total = 0
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for folder, dirs, files in os.walk(path) if os.path.isdir(path) else [(os.path.dirname(path), [], [path])]:
            for name in sorted(dirs) + sorted(files):
                full = os.path.join(folder, name)
                if os.path.islink(full):
                    raise ValueError(f"{full} is a link; an artefact holds plain files and folders only")
                if os.path.isfile(full):
                    total += os.path.getsize(full)
                    if total > MAX_ARTEFACT_BYTES:
                        raise ValueError(f"the artefact is over {MAX_ARTEFACT_BYTES >> 20} MB")
        archive.add(path, arcname=os.path.basename(path.rstrip(os.sep)) or "artefact")
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8).copy()


def unpack(worker, data: np.ndarray) -> str:
    """Extracts tar bytes from ``pack`` into a fresh folder and returns the artefact's path there.

    Only regular files and folders are extracted, inside the fresh folder (tarfile's ``data`` filter).
    """
    data = np.asarray(data)
    if data.dtype != np.uint8 or data.ndim != 1 or data.size > MAX_ARTEFACT_BYTES + (4 << 20):
        raise ValueError("an artefact travels as a 1-D uint8 array of tar bytes")
    target = tempfile.mkdtemp(prefix="artefact-", dir=os.getcwd())
    with tarfile.open(fileobj=io.BytesIO(data.tobytes()), mode="r:") as archive:
        members = archive.getmembers()
        if len(members) > MAX_MEMBERS or not members:
            raise ValueError(f"an artefact holds between 1 and {MAX_MEMBERS} entries")
        if any(not (m.isfile() or m.isdir()) for m in members):
            raise ValueError("an artefact holds plain files and folders only")
        if any(m.name.startswith("/") or ".." in m.name.split("/") for m in members):
            raise ValueError("an artefact's entries stay inside its folder")
        tops = {m.name.split("/", 1)[0] for m in members}
        if len(tops) != 1:
            raise ValueError("an artefact has one top-level file or folder")
        archive.extractall(target, filter="data")
    return os.path.join(target, tops.pop())


def graph_ops(worker, path: str) -> dict:
    """Op types (with counts) of a SavedModel folder, a ``saved_model.pb`` or a binary GraphDef, functions included.

    Parsed from the protocol buffer; nothing of the graph runs.
    """
    from tensorflow.core.framework import graph_pb2
    from tensorflow.core.protobuf import saved_model_pb2

    if os.path.isdir(path):
        path = os.path.join(path, "saved_model.pb")
    data = open(path, "rb").read()
    graphs = []
    saved = saved_model_pb2.SavedModel()
    try:
        saved.ParseFromString(data)
        graphs = [meta.graph_def for meta in saved.meta_graphs]
    except Exception:  # noqa: BLE001 - not a SavedModel: try a bare GraphDef
        graphs = []
    if not graphs:
        graph = graph_pb2.GraphDef()
        graph.ParseFromString(data)
        graphs = [graph]
    counts: dict[str, int] = {}
    for graph in graphs:
        nodes = list(graph.node) + [n for f in graph.library.function for n in f.node_def]
        for node in nodes:
            counts[node.op] = counts.get(node.op, 0) + 1
    return counts


def outside_ops(worker, path: str) -> list[str]:
    """The ops of ``graph_ops`` that reach files, processes or Python (``OUTSIDE_OPS``), sorted."""
    return sorted(set(graph_ops(worker, path)) & OUTSIDE_OPS)


OPERATIONS = {"pack_artefact": pack, "unpack_artefact": unpack, "artefact_ops": graph_ops,
              "artefact_outside_ops": outside_ops}
