//! The translations are complete: every language has every key of the English catalogue with the
//! same placeholders, and no page writes English text around the catalogue.

use std::collections::BTreeMap;

const LANGUAGES: [&str; 4] = ["fi", "sv", "fr", "de"];

/// Every key of a catalogue ("list.title") with its text.
fn flatten(value: &serde_json::Value, prefix: &str, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                flatten(v, &format!("{prefix}{k}."), out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.trim_end_matches('.').to_string(), s.clone());
        }
        other => panic!("{prefix}: a translation is text, not {other}"),
    }
}

/// The catalogues: the pages' and the mail templates'.
const DIRS: [&str; 2] = ["locales", "mail-locales"];

fn catalogue(dir: &str, language: &str) -> BTreeMap<String, String> {
    let path = format!("{}/{dir}/{language}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = BTreeMap::new();
    flatten(&json, "", &mut out);
    out
}

/// `{{ name }}` placeholders of a text, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(|name| name.trim().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn every_language_has_every_key_with_the_same_placeholders() {
    let mut problems = Vec::new();
    for (dir, language) in DIRS.into_iter().flat_map(|d| LANGUAGES.map(|l| (d, l))) {
        let english = catalogue(dir, "en");
        assert!(english.len() > 30, "{dir}: {} keys", english.len());
        let other = catalogue(dir, language);
        for (key, text) in &english {
            match other.get(key) {
                None => problems.push(format!("{dir}/{language}: {key} is missing")),
                Some(t) if t.trim().is_empty() => problems.push(format!("{dir}/{language}: {key} is empty")),
                Some(t) if placeholders(t) != placeholders(text) => problems.push(format!(
                    "{dir}/{language}: {key} has {:?}, English {:?}",
                    placeholders(t),
                    placeholders(text)
                )),
                Some(_) => {}
            }
        }
        for key in other.keys().filter(|k| !english.contains_key(*k)) {
            problems.push(format!("{dir}/{language}: {key} is not in the English catalogue"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_page_writes_words_outside_the_catalogue() {
    // Text nodes and the attributes people read: `>"Sign in"<`, `text="..."`, `aria-label="..."`,
    // `placeholder="..."`, `label="..."`. Punctuation and separators (" · ", "—") are fine.
    let dir = format!("{}/src/ui", env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for (n, line) in source.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for marker in [">\"", "text=\"", "aria-label=\"", "placeholder=\"", "label=\"", "title=\""] {
                for piece in line.split(marker).skip(1) {
                    let literal = piece.split('"').next().unwrap_or_default();
                    if literal.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                        found.push(format!("{}:{}: {marker}{literal}\"", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "words written outside locales/*.json:\n{}", found.join("\n"));
}
