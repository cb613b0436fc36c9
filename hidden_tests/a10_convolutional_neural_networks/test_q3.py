"""Hidden tests for A10 Q3: VGG-style blocks from a config, with counts the judge recomputes.

The model is built in each worker by ``probes.vgg_probe`` with weights drawn from the judge's seed; parameter
counts, multiply-accumulates, output sizes and receptive fields are the judge's own arithmetic.
"""

import numpy as np
import pytest

from graders import checks

pytestmark = pytest.mark.question("q3")

SPECS = [([8, "M", 16, "M", 16], (16, 16, 3), 5), ([4, 4, "M", 8, 8, "M", 12, "M"], (24, 20, 1), 3),
         ([6, "M", "M", 10], (17, 15, 2), 4)]


def _layers(spec):
    names = []
    for item in spec:
        names += ["MaxPooling2D"] if item == "M" else ["Conv2D", "BatchNormalization", "ReLU"]
    return names + ["GlobalAveragePooling2D", "Dense"]


def _params(spec, c, classes):
    total = 0
    for item in spec:
        if item != "M":
            total += 9 * c * item + 4 * item
            c = item
    return total + c * classes + classes


def _macs(spec, shape, classes):
    h, w, c = shape
    total = 0
    for item in spec:
        if item == "M":
            h, w = h // 2, w // 2
        else:
            total += h * w * 9 * c * item
            c = item
    return total + c * classes


def _rf(spec):
    r, jump = 1, 1
    for item in spec:
        k, s = (2, 2) if item == "M" else (3, 1)
        r += (k - 1) * jump
        jump *= s
    return r


def _spatial(spec, shape):
    h, w, _ = shape
    sizes = []
    for item in spec:
        if item == "M":
            h, w = h // 2, w // 2
            sizes.append([h, w])
    return sizes


@pytest.mark.points(3)
def test_layer_sequence_and_spatial_sizes_follow_the_spec(student, rng):
    for spec, shape, classes in SPECS:
        x = rng.normal(size=(2, *shape)).astype(np.float32)
        got = student.probe("vgg_probe", spec, shape, classes, 1, x)
        checks.assert_value(got["layers"], _layers(spec),
                            name=f"layer types of build_vgg({spec}) (conv-BN-ReLU per int, MaxPooling2D per 'M', "
                                 "then GlobalAveragePooling2D and Dense)")
        pooled = [s[:2] for s, name in zip(got["output_shapes"], got["layers"], strict=True) if name == "MaxPooling2D"]
        checks.assert_value(pooled, _spatial(spec, shape), name=f"spatial size after each 'M' of {spec} on {shape}")
        checks.assert_value(list(np.shape(got["output"])), [2, classes], name="output shape (batch, num_classes)")


@pytest.mark.points(2)
def test_forward_pass_with_fixed_weights_matches(student, reference, rng):
    for spec, shape, classes in SPECS[:2]:
        x = rng.normal(size=(3, *shape)).astype(np.float32)
        seed = int(rng.integers(0, 2**20))
        got = student.probe("vgg_probe", spec, shape, classes, seed, x)
        want = reference.probe("vgg_probe", spec, shape, classes, seed, x)
        checks.assert_value(got["weight_shapes"], want["weight_shapes"],
                            name=f"weight shapes of build_vgg({spec}) in order (3x3 kernels without bias, "
                                 "BatchNormalization, Dense)")
        checks.assert_tensor(got["output"], want["output"], rtol=1e-4, atol=1e-4,
                             name=f"logits of build_vgg({spec}) with the judge's weights, in inference mode")


@pytest.mark.points(3)
def test_count_params_matches_the_built_model(student, rng):
    for spec, shape, classes in SPECS:
        x = rng.normal(size=(1, *shape)).astype(np.float32)
        built = student.probe("vgg_probe", spec, shape, classes, 1, x)
        from_weights = int(sum(int(np.prod(s)) for s in built["weight_shapes"]))
        want = _params(spec, shape[2], classes)
        checks.assert_value(from_weights, want, name=f"weights of build_vgg({spec}, {shape}, {classes}), "
                                                     "counted from the model's weight shapes")
        checks.assert_value(student.call("count_params", spec, shape[2], classes), want,
                            name=f"count_params({spec}, in_channels={shape[2]}, num_classes={classes}) "
                                 "(BN has four weights per channel)")


@pytest.mark.points(2)
def test_count_macs(student):
    for spec, shape, classes in [*SPECS, ([32, 32, "M", 64, 64, "M", 128, 128, 128, "M"], (32, 32, 3), 10),
                                 ([5, "M", 7, "M", 9], (15, 13, 3), 2)]:
        checks.assert_value(student.call("count_macs", spec, shape, classes), _macs(spec, shape, classes),
                            name=f"count_macs({spec}, {shape}, {classes}) (out_h*out_w*9*C_in*C_out per conv, "
                                 "C*num_classes for the head, pooling floors)")


@pytest.mark.points(2)
def test_receptive_field(student):
    for spec in [[8], [8, 8], [8, "M", 8], [8, 8, "M", 16, 16, "M", 32, 32, 32, "M", 64], ["M", "M", 4],
                 [4, "M", "M", 4, 4]]:
        checks.assert_value(student.call("receptive_field", spec), _rf(spec),
                            name=f"receptive_field({spec}) (r += (k-1)*jump, then jump *= stride)")
