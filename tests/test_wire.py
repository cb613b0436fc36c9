import io
import json
import os
import pickle
import struct

import numpy as np
import pytest

from graders import wire


def roundtrip(value, **decoder_kwargs):
    encoder = wire.Encoder()
    tree = encoder.encode(value)
    arrays = [wire.npy_to_array(wire.array_to_npy(a)) for a in encoder.arrays]
    return wire.Decoder(arrays, on_handle=lambda i, t: ("handle", i, t), **decoder_kwargs).decode(tree)


def test_plain_values_roundtrip():
    value = {"a": [1, 2.5, None, True, "x"], "b": (3, -4), "nested": {"deep": [[1], [2]]}, "big": 2**70,
             "nan": float("nan"), "bytes": b"\x00\x01"}
    got = roundtrip(value)
    assert got["a"] == [1, 2.5, None, True, "x"] and got["b"] == (3, -4) and got["big"] == 2**70
    assert np.isnan(got["nan"]) and got["bytes"] == b"\x00\x01" and got["nested"] == {"deep": [[1], [2]]}


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint16", "int64", "float16", "float32", "float64", "complex64"])
def test_numeric_arrays_roundtrip_with_dtype(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    got = roundtrip(array)
    assert isinstance(got, wire.WireArray) and got.origin == "numpy.ndarray"
    assert got.dtype == array.dtype and np.array_equal(got, array)


def test_string_arrays_roundtrip():
    got = roundtrip(np.array([b"ab", b"c"]))
    assert got.tolist() == [b"ab", b"c"]


def test_object_arrays_are_refused_before_sending():
    with pytest.raises(wire.WireError, match="not allowed"):
        wire.Encoder().encode(np.array([object()], dtype=object))


def test_unknown_objects_need_a_handle_table():
    class Sneaky:
        def __eq__(self, other):
            return True

    with pytest.raises(wire.WireError, match="cannot send"):
        wire.Encoder().encode(Sneaky())
    handles = []
    tree = wire.Encoder(to_handle=lambda o: handles.append(o) or wire.Handle(1, "Sneaky")).encode(Sneaky())
    assert tree == {"$h": 1, "type": "Sneaky"}


def _npy_with_header(header: str, data: bytes) -> bytes:
    header_bytes = header.encode("latin1")
    pad = 64 - (10 + len(header_bytes) + 1) % 64
    header_bytes += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header_bytes)) + header_bytes + data


def test_pickled_npy_is_refused():
    payload = io.BytesIO()
    np.save(payload, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError, match="not allowed"):
        wire.npy_to_array(payload.getvalue())


def test_lying_header_shape_is_refused_before_allocating():
    data = _npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }", b"\0" * 8)
    with pytest.raises(wire.WireError, match="cap"):
        wire.npy_to_array(data)


def test_header_that_does_not_match_the_data_length_is_refused():
    data = _npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", b"\0" * 8)
    with pytest.raises(wire.WireError, match="does not match"):
        wire.npy_to_array(data)


@pytest.mark.parametrize("descr", ["[('a', '<f8')]", "'|O'", "'|V8'"])
def test_structured_void_and_object_dtypes_are_refused(descr):
    data = _npy_with_header(f"{{'descr': {descr}, 'fortran_order': False, 'shape': (1,), }}", b"\0" * 8)
    with pytest.raises(wire.WireError):
        wire.npy_to_array(data)


def test_oversized_npy_header_is_refused():
    data = _npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }" + " " * 10000, b"\0" * 8)
    with pytest.raises(wire.WireError):
        wire.npy_to_array(data)


def test_garbage_npy_is_refused():
    with pytest.raises(wire.WireError):
        wire.npy_to_array(pickle.dumps([1, 2, 3]))


def test_unknown_tags_and_bad_indices_are_refused():
    decoder = wire.Decoder([], on_handle=lambda i, t: None)
    for node in ({"$eval": "1"}, {"$a": 3}, {"$l": "notalist"}, {"$float": "1e9999"}, [1, 2]):
        with pytest.raises(wire.WireError):
            decoder.decode(node)


def test_deep_nesting_is_refused():
    node = 1
    for _ in range(wire.MAX_DEPTH + 5):
        node = {"$l": [node]}
    with pytest.raises(wire.WireError, match="deeply"):
        wire.Decoder([], on_handle=lambda i, t: None).decode(node)


def test_messages_roundtrip_over_a_pipe():
    r, w = os.pipe()
    try:
        wire.send_message(w, {"op": "x", "value": 1}, [np.arange(5)])
        header, arrays = wire.recv_message(r)
    finally:
        os.close(r)
        os.close(w)
    assert header["op"] == "x" and header["arrays"] == 1 and arrays[0].tolist() == [0, 1, 2, 3, 4]


def test_oversized_header_frame_is_refused_before_reading_it():
    r, w = os.pipe()
    try:
        os.write(w, struct.pack(">Q", wire.MAX_JSON_BYTES + 1))
        with pytest.raises(wire.WireError, match="cap"):
            wire.recv_message(r)
    finally:
        os.close(r)
        os.close(w)


def test_oversized_array_frame_is_refused_before_reading_it():
    r, w = os.pipe()
    body = json.dumps({"arrays": 1}).encode()
    try:
        os.write(w, struct.pack(">Q", len(body)) + body + struct.pack(">Q", 1 << 40))
        with pytest.raises(wire.WireError, match="cap"):
            wire.recv_message(r)
    finally:
        os.close(r)
        os.close(w)


def test_scalars_stay_scalars():
    got = roundtrip(np.float32(2.5))
    assert got.shape == () and got.origin == "numpy.float32" and float(got) == 2.5
    assert roundtrip(wire.Tensor(np.float32(1.0)), on_tensor=lambda a, d: a).shape == ()
