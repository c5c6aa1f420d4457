//! The content security policy, shared by the page shell (which knows the page's nonce) and the
//! server's header middleware (which covers every other answer).
//!
//! Pages run only scripts carrying the nonce of their own answer (the inline hydration script;
//! Leptos puts the nonce on every script it writes) and what those scripts load
//! (`'strict-dynamic'`: the WASM glue module), may compile WebAssembly (`'wasm-unsafe-eval'`), and
//! load styles, images, and connections from this site only. An injected `<script>` without
//! the nonce does not run.

/// Every answer: no framing, no plugins, no `<base>`, forms post here only.
pub const BASE: &str = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

/// A page's policy, with the nonce of this answer.
pub fn page(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; {BASE}"
    )
}
