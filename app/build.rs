//! Generates the translation modules with leptos_i18n: `locales/*.json` (the pages, compiled
//! for the server and the browser) and `mail-locales/*.json` (the mail templates, compiled for
//! the server only, so the browser never downloads them).

use std::error::Error;
use std::path::PathBuf;

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    for (dir, module) in [("locales", "i18n"), ("mail-locales", "mail_i18n")] {
        // Interpolated values are also rendered into plain strings (attributes, mail, titles).
        let options = ParseOptions::default().interpolate_display(true);
        let config = Config::new("en")?.add_locales(["fi", "sv", "fr", "de"])?.locales_path(dir).parse_options(options);
        let translations = TranslationsInfos::parse(config)?;
        translations.emit_diagnostics();
        translations.rerun_if_locales_changed();
        translations.generate_i18n_module(out.join(module))?;
    }
    Ok(())
}
