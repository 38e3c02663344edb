//! Languages a deployment adds itself (`DIR/locales/<code>.yml`), and how complete each
//! language is: the figures behind `hotline locale list` and `hotline locale check`.

use std::collections::HashMap;
use std::path::Path;

use super::overrides::{self, Entry, Status};
use super::{compiled, keys_for, read_overrides, OverrideWarning};
use crate::config::BUNDLED_LOCALES;

/// The file `hotline locale add CODE` writes: every key with an empty text, the English
/// original above it as a comment. Empty texts fall back along the chain (the language's
/// parent, the deployment's default, English) until they are filled in.
/// Its opening comment is in `admin_locale`.
pub fn template(code: &str, hotline: &str, admin_locale: &str) -> String {
    let mut out = super::comment(
        admin_locale,
        "generated.locale_template",
        &[("code", code), ("hotline", hotline)],
    );
    out.push('\n');
    let mut all = keys_for(code);
    // The language's own name first.
    all.retain(|k| k != "language.name");
    all.insert(0, "language.name".to_string());
    out.push_str(&super::exchange::yaml_entries(all, &Default::default()));
    out
}

/// How complete one language is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub locale: String,
    /// Compiled into the program (as opposed to added by the deployment).
    pub bundled: bool,
    /// Offered by the hotline (`locales` in hotline.toml).
    pub enabled: bool,
    /// Keys with a text of their own in this language (the rest fall back).
    pub translated: usize,
    pub total: usize,
    /// Texts changed in the deployment's file, and on the Translations page.
    pub file_texts: usize,
    pub page_texts: usize,
    pub outdated: usize,
    pub invalid: usize,
}

impl Coverage {
    pub fn percent(&self) -> usize {
        (self.translated * 100)
            .checked_div(self.total)
            .unwrap_or(100)
    }
}

/// The deployment's languages: the bundled ones, then those it added, with their figures.
/// `entries` are the Translations page's changes (empty without a database).
pub fn report(
    dir: &Path,
    enabled: &[String],
    entries: &[Entry],
) -> (Vec<Coverage>, Vec<OverrideWarning>) {
    let (files, warnings) = read_overrides(dir);

    let mut locales: Vec<String> = BUNDLED_LOCALES.iter().map(|l| l.to_string()).collect();
    let mut local: Vec<String> = files
        .keys()
        .chain(entries.iter().map(|e| &e.locale))
        .filter(|l| !locales.contains(l))
        .cloned()
        .collect();
    local.sort();
    local.dedup();
    locales.extend(local);
    let empty = HashMap::new();
    let out = locales
        .into_iter()
        .map(|locale| {
            let bundled = BUNDLED_LOCALES.contains(&locale.as_str());
            let file = files.get(&locale).unwrap_or(&empty);
            let page: Vec<(&Entry, Status)> = entries
                .iter()
                .filter(|e| e.locale == locale)
                .map(|e| (e, overrides::status(e)))
                .collect();
            let all = keys_for(&locale);
            let translated = all
                .iter()
                .filter(|k| {
                    compiled(&locale, k).is_some()
                        || file.contains_key(*k)
                        || page
                            .iter()
                            .any(|(e, s)| e.key == **k && *s != Status::Invalid)
                })
                .count();
            Coverage {
                bundled,
                enabled: enabled.contains(&locale),
                translated,
                total: all.len(),
                file_texts: file.len(),
                page_texts: page.len(),
                outdated: page.iter().filter(|(_, s)| *s == Status::Outdated).count(),
                invalid: page.iter().filter(|(_, s)| *s == Status::Invalid).count(),
                locale,
            }
        })
        .collect();
    (out, warnings)
}
