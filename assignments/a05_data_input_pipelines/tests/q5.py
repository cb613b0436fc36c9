from otter.test_files import test_case

OK_FORMAT = False

name = "q5"
points = None


@test_case(name="test_socket_stream_in_batches", points=1, hidden=False)
def test_socket_stream_in_batches(socket_records, stream_batches):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    payload = "".join(f"{i},{i}.5,-1,2\n" for i in range(50)).encode()

    def serve():
        conn, _ = listener.accept()
        with conn:
            for k in range(0, len(payload), 7):  # 7-byte chunks: lines arrive in pieces
                conn.sendall(payload[k:k + 7])
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    batches = list(stream_batches(lambda: socket_records("127.0.0.1", port), 16, 2))
    assert [int(s.shape[0]) for s, _ in batches] == [16, 16, 16, 2]
    seqs = [int(v) for s, _ in batches for v in s.numpy()]
    assert seqs == list(range(50)), seqs
    assert batches[0][1].numpy()[3].tolist() == [3.5, -1.0, 2.0]


@test_case(name="test_resilient_records_resume", points=1, hidden=False)
def test_resilient_records_resume(resilient_records):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    lines = [f"{i},{i}.5,-1,2\n" for i in range(30)]
    requests = []

    def serve():
        for cut in (50, None):  # the first connection breaks inside a line, the second finishes
            conn, _ = listener.accept()
            with conn:
                request = conn.recv(64).decode()
                requests.append(request.strip())
                payload = "".join(lines[int(request.split()[1]):]).encode() + b"END\n"
                conn.sendall(payload if cut is None else payload[:cut])
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    records = list(resilient_records("127.0.0.1", port, 2.0, 2))
    assert [seq for seq, _ in records] == list(range(30)), records
    assert records[4][1] == [4.5, -1.0, 2.0] and requests[0] == "FROM 0" and requests[1].startswith("FROM "), requests
