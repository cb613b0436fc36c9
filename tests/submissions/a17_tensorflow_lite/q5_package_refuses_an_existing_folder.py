# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# package_model creates out_dir with os.makedirs and no exist_ok, so packaging into an existing folder fails.
# %% [q5]
def export_c_array(tflite_bytes: bytes, var_name: str = "g_model") -> str:
    """The model as C source for TensorFlow Lite Micro (the output of ``xxd -i``, aligned).

    Exactly two declarations::

        alignas(16) const unsigned char g_model[] = {0x1c, 0x00, ...};
        const unsigned int g_model_len = 12345;

    Bytes as lower-case ``0x..`` literals separated by commas (line breaks allowed).
    """
    data = bytes(tflite_bytes)
    lines = []
    for start in range(0, len(data), 12):
        lines.append("  " + ", ".join(f"0x{b:02x}" for b in data[start:start + 12]))
    body = ",\n".join(lines)
    return (f"alignas(16) const unsigned char {var_name}[] = {{\n{body}\n}};\n"
            f"const unsigned int {var_name}_len = {len(data)};\n")


def package_model(tflite_bytes: bytes, labels: list, out_dir: str) -> dict:
    """Write an edge deployment package and return its manifest.

    Files in ``out_dir`` (created if needed): ``model.tflite`` (the bytes), ``labels.txt`` (one label
    per line) and ``manifest.json``, the returned dict::

        {"model_file": "model.tflite", "sha256": <hex digest of the bytes>, "size_bytes": int,
         "labels": <number of labels>,
         "inputs": [{"name", "shape", "dtype", "scale", "zero_point"}, ...],
         "outputs": [... the same ...]}

    with ``shape`` a list of ints, ``dtype`` a NumPy dtype name and ``scale``/``zero_point`` from the
    interpreter detail's ``"quantization"`` (``0.0``/``0`` for float tensors).
    """
    os.makedirs(out_dir)
    data = bytes(tflite_bytes)
    with open(os.path.join(out_dir, "model.tflite"), "wb") as f:
        f.write(data)
    with open(os.path.join(out_dir, "labels.txt"), "w") as f:
        f.write("".join(f"{label}\n" for label in labels))
    interpreter = Interpreter(model_content=data)

    def spec(detail):
        scale, zero_point = detail["quantization"]
        return {"name": detail["name"], "shape": [int(d) for d in detail["shape"]],
                "dtype": np.dtype(detail["dtype"]).name, "scale": float(scale), "zero_point": int(zero_point)}

    manifest = {"model_file": "model.tflite", "sha256": hashlib.sha256(data).hexdigest(), "size_bytes": len(data),
                "labels": len(labels), "inputs": [spec(d) for d in interpreter.get_input_details()],
                "outputs": [spec(d) for d in interpreter.get_output_details()]}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    return manifest


def run_on_edge(package_dir: str, x: np.ndarray, timeout: float = 60.0) -> np.ndarray:
    """Run the packaged model in a separate Python process that never imports TensorFlow.

    Write a small script (``ai_edge_litert`` and NumPy only) and ``x`` (``.npy``) into
    ``package_dir``, run ``[sys.executable, script, model, input, output]`` with ``subprocess.run``
    (inheriting the environment; ``check=True``), and load the float32 output it saved. Integer I/O is
    quantized/dequantized inside the script, so the result is always float32.
    """
    edge_script = '''
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter

model_path, input_path, output_path = sys.argv[1:4]
interpreter = Interpreter(model_path=model_path)
inp = interpreter.get_input_details()[0]
out = interpreter.get_output_details()[0]
x = np.load(input_path)
interpreter.resize_tensor_input(inp["index"], list(x.shape))
interpreter.allocate_tensors()
scale, zero_point = inp["quantization"]
if np.dtype(inp["dtype"]).kind == "i":
    info = np.iinfo(inp["dtype"])
    x = np.clip(np.round(x / scale) + zero_point, info.min, info.max)
interpreter.set_tensor(inp["index"], x.astype(inp["dtype"]))
interpreter.invoke()
y = interpreter.get_tensor(out["index"])
scale, zero_point = out["quantization"]
if np.dtype(out["dtype"]).kind == "i":
    y = (y.astype(np.float64) - zero_point) * scale
np.save(output_path, y.astype(np.float32))
'''
    script = os.path.join(package_dir, "edge_infer.py")
    with open(script, "w") as f:
        f.write(edge_script)
    input_path = os.path.join(package_dir, "input.npy")
    output_path = os.path.join(package_dir, "output.npy")
    np.save(input_path, np.asarray(x, np.float32))
    subprocess.run([sys.executable, script, os.path.join(package_dir, "model.tflite"), input_path, output_path],
                   check=True, timeout=timeout, capture_output=True)
    return np.load(output_path)
