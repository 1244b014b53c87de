# entra-perms in a small image: one static binary (musl, rustls) and a CA bundle on `scratch`, run
# as a non-root user, entrypoint `entra-perms`. About 12 MB.
#
# From source (any machine with a container engine; multi-arch through the engine's emulation):
#   docker build -t entra-perms .
# From the release's static binaries, as .github/workflows/release.yml and
# scripts/container-dry-run.sh do (no compiler in the image build, no emulation):
#   docker build --build-arg BINARY=prebuilt -t entra-perms .     (needs dist/container/, see below)
#
#   docker run --rm ghcr.io/entra-perms/entra-perms:v0.1.0 audit --app <appId> --auth managed-identity

# Where the binary comes from: `source` (built here) or `prebuilt` (a release build).
ARG BINARY=source

# The binary, built from source: static (musl), so the final image needs no libc.
FROM rust:1.89-bookworm AS source
RUN apt-get update \
 && apt-get install -y --no-install-recommends musl-tools ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock permissions.toml README.md ./
COPY src ./src
COPY benches ./benches
RUN target="$(uname -m)-unknown-linux-musl" \
 && rustup target add "$target" \
 && cargo build --release --locked --target "$target" --bin entra-perms \
 && mkdir /out \
 && cp "target/$target/release/entra-perms" /out/entra-perms \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

# The binary, taken from a release build: dist/container/<amd64|arm64>/entra-perms and
# dist/container/ca-certificates.crt.
FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/container/${TARGETARCH}/entra-perms /out/entra-perms
COPY dist/container/ca-certificates.crt /out/ca-certificates.crt

FROM ${BINARY} AS binary

FROM scratch
COPY --from=binary /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=binary --chmod=0755 /out/entra-perms /usr/local/bin/entra-perms
# distroless's "nonroot": no shell, no package manager, nothing to run as root.
USER 65532:65532
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENTRYPOINT ["/usr/local/bin/entra-perms"]
CMD ["--help"]
