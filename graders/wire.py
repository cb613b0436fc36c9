"""The wire protocol between the trusted judge and a sandboxed worker.

Only plain data crosses: JSON values, and numeric arrays as ``.npy`` frames that are parsed by hand with
``allow_pickle=False``, a dtype allow-list and size caps checked before anything is allocated. Every other object stays
in the worker and travels as a :class:`Handle`. Both sides use this module, so it imports numpy and nothing else.

A message is one JSON frame followed by as many binary frames as the JSON says. A frame is an 8-byte big-endian length
and then that many bytes.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_JSON_BYTES = 16 << 20
MAX_ARRAY_BYTES = 256 << 20
MAX_MESSAGE_BYTES = 512 << 20
MAX_ARRAYS = 4096
MAX_DEPTH = 32
MAX_ITEMS = 200_000
MAX_NPY_HEADER = 4096
MAX_STRING_ITEMSIZE = 1 << 16

_FRAME = struct.Struct(">Q")
_ALLOWED_KINDS = frozenset("biufcSU")


class WireError(Exception):
    """A message broke the protocol: too large, malformed, or of a forbidden type."""


# ---------------------------------------------------------------------------------------------------------------
# Errors a remote call can end with. The judge plugin turns them into a question's `reason`.


class RemoteError(Exception):
    """A call into a worker did not produce a value."""

    reason = "error"

    def __init__(self, message: str, exc_type: str | None = None):
        super().__init__(message)
        self.exc_type = exc_type


class StudentException(RemoteError):
    """The student's code raised an exception."""

    reason = "exception"


class MissingName(RemoteError):
    """The notebook does not define a name the test needs."""

    reason = "missing_name"


class InvalidResult(RemoteError):
    """The result could not be turned into plain data, or broke the protocol."""

    reason = "invalid_result"


class CallTimeout(RemoteError):
    """The call ran past its time budget; the worker was killed."""

    reason = "timeout"


class MemoryLimit(RemoteError):
    """The worker ran out of its memory budget."""

    reason = "memory_limit"


class DiskLimit(RemoteError):
    """The worker filled its scratch folder or a sandbox tmpfs; it was stopped."""

    reason = "disk_limit"


class ProcessLimit(RemoteError):
    """The code left too many processes or threads running in the sandbox; the worker was stopped."""

    reason = "process_limit"


class WorkerDied(RemoteError):
    """The worker process ended in the middle of a call."""

    reason = "worker_died"


ERRORS_BY_KIND = {cls.reason: cls for cls in
                  (StudentException, MissingName, InvalidResult, CallTimeout, MemoryLimit, DiskLimit,
                   ProcessLimit, WorkerDied)}


# ---------------------------------------------------------------------------------------------------------------
# Values the judge sends that become TensorFlow objects in the worker.


@dataclass(frozen=True)
class Tensor:
    """An argument that the worker turns into ``tf.constant(array, dtype)``."""

    array: Any
    dtype: str | None = None


@dataclass(frozen=True)
class DType:
    """An argument that the worker turns into ``tf.as_dtype(name)``."""

    name: str


@dataclass(frozen=True)
class TensorSpec:
    """An argument that the worker turns into ``tf.TensorSpec(shape, dtype)``."""

    shape: tuple
    dtype: str = "float32"


@dataclass(frozen=True)
class Handle:
    """A reference to an object that stays in the worker.

    The judge-side :class:`graders.judge.Remote` binds handles to their worker so a test can call methods on them;
    here it is only an id and the object's type name as the worker reported it (informative, never trusted).
    """

    id: int
    type_name: str
    remote: Any = field(default=None, compare=False, repr=False)

    def call(self, method: str, *args, **kwargs):
        """Calls ``obj.method(*args, **kwargs)`` in the worker."""
        return self.remote.call_handle(self, method, args, kwargs)

    def __call__(self, *args, **kwargs):
        return self.remote.call_handle(self, None, args, kwargs)

    def attr(self, name: str, *, keep: bool = False):
        """Returns ``getattr(obj, name)`` from the worker; ``keep=True`` returns a Handle even for plain data."""
        return self.remote.getattr_handle(self, name, keep=keep)

    def type_info(self) -> dict:
        """Returns the object's type name and the names in its MRO, as the worker reports them."""
        return self.remote.harness("type_info", self)


class WireArray(np.ndarray):
    """A numpy array decoded from the wire; ``origin`` names the worker object it came from."""

    origin: str = "numpy.ndarray"

    def __array_finalize__(self, obj):
        self.origin = getattr(obj, "origin", "numpy.ndarray")


# ---------------------------------------------------------------------------------------------------------------
# Encoding: value <-> (JSON tree, list of arrays).


class Encoder:
    """Turns a value into a JSON-able tree plus a list of arrays.

    Args:
        to_handle: Called with an object that is not plain data; returns a ``Handle`` or raises ``WireError``.
        classify: Called with any value first; may return ``(array, origin)`` to send it as an array (the worker uses
            it for tensors and numpy scalars).
    """

    def __init__(self, to_handle=None, classify=None):
        self.arrays: list[np.ndarray] = []
        self._to_handle = to_handle
        self._classify = classify
        self._items = 0

    def encode(self, value, depth: int = 0):
        self._items += 1
        if depth > MAX_DEPTH or self._items > MAX_ITEMS:
            raise WireError("value is nested too deeply or has too many items")
        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if abs(value) < 2**63 else {"$bigint": str(value)}
        if kind is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if kind is list:
            return {"$l": [self.encode(v, depth + 1) for v in value]}
        if kind is tuple:
            return {"$t": [self.encode(v, depth + 1) for v in value]}
        if kind is dict:
            if not all(type(k) is str for k in value):
                return self._handle(value)
            return {"$d": {k: self.encode(v, depth + 1) for k, v in value.items()}}
        if kind is bytes:
            return {"$bytes": self._array(np.frombuffer(value, np.uint8), "bytes")}
        if kind is Tensor:
            return {"$T": self._array(np.asarray(value.array), "tensor"), "dtype": value.dtype}
        if kind is DType:
            return {"$dtype": str(value.name)}
        if kind is TensorSpec:
            return {"$spec": [None if d is None else int(d) for d in value.shape], "dtype": str(value.dtype)}
        if kind is Handle:
            return {"$h": value.id, "type": value.type_name}
        if self._classify is not None:
            classified = self._classify(value)
            if classified is not None:
                array, origin = classified
                return {"$a": self._array(array, origin), "origin": origin}
        if kind is np.ndarray or kind is WireArray:
            return {"$a": self._array(value, "numpy.ndarray"), "origin": "numpy.ndarray"}
        if isinstance(value, np.generic) and kind.__module__ == "numpy":
            return {"$a": self._array(np.asarray(value), f"numpy.{kind.__name__}"), "origin": f"numpy.{kind.__name__}"}
        return self._handle(value)

    def _handle(self, value):
        if self._to_handle is None:
            raise WireError(f"cannot send an object of type {type(value).__name__}")
        handle = self._to_handle(value)
        return {"$h": handle.id, "type": handle.type_name}

    def _array(self, array: np.ndarray, origin: str) -> int:
        if type(array) is not np.ndarray:
            array = np.asarray(array).view(np.ndarray)
        check_dtype(array.dtype)
        if array.nbytes > MAX_ARRAY_BYTES:
            raise WireError(f"array of {array.nbytes} bytes is over the {MAX_ARRAY_BYTES}-byte cap")
        if len(self.arrays) >= MAX_ARRAYS:
            raise WireError("too many arrays in one message")
        self.arrays.append(array)
        return len(self.arrays) - 1


class Decoder:
    """Turns a JSON tree plus arrays back into values; strict about every tag.

    Args:
        arrays: The decoded binary frames.
        on_handle: Called with ``(id, type_name)``; returns what a handle decodes to.
        on_tensor: Called with ``(array, dtype)`` for a ``Tensor`` marker (the worker makes a ``tf.constant``).
        on_dtype: Called with a dtype name (the worker makes a ``tf.DType``).
        on_spec: Called with ``(shape, dtype)`` (the worker makes a ``tf.TensorSpec``).
    """

    def __init__(self, arrays, on_handle, on_tensor=None, on_dtype=None, on_spec=None):
        self.arrays = arrays
        self.on_handle = on_handle
        self.on_tensor = on_tensor or (lambda a, d: Tensor(a, d))
        self.on_dtype = on_dtype or DType
        self.on_spec = on_spec or (lambda s, d: TensorSpec(tuple(s), d))
        self._items = 0

    def decode(self, node, depth: int = 0):
        self._items += 1
        if depth > MAX_DEPTH or self._items > MAX_ITEMS:
            raise WireError("value is nested too deeply or has too many items")
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is not dict or not node:
            raise WireError(f"unexpected JSON node {type(node).__name__}")
        tag = next(iter(node))
        if tag == "$l":
            return [self.decode(v, depth + 1) for v in _list(node[tag])]
        if tag == "$t":
            return tuple(self.decode(v, depth + 1) for v in _list(node[tag]))
        if tag == "$d":
            items = node[tag]
            if type(items) is not dict:
                raise WireError("malformed dict")
            return {str(k): self.decode(v, depth + 1) for k, v in items.items()}
        if tag == "$a":
            array = self._array(node[tag]).view(WireArray)
            array.origin = str(node.get("origin", "unknown"))[:200]
            return array
        if tag == "$bytes":
            array = self._array(node[tag])
            if array.dtype != np.uint8:
                raise WireError("malformed bytes")
            return array.tobytes()
        if tag == "$bigint":
            return int(str(node[tag])[:4300])
        if tag == "$float":
            text = node[tag]
            if text not in ("nan", "inf", "-inf"):
                raise WireError("malformed float")
            return float(text)
        if tag == "$T":
            return self.on_tensor(self._array(node[tag]), node.get("dtype"))
        if tag == "$dtype":
            return self.on_dtype(str(node[tag]))
        if tag == "$spec":
            return self.on_spec([None if d is None else int(d) for d in _list(node[tag])], str(node.get("dtype")))
        if tag == "$h":
            if type(node[tag]) is not int:
                raise WireError("malformed handle")
            return self.on_handle(node[tag], str(node.get("type", "object"))[:200])
        raise WireError(f"unknown tag {tag!r}")

    def _array(self, index) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(self.arrays):
            raise WireError("array index out of range")
        return self.arrays[index]


def _list(value) -> list:
    if type(value) is not list:
        raise WireError("malformed list")
    return value


# ---------------------------------------------------------------------------------------------------------------
# .npy frames, parsed by hand.


def check_dtype(dtype: np.dtype) -> None:
    """Raises ``WireError`` unless ``dtype`` is a plain numeric, boolean or fixed-width string dtype."""
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in _ALLOWED_KINDS:
        raise WireError(f"arrays of dtype {dtype} are not allowed on the wire")
    if dtype.kind in "SU" and dtype.itemsize > MAX_STRING_ITEMSIZE:
        raise WireError("string items are too long")


def array_to_npy(array: np.ndarray) -> bytes:
    """Serializes an array as ``.npy`` bytes, never pickling."""
    buffer = io.BytesIO()
    # np.ascontiguousarray would turn a 0-d array into shape (1,); np.require keeps scalars scalar.
    np.lib.format.write_array(buffer, np.require(array, requirements="C"), allow_pickle=False)
    return buffer.getvalue()


def npy_to_array(payload: bytes, max_bytes: int = MAX_ARRAY_BYTES) -> np.ndarray:
    """Parses ``.npy`` bytes after checking the header against the caps and the allow-list."""
    stream = io.BytesIO(payload)
    try:
        major, _minor = np.lib.format.read_magic(stream)
        if major == 1:
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream, max_header_size=MAX_NPY_HEADER)
        elif major in (2, 3):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream, max_header_size=MAX_NPY_HEADER)
        else:
            raise WireError(f"unsupported .npy version {major}")
    except WireError:
        raise
    except Exception as exc:  # numpy raises ValueError, SyntaxError, ... on a malformed header
        raise WireError(f"malformed .npy header: {type(exc).__name__}") from None
    check_dtype(dtype)
    if not isinstance(shape, tuple) or len(shape) > 32 or not all(type(d) is int and d >= 0 for d in shape):
        raise WireError("malformed .npy shape")
    count = 1
    for dim in shape:
        count *= dim
        if count * dtype.itemsize > max_bytes:
            raise WireError(f"array is over the {max_bytes}-byte cap")
    start = stream.tell()
    if len(payload) - start != count * dtype.itemsize:
        raise WireError(".npy header does not match the data length")
    data = np.frombuffer(payload, dtype=dtype, count=count, offset=start)
    return data.reshape(shape, order="F" if fortran else "C").copy()


# ---------------------------------------------------------------------------------------------------------------
# Framing over a pair of file descriptors.


def _write_all(fd: int, data: bytes, writer=None) -> None:
    view = memoryview(data)
    while view:
        written = (writer or os.write)(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int, reader=None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = (reader or os.read)(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def send_message(fd: int, header: dict, arrays=(), writer=None) -> None:
    """Writes one message: the JSON header (with the array count) and the arrays as ``.npy`` frames.

    ``writer`` is an optional ``(fd, bytes) -> int`` replacement for ``os.write`` (the judge passes one with a
    deadline, so a worker that stops reading cannot block it).
    """
    header = dict(header, arrays=len(arrays))
    body = json.dumps(header, allow_nan=False, separators=(",", ":")).encode()
    if len(body) > MAX_JSON_BYTES:
        raise WireError("message header is too large")
    frames = [body] + [array_to_npy(a) for a in arrays]
    _write_all(fd, b"".join(_FRAME.pack(len(f)) + f for f in frames), writer)


def recv_message(fd: int, reader=None) -> tuple[dict, list[np.ndarray]]:
    """Reads one message; every length is checked before the bytes are read.

    Args:
        fd: The descriptor to read from.
        reader: Optional ``(fd, n) -> bytes`` replacement for ``os.read`` (the judge passes one with a deadline).
    """
    size = _FRAME.unpack(_read_exact(fd, _FRAME.size, reader))[0]
    if size > MAX_JSON_BYTES:
        raise WireError(f"header frame of {size} bytes is over the cap")
    try:
        header = json.loads(_read_exact(fd, size, reader))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"malformed header: {type(exc).__name__}") from None
    if type(header) is not dict:
        raise WireError("header is not an object")
    count = header.get("arrays", 0)
    if type(count) is not int or not 0 <= count <= MAX_ARRAYS:
        raise WireError("bad array count")
    arrays, total = [], 0
    for _ in range(count):
        size = _FRAME.unpack(_read_exact(fd, _FRAME.size, reader))[0]
        total += size
        if size > MAX_ARRAY_BYTES + MAX_NPY_HEADER or total > MAX_MESSAGE_BYTES:
            raise WireError(f"array frame of {size} bytes is over the cap")
        arrays.append(npy_to_array(_read_exact(fd, size, reader)))
    return header, arrays
