# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf come from the reference setup cell)
# The course's spectrogram: the STFT magnitude |X| instead of the power |X|^2 goes into the mel
# filterbank, and the frame indices are truncated (int cast) instead of rounded. WAV reading, MFCC
# and clips are right.
# %% [q4]
def read_wav(path):
    """Mono waveform and rate."""
    audio, rate = tf.audio.decode_wav(tf.io.read_file(path))
    return tf.reduce_mean(audio, axis=-1), int(rate)


def log_mel_spectrogram(waveform, sample_rate: int, frame_length: int = 400, frame_step: int = 160,
                        fft_length: int = 512, num_mel_bins: int = 40, lower_hz: float = 20.0,
                        upper_hz: float = 4000.0):
    """Log-mel of the magnitude spectrogram."""
    magnitude = tf.abs(tf.signal.stft(waveform, frame_length, frame_step, fft_length))
    weights = tf.signal.linear_to_mel_weight_matrix(num_mel_bins, fft_length // 2 + 1, sample_rate, lower_hz,
                                                    upper_hz)
    return tf.math.log(tf.tensordot(magnitude, weights, 1) + 1e-6)


def mfcc(log_mel, num_coefficients: int = 13):
    """MFCCs."""
    return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :num_coefficients]


def sample_frames(video, num_frames: int):
    """Truncated linspace indices."""
    last = tf.cast(tf.shape(video)[0] - 1, tf.float64)
    indices = tf.cast(tf.linspace(tf.constant(0.0, tf.float64), last, num_frames), tf.int32)
    return tf.gather(video, indices)


def video_clips(video, clip_length: int, stride: int):
    """Strided clips."""
    return tf.signal.frame(video, clip_length, stride, axis=0)
