# Sourced by the build and test scripts: the compiler settings of the two wasm flavours.
#
# threads: nightly, atomics + shared memory (the flags wasm-bindgen-rayon needs), std
#          rebuilt with those features;
# st:      the same crate without the `threads` feature, for pages that are not
#          cross-origin isolated (rayon then runs on the calling thread).
# Each flavour has its own target directory: different flags would otherwise evict each
# other's build cache.

BRASA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BRASA_TARGET="${CARGO_TARGET_DIR:-$BRASA_ROOT/target}"

# zstd is C; Debian's clang builds it for wasm32.
export CC_wasm32_unknown_unknown=clang
export AR_wasm32_unknown_unknown=llvm-ar

# The engine's own thread gets an 8 MB stack (Rust's default is 1 MB): a stack overflow in
# wasm kills the engine, and planning a query at the nesting limit of crate/src/sql/limits.rs
# takes a few hundred KB. Pool threads get wasm-bindgen's 2 MB.
STACK_RUSTFLAGS="-C link-arg=-zstack-size=8388608"
THREADS_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+simd128 $STACK_RUSTFLAGS \
-C link-arg=--shared-memory -C link-arg=--max-memory=4294967296 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
ST_RUSTFLAGS="-C target-feature=+simd128 $STACK_RUSTFLAGS"

# Runs "$@" with the environment of the threads flavour. std is rebuilt with atomics
# (cargo's `-Z build-std`, given as an environment variable); the wasm tests add `test` to
# it (BRASA_BUILD_STD).
with_threads_env() {
  RUSTUP_TOOLCHAIN=nightly CARGO_TARGET_DIR="$BRASA_TARGET/wasm-threads" \
    CARGO_UNSTABLE_BUILD_STD="${BRASA_BUILD_STD:-panic_abort,std}" \
    RUSTFLAGS="$THREADS_RUSTFLAGS" "$@"
}

# Runs "$@" with the environment of the single-thread flavour.
with_st_env() {
  CARGO_TARGET_DIR="$BRASA_TARGET/wasm-st" RUSTFLAGS="$ST_RUSTFLAGS" "$@"
}
