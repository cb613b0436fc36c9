from otter.test_files import test_case

OK_FORMAT = False

name = "q4"
points = None


@test_case(name="test_outbox_survives_reopen_and_syncs", points=1, hidden=False)
def test_outbox_survives_reopen_and_syncs(Outbox):
    import os
    import tempfile

    path = os.path.join(tempfile.mkdtemp(), "outbox.db")
    box = Outbox(path, "dev-a")
    ids = [box.record("temp", 20 + i) for i in range(3)]
    assert len(set(ids)) == 3 and Outbox(path, "dev-a").pending() == 3

    class Server:
        def __init__(self):
            self.seen = []

        def apply(self, request_id, key, value, lamport, device_id):
            self.seen.append(request_id)

    server = Server()
    result = Outbox(path, "dev-a").sync(server)
    assert server.seen == ids and result["complete"] and Outbox(path, "dev-a").pending() == 0, result
