from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_wav_and_log_mel", points=1, hidden=False)
def test_wav_and_log_mel(read_wav, log_mel_spectrogram, mfcc):
    import os
    import tempfile

    import numpy as np
    import tensorflow as tf

    rate = 8000
    t = np.arange(rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    path = os.path.join(tempfile.mkdtemp(), "tone.wav")
    tf.io.write_file(path, tf.audio.encode_wav(tf.constant(np.stack([tone, tone], -1)), rate))
    wave, sr = read_wav(path)
    assert sr == 8000 and tuple(wave.shape) == (8000,), (sr, wave.shape)
    feats = log_mel_spectrogram(wave, sr)
    assert tuple(feats.shape) == (48, 40), tuple(feats.shape)
    weights = tf.signal.linear_to_mel_weight_matrix(40, 257, 8000, 20.0, 4000.0).numpy()
    peak = int(np.argmax(feats[10].numpy()))
    assert peak == int(np.argmax(weights[int(round(1000 / 8000 * 512))])), "a 1 kHz tone peaks in its mel bin"
    assert tuple(mfcc(feats).shape) == (48, 13)


@test_case(name="test_frames", points=1, hidden=False)
def test_frames(sample_frames, video_clips):
    import tensorflow as tf

    video = tf.reshape(tf.range(10), (10, 1, 1, 1))
    assert tf.reshape(sample_frames(video, 4), [-1]).numpy().tolist() == [0, 3, 6, 9]
    clips = video_clips(video, 4, 3)
    assert tuple(clips.shape) == (3, 4, 1, 1, 1) and int(clips[2, 0, 0, 0, 0]) == 6
