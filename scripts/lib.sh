# Shared by scripts/demo and scripts/test: installs what the build needs, skipping what is there.
# Everything comes from the package registries (crates.io, npm, Debian); nothing else is downloaded.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BINARYEN_VERSION=132

# Each step is stamped with the minutes and seconds since the outermost script started (a script
# another one calls, such as scripts/site, goes on counting from its caller's start): the run's
# time budget is read off the log.
: "${PORTAL_SCRIPT_START:=$(date +%s)}"
export PORTAL_SCRIPT_START
say() {
  local s=$(($(date +%s) - PORTAL_SCRIPT_START))
  printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((s / 60)) $((s % 60)) "$*"
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # The site is built by scripts/site, which needs no cargo-leptos (its install took 10 to 15
  # minutes here). The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
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
