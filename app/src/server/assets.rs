//! The browser bundle's file names. `scripts/site` (as `cargo leptos build` with `hash-files` on)
//! names the WASM, its JavaScript glue and the stylesheet after their content
//! (`portal.<hash>.wasm`) and writes the hashes to `hash.txt` at the site root. A file whose name
//! changes with its content can be cached for good (`immutable`), and a new build can never be
//! half-served from a browser's cache. Without a hash file (a site built elsewhere, or none), the
//! plain names are used and revalidated on each use.

use std::path::{Path, PathBuf};

use leptos::prelude::LeptosOptions;

/// The hash file's name at the site root (`hash-file-name` in the workspace metadata is this,
/// relative to the server binary's directory).
pub const HASH_FILE: &str = "hash.txt";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assets {
    /// The stylesheet's URL path (`/pkg/portal.<hash>.css`).
    pub stylesheet: String,
    /// File names under `/pkg/` that carry their content's hash: served `immutable`.
    pub hashed: Vec<String>,
}

impl Assets {
    /// Finds the hash file of the site `options` serve and points Leptos' own script tags at
    /// the hashed names too (it reads the hash file itself, relative to the binary unless the
    /// path is absolute).
    pub fn locate(options: &mut LeptosOptions) -> Assets {
        let file = Path::new(&*options.site_root).join(HASH_FILE);
        let text = std::fs::read_to_string(&file).ok();
        let assets = Assets::from_hash_file(text.as_deref(), &options.output_name, &options.site_pkg_dir);
        options.hash_files = !assets.hashed.is_empty();
        if options.hash_files {
            let absolute = std::env::current_dir().map(|d| d.join(&file)).unwrap_or_else(|_| PathBuf::from(&file));
            options.hash_file = absolute.to_string_lossy().into_owned().into();
        }
        assets
    }

    /// What a hash file's text (`js: <hash>` lines, as scripts/site and cargo-leptos write them)
    /// names. A file without all of `js`, `wasm` and `css` counts as none: half-hashed names would break the page.
    pub fn from_hash_file(text: Option<&str>, output_name: &str, pkg_dir: &str) -> Assets {
        let hash_of = |kind: &str| {
            text?.lines().filter_map(|l| l.split_once(':')).find(|(k, _)| k.trim() == kind).map(|(_, h)| h.trim())
        };
        let valid = |h: &&str| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        match (hash_of("js").filter(valid), hash_of("wasm").filter(valid), hash_of("css").filter(valid)) {
            (Some(js), Some(wasm), Some(css)) => Assets {
                stylesheet: format!("/{pkg_dir}/{output_name}.{css}.css"),
                hashed: vec![
                    format!("{output_name}.{js}.js"),
                    format!("{output_name}.{wasm}.wasm"),
                    format!("{output_name}.{css}.css"),
                ],
            },
            _ => Assets { stylesheet: format!("/{pkg_dir}/{output_name}.css"), hashed: Vec::new() },
        }
    }

    /// Whether `/pkg/<name>` (a precompressed copy included) is one of the hashed files.
    pub fn is_hashed(&self, name: &str) -> bool {
        let name = name.trim_start_matches('/');
        let plain = name.strip_suffix(".br").or_else(|| name.strip_suffix(".gz")).unwrap_or(name);
        self.hashed.iter().any(|h| h == plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_hash_file_names_the_three_files() {
        let a = Assets::from_hash_file(Some("js: Ab-1\nwasm: Cd_2\ncss: Ef3\n"), "portal", "pkg");
        assert_eq!(a.stylesheet, "/pkg/portal.Ef3.css");
        assert_eq!(a.hashed, ["portal.Ab-1.js", "portal.Cd_2.wasm", "portal.Ef3.css"]);
        assert!(a.is_hashed("/portal.Cd_2.wasm") && a.is_hashed("portal.Ef3.css"));
        assert!(!a.is_hashed("portal.css") && !a.is_hashed("portal.Ef3.css.map") && !a.is_hashed("hash.txt"));
    }

    #[test]
    fn no_file_or_an_incomplete_one_means_plain_names() {
        for text in [None, Some(""), Some("js: a\nwasm: b\n"), Some("js: a\nwasm: b\ncss: ../x\n")] {
            let a = Assets::from_hash_file(text, "portal", "pkg");
            assert_eq!(a.stylesheet, "/pkg/portal.css", "{text:?}");
            assert!(a.hashed.is_empty(), "{text:?}");
        }
    }
}
