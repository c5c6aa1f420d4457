# Shared by scripts/demo and scripts/test: installs what the build needs, skipping what is there.
# Everything comes from the package registries (crates.io, npm, Debian); nothing else is downloaded.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132

# Each step is stamped with the minutes and seconds since the script started: the run's time
# budget is read off the log.
say() { printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads; several minutes, once)"
    # Its own release profile asks for fat LTO in one codegen unit, which makes the install take
    # twice as long on two cores for a tool that only drives the build: plain release settings.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
  # The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    say "Installing wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# wasm-opt for release builds: Debian's binaryen is too old (hydration breaks), npm's works.
ensure_wasm_opt() {
  if [ ! -x "$ROOT/.tools/node_modules/.bin/wasm-opt" ]; then
    say "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
    mkdir -p "$ROOT/.tools"
    npm install --prefix "$ROOT/.tools" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
  fi
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Debian's Chromium"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get install -y chromium >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y chromium >/dev/null; }
  fi
}

ensure_npm_packages() {
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "Installing the end-to-end test packages"
    (cd end2end && npm ci --no-audit --no-fund --silent)
  fi
}
