# syntax=docker/dockerfile:1
# LineageLens container image (docs/deploy.md). Three stages:
#   ui      - Node 20 builds the web UI (ui/dist), as `make ui` does;
#   wheel   - the LineageLens wheel with the UI inside, plus wheels of every dependency;
#   runtime - a slim Python 3.11 with those wheels installed from the local folder only: no compiler, no Node,
#             no network at install time; runs as uid 10001 with its state under /var/lib/lineagelens.
# Build:  docker build -t lineagelens:0.1.0 .      (or: buildah bud -t lineagelens:0.1.0 .)
# Run:    docker run -p 5000:5000 -v lineagelens:/var/lib/lineagelens lineagelens:0.1.0
# Base images are pinned to a minor version and Debian release; pin them by digest in your registry mirror with
#   --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:... --build-arg NODE_IMAGE=node:20-bookworm-slim@sha256:...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS ui
WORKDIR /src/ui
# Dependencies first: this layer is reused until package-lock.json changes. ui/.npmrc carries npm settings the
# lock file needs (legacy-peer-deps): without it `npm ci` stops at ERESOLVE.
COPY ui/package.json ui/package-lock.json ui/.npmrc ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN npm run build && find dist -name '*.map' -delete

# ---------------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "build>=1.2,<2"
WORKDIR /src
COPY setup.py setup.cfg pyproject.toml README.md ./
COPY receiver/ receiver/
COPY integrations/ integrations/
COPY plugins/ plugins/
# The UI goes into the package as the Makefile's `ui` target puts it (served at "/", shipped in the wheel).
RUN rm -rf receiver/ui_dist
COPY --from=ui /src/ui/dist/ receiver/ui_dist/
RUN python -m build --wheel --outdir /dist . \
 && pip wheel --wheel-dir /wheels /dist/lineagelens-*.whl

# ---------------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="LineageLens" \
      org.opencontainers.image.description="OpenLineage receiver, lineage graph and visualizer" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LINEAGELENS_DATABASE_URL=sqlite:////var/lib/lineagelens/lineagelens.db \
    LINEAGELENS_KEY_FILE=/var/lib/lineagelens/lineagelens.key
RUN groupadd --system --gid 10001 lineagelens \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/lineagelens --no-create-home \
            --shell /usr/sbin/nologin lineagelens \
 && install -d -o 10001 -g 10001 -m 0700 /var/lib/lineagelens
# Only prebuilt wheels from the wheel stage, never an index: the runtime stage compiles nothing.
RUN --mount=type=bind,from=wheel,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels lineagelens \
 && lineagelens --version
WORKDIR /var/lib/lineagelens
VOLUME ["/var/lib/lineagelens"]
USER 10001:10001
EXPOSE 5000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["lineagelens"]
CMD ["serve", "--host", "0.0.0.0", "--port", "5000"]
