from otter.test_files import test_case

OK_FORMAT = False

name = "q1"
points = None


@test_case(name="test_signed_update_installs_and_replay_is_rejected", points=1, hidden=False)
def test_signed_update_installs_and_replay_is_rejected(build_ota_package, DeviceAgent, UpdateRejected, tiny_mlp,
                                                        to_tflite):
    import tempfile

    import numpy as np
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    model = to_tflite(tiny_mlp((8, 8, 2)))
    package = build_ota_package(model, 2, key)
    assert isinstance(package, bytes)
    agent = DeviceAgent(tempfile.mkdtemp(), key.public_key(), "dev-0")
    assert agent.apply_update(package, np.zeros((1, 8), np.float32)) is True
    assert agent.active_version() == 2 and agent.active_model() == model
    try:
        agent.apply_update(package, np.zeros((1, 8), np.float32))
    except UpdateRejected:
        pass
    else:
        raise AssertionError("a package whose version is not newer than the counter must raise UpdateRejected")
