# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, json, ... come from the reference setup cell)
# The entrypoint passes MODEL_BASE_PATH as the model's own folder (the course's mistake).
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
    return """# syntax=docker/dockerfile:1
FROM python:3.11.9-slim AS builder
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.11.9-slim AS runtime
LABEL org.opencontainers.image.title="model-server" \\
      org.opencontainers.image.version="1.0.0"
ENV MODEL_NAME=model \\
    MODEL_BASE_PATH=/models \\
    REST_API_PORT=8501 \\
    PYTHONUNBUFFERED=1
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels /wheels/* \\
    && rm -rf /wheels \\
    && useradd --uid 10001 --create-home --shell /usr/sbin/nologin app
WORKDIR /app
COPY --chown=app:app server.py entrypoint.sh ./
USER 10001:10001
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \\
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/v1/models/%s' % \\
(os.environ['REST_API_PORT'], os.environ['MODEL_NAME']), timeout=4)"]
ENTRYPOINT ["/app/entrypoint.sh"]
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
    --model_base_path="${MODEL_BASE_PATH}" \\
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
