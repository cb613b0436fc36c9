"""Hidden tests for A05 Q4: audio (WAV, STFT, log-mel, MFCC) and video frame sampling."""

import numpy as np
import pytest

from graders import checks
from graders.wire import Tensor

pytestmark = pytest.mark.question("q4")


def _clip(rng, frames, height, width):
    """A (T, H, W, 3) uint8 clip: a square moving over a gradient, the frame number in pixel (0, 0, 0)."""
    clip = np.broadcast_to(np.linspace(0, 200, width)[None, None, :, None], (frames, height, width, 3)).astype(np.uint8)
    clip = clip.copy()
    x, y = int(rng.integers(0, width - 4)), int(rng.integers(0, height - 4))
    for f in range(frames):
        clip[f, y:y + 4, x:x + 4] = (255, 50, 50)
        clip[f, 0, 0, 0] = f
        x, y = (x + 1) % (width - 4), (y + 1) % (height - 4)
    return clip


@pytest.mark.points(2)
@pytest.mark.parametrize("channels", [1, 2])
def test_wav_file_to_features(student, reference, rng, channels):
    seed, rate, seconds = int(rng.integers(10**6)), int(rng.choice([8000, 16000])), float(rng.uniform(0.5, 1.0))
    got = student.probe("wav_probe", seed, rate, seconds, channels)
    want = reference.probe("wav_probe", seed, rate, seconds, channels)
    checks.assert_value(got["rate"], want["rate"], name="read_wav sample rate")
    checks.assert_tensor(got["waveform"], want["waveform"], expect="tensor", dtype="float32", atol=1e-6,
                         name=f"read_wav waveform ({channels}-channel file; stereo is averaged to mono)")
    checks.assert_tensor(got["log_mel"], want["log_mel"], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-3,
                         name="log_mel_spectrogram of the decoded waveform")
    checks.assert_tensor(got["mfcc"], want["mfcc"], expect="tensor", dtype="float32", rtol=1e-4, atol=1e-3,
                         name="mfcc of the log-mel features")


@pytest.mark.points(2)
def test_log_mel_parameters_and_batch(student, reference, rng):
    rate = 16000
    wave = rng.normal(0, 0.3, size=(2, int(rng.integers(3000, 6000)))).astype(np.float32)
    kwargs = {"frame_length": 256, "frame_step": 128, "fft_length": 256, "num_mel_bins": int(rng.integers(16, 30)),
              "lower_hz": 60.0, "upper_hz": 7000.0}
    got = student.call("log_mel_spectrogram", Tensor(wave), rate, **kwargs)
    want = reference.call("log_mel_spectrogram", Tensor(wave), rate, **kwargs)
    checks.assert_tensor(got, want, expect="tensor", dtype="float32", rtol=1e-4, atol=1e-3,
                         name=f"log_mel_spectrogram of a (2, samples) batch with {kwargs}")
    n = int(rng.integers(5, 14))
    log_mel = Tensor(np.asarray(want))  # the same input for both: this checks mfcc alone
    checks.assert_tensor(student.call("mfcc", log_mel, n), reference.call("mfcc", log_mel, n), expect="tensor",
                         rtol=1e-4, atol=1e-3, name=f"mfcc(log_mel, {n})")


@pytest.mark.points(2)
def test_gradient_flows_through_stft_and_mel(student, reference, rng):
    wave = Tensor(rng.normal(0, 0.3, size=1600).astype(np.float32))
    checks.assert_gradients(student, reference, "log_mel_spectrogram", (wave, 8000), rtol=1e-3, atol=1e-3)


@pytest.mark.points(2)
def test_sample_frames_evenly(student, reference, rng):
    for frames, num in ((int(rng.integers(20, 40)), int(rng.integers(3, 9))), (7, 11), (9, 5)):
        clip = Tensor(_clip(rng, frames, 12, 16))
        checks.assert_tensor(student.call("sample_frames", clip, num), reference.call("sample_frames", clip, num),
                             expect="tensor", dtype="uint8", atol=0,
                             name=f"sample_frames of a {frames}-frame clip, num_frames={num} "
                                  "(indices round(linspace(0, T - 1, num)))")


@pytest.mark.points(2)
def test_video_clips_with_stride(student, reference, rng):
    clip = Tensor(_clip(rng, int(rng.integers(20, 30)), 8, 10))
    for length, stride in ((4, 2), (int(rng.integers(3, 7)), int(rng.integers(3, 6))), (5, 1)):
        checks.assert_tensor(student.call("video_clips", clip, length, stride),
                             reference.call("video_clips", clip, length, stride), expect="tensor", dtype="uint8",
                             atol=0, name=f"video_clips(clip, clip_length={length}, stride={stride})")
