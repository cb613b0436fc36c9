"""Entry point of a sandboxed worker: ``python -m graders.worker --in FD --out FD --assignment ID [--probes PATH]``."""

import argparse

from graders.worker.server import serve

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--in", dest="fd_in", type=int, required=True)
    parser.add_argument("--out", dest="fd_out", type=int, required=True)
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--probes", help="the assignment's probe module (a file path)")
    parser.add_argument("--watch-disk", action="store_true", help="stop when a sandbox tmpfs is nearly full")
    options = parser.parse_args()
    serve(options.fd_in, options.fd_out, options.assignment, probes=options.probes, watch_disk=options.watch_disk)
