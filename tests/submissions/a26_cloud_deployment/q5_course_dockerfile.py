# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, json, ... come from the reference setup cell)
# The course's Dockerfile: one stage on tensorflow/serving:2.13.0, MODEL_BASE_PATH set to the model folder,
# shell-form CMD and a curl HEALTHCHECK (hadolint DL3025), running as root.
# %% [q5]
def dockerfile() -> str:
    """A Dockerfile for the course's model server (``server.py``, run by ``entrypoint.sh``).

    It has:

    a multi-stage build (a ``builder`` stage that builds wheels from ``requirements.txt``, a runtime stage that
    installs them); base images pinned to an exact tag (never ``latest``, never untagged), ``python:3.11.9-slim``;
    ``ENV MODEL_NAME=model MODEL_BASE_PATH=/models`` (the *parent* folder of the model's folder) and
    ``REST_API_PORT=8501``; ``EXPOSE 8501``; the OCI label ``org.opencontainers.image.version``; a non-root ``USER``
    in the final stage; a ``HEALTHCHECK`` in exec form that uses Python (the slim image has no curl); exec-form
    ``ENTRYPOINT ["/app/entrypoint.sh"]``. hadolint must report nothing at level warning or above.
    """
    return """FROM tensorflow/serving:2.13.0
ENV MODEL_NAME=mnist_classifier
ENV MODEL_BASE_PATH=/models/mnist_classifier
COPY saved_model /models/mnist_classifier
EXPOSE 8500 8501
HEALTHCHECK --interval=30s CMD curl -f http://localhost:8501/v1/models/mnist_classifier || exit 1
CMD tensorflow_model_server --port=8500 --rest_api_port=8501 --model_name=${MODEL_NAME} --model_base_path=${MODEL_BASE_PATH}
"""


def entrypoint_sh() -> str:
    """The container's ``entrypoint.sh``.

    Bash: fail on errors and unset variables; require ``MODEL_NAME``; ``exec`` (so the server
    is PID 1 and receives signals) ``"${PYTHON:-python}" "${APP_DIR:-/app}/server.py"`` with the flags
    ``--rest_api_port=${REST_API_PORT:-8501}``, ``--model_name=${MODEL_NAME}``,
    ``--model_base_path=${MODEL_BASE_PATH:-/models}/${MODEL_NAME}``, then the script's own arguments (``"$@"``).
    """
    return """#!/usr/bin/env bash
set -euo pipefail
: "${MODEL_NAME:?MODEL_NAME must be set}"
exec "${PYTHON:-python}" "${APP_DIR:-/app}/server.py" \\
    --rest_api_port="${REST_API_PORT:-8501}" \\
    --model_name="${MODEL_NAME}" \\
    --model_base_path="${MODEL_BASE_PATH:-/models}/${MODEL_NAME}" \\
    "$@"
"""


def dockerignore() -> str:
    """The ``.dockerignore`` file.

    Exclude at least ``.git``, ``__pycache__``, ``*.pyc``, ``data/``, ``.venv`` and notebooks' checkpoints, one
    pattern per line.
    """
    return ".git\n**/__pycache__\n**/*.pyc\ndata/\n.venv\n**/.ipynb_checkpoints\n"


def image_tag(registry: str, model_name: str, semver: str, git_sha: str) -> str:
    """An image reference: ``<registry>/<model_name>:<semver>-<first 7 characters of git_sha>``.

    ``ValueError`` unless ``semver`` is
    ``MAJOR.MINOR.PATCH`` (no leading zeros) and ``git_sha`` is at least 7 lowercase hex digits; ``model_name`` is
    lower-cased and every run of characters outside ``[a-z0-9._-]`` becomes ``-``.
    """
    if not re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", semver):
        raise ValueError(f"not a MAJOR.MINOR.PATCH version: {semver!r}")
    if not re.fullmatch(r"[0-9a-f]{7,40}", git_sha):
        raise ValueError(f"not a git sha: {git_sha!r}")
    name = re.sub(r"[^a-z0-9._-]+", "-", model_name.lower())
    return f"{registry}/{name}:{semver}-{git_sha[:7]}"
