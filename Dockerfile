# entra-perms in a small image: built with the pinned toolchain and lock file, run as a non-root
# user from distroless (CA certificates included, no shell). Built and pushed by the release
# workflow (.github/workflows/release.yml) for linux/amd64 and linux/arm64.
#
#   docker run --rm ghcr.io/entra-perms/entra-perms:latest audit --app <appId> --auth managed-identity
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock permissions.toml README.md ./
COPY src ./src
COPY benches ./benches
COPY tests ./tests
RUN cargo build --release --locked --bin entra-perms

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/entra-perms /usr/local/bin/entra-perms
USER nonroot
ENTRYPOINT ["/usr/local/bin/entra-perms"]
CMD ["--help"]
