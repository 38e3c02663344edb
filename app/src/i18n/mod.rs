//! Localization: compiled strings from `locales/*.yml` (rust-i18n), a layer of local
//! overrides from the deployment's `locales/` folder plugged in through rust-i18n's backend
//! hook, locale negotiation, and translation with an explicit locale (never a process-wide
//! "current" locale, since one process serves many languages at once).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{OnceLock, RwLock};

use rust_i18n::Backend;

/// Per-locale overrides (`locale -> key -> text`), consulted before the compiled strings.
static OVERRIDES: RwLock<Option<HashMap<String, HashMap<String, String>>>> = RwLock::new(None);
static DEFAULT_LOCALE: OnceLock<String> = OnceLock::new();

/// The override layer, installed under the compiled strings by `i18n!(…, backend = …)`.
pub struct OverrideBackend;

impl Backend for OverrideBackend {
    fn available_locales(&self) -> Vec<Cow<'_, str>> {
        let guard = OVERRIDES.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .map(|m| m.keys().map(|k| Cow::Owned(k.clone())).collect())
            .unwrap_or_default()
    }

    fn translate(&self, locale: &str, key: &str) -> Option<Cow<'_, str>> {
        let guard = OVERRIDES.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()?
            .get(locale)?
            .get(key)
            .map(|v| Cow::Owned(v.clone()))
    }

    fn messages_for_locale(&self, locale: &str) -> Option<Vec<(Cow<'_, str>, Cow<'_, str>)>> {
        let guard = OVERRIDES.read().unwrap_or_else(|e| e.into_inner());
        guard.as_ref()?.get(locale).map(|m| {
            m.iter()
                .map(|(k, v)| (Cow::Owned(k.clone()), Cow::Owned(v.clone())))
                .collect()
        })
    }
}

/// Sets the deployment's default locale, the last step of the fallback chain before English.
pub fn set_default_locale(locale: &str) {
    let _ = DEFAULT_LOCALE.set(locale.to_string());
}

/// The fallback chain for `locale`: itself, its parents (`zh-Hans-CN`, `zh-Hans`, `zh`),
/// the deployment default, then English.
pub fn fallback_chain(locale: &str) -> Vec<String> {
    let mut chain = vec![locale.to_string()];
    let mut cur = locale;
    while let Some(i) = cur.rfind('-') {
        cur = &cur[..i];
        chain.push(cur.to_string());
    }
    if let Some(d) = DEFAULT_LOCALE.get() {
        if !chain.contains(d) {
            chain.push(d.clone());
        }
    }
    if !chain.iter().any(|c| c == "en") {
        chain.push("en".into());
    }
    chain
}

/// The text of `key` in `locale` (following the fallback chain). A missing key returns the
/// key itself, which the completeness tests make impossible for bundled keys.
pub fn tr(locale: &str, key: &str) -> String {
    for l in fallback_chain(locale) {
        if let Some(v) = crate::_RUST_I18N_BACKEND.translate(&l, key) {
            return v.into_owned();
        }
    }
    key.to_string()
}

/// [`tr`] with `%{name}` placeholders filled in.
pub fn tr_with(locale: &str, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(locale, key);
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}

/// True when `key` exists in the compiled English strings.
pub fn has_key(key: &str) -> bool {
    crate::_RUST_I18N_BACKEND.translate("en", key).is_some()
}

/// Every compiled key of `locale`, sorted (without overrides).
pub fn bundled_messages(locale: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = crate::_RUST_I18N_BACKEND
        .messages_for_locale(locale)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    out.sort();
    out
}

/// The language's own name for itself, e.g. `日本語`.
pub fn native_name(locale: &str) -> String {
    tr(locale, "language.name")
}

/// Text direction of a locale.
pub fn direction(locale: &str) -> &'static str {
    let primary = locale.split('-').next().unwrap_or(locale);
    if ["ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb"].contains(&primary) {
        "rtl"
    } else {
        "ltr"
    }
}

/// Picks the locale of a request among the deployment's `enabled` locales: the user's saved
/// preference, else the visitor's chosen language (`?lang=`), else the best match of
/// `Accept-Language`, else the deployment default (the first enabled locale).
pub fn negotiate(
    user_pref: Option<&str>,
    chosen: Option<&str>,
    accept_language: Option<&str>,
    enabled: &[String],
) -> String {
    for wanted in [user_pref, chosen].into_iter().flatten() {
        if enabled.iter().any(|e| e == wanted) {
            return wanted.to_string();
        }
    }
    if let Some(header) = accept_language {
        let enabled_refs: Vec<&str> = enabled.iter().map(String::as_str).collect();
        for wanted in accept_language::parse(header) {
            if let Some(e) = enabled_refs
                .iter()
                .find(|e| e.eq_ignore_ascii_case(&wanted))
            {
                return e.to_string();
            }
            let primary = wanted.split('-').next().unwrap_or(&wanted);
            if let Some(e) = enabled_refs.iter().find(|e| {
                e.split('-')
                    .next()
                    .is_some_and(|p| p.eq_ignore_ascii_case(primary))
            }) {
                return e.to_string();
            }
        }
    }
    enabled.first().cloned().unwrap_or_else(|| "en".into())
}

/// A problem with a local override file; the rest of the translations stay in service.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideWarning {
    pub file: String,
    pub message: String,
}

/// Reads `DIR/locales/<locale>.yml` override files (nested or dotted keys) and installs them
/// over the compiled strings. Broken files and unknown keys are reported and skipped.
pub fn load_overrides(dir: &Path) -> Vec<OverrideWarning> {
    let (map, warnings) = read_overrides(dir);
    let mut guard = OVERRIDES.write().unwrap_or_else(|e| e.into_inner());
    *guard = Some(map);
    warnings
}

/// Parses the override files without installing them (used by `hotline doctor` too).
pub fn read_overrides(
    dir: &Path,
) -> (
    HashMap<String, HashMap<String, String>>,
    Vec<OverrideWarning>,
) {
    let mut map: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut warnings = Vec::new();
    let folder = dir.join("locales");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return (map, warnings);
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let file = path.display().to_string();
        let Some(locale) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(OverrideWarning {
                    file,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let value: serde_yaml::Value = match serde_yaml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                warnings.push(OverrideWarning {
                    file,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let mut flat = Vec::new();
        flatten("", &value, &mut flat);
        let entry = map.entry(locale).or_default();
        for (key, text) in flat {
            let Some(original) = crate::_RUST_I18N_BACKEND.translate("en", &key) else {
                warnings.push(OverrideWarning {
                    file: file.clone(),
                    message: format!("unknown key {key}"),
                });
                continue;
            };
            if placeholders(&text) != placeholders(&original) {
                warnings.push(OverrideWarning {
                    file: file.clone(),
                    message: format!(
                        "{key} must use the placeholders {:?}",
                        placeholders(&original)
                    ),
                });
                continue;
            }
            entry.insert(key, text);
        }
    }
    (map, warnings)
}

/// The `%{name}` placeholders of a text, sorted.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split("%{")
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

fn flatten(prefix: &str, value: &serde_yaml::Value, out: &mut Vec<(String, String)>) {
    match value {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                let Some(k) = k.as_str() else { continue };
                let key = if prefix.is_empty() {
                    k.to_string()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_yaml::Value::String(s) => out.push((prefix.to_string(), s.clone())),
        serde_yaml::Value::Number(n) => out.push((prefix.to_string(), n.to_string())),
        serde_yaml::Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enabled(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn negotiation_order() {
        let en_ja = enabled(&["ja", "en"]);
        assert_eq!(negotiate(Some("en"), Some("ja"), None, &en_ja), "en");
        assert_eq!(negotiate(None, Some("en"), Some("ja"), &en_ja), "en");
        assert_eq!(negotiate(None, None, Some("es-MX,en;q=0.5"), &en_ja), "en");
        assert_eq!(negotiate(None, None, Some("fr"), &en_ja), "ja");
        assert_eq!(negotiate(Some("es"), None, None, &en_ja), "ja");
        assert_eq!(
            negotiate(None, None, Some("ja-JP"), &enabled(&["en", "ja"])),
            "ja"
        );
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(
            placeholders("Call %{number} or %{other}, %{number}"),
            ["number", "other"]
        );
        assert!(placeholders("no braces % {x}").is_empty());
    }

    #[test]
    fn fallback_chain_walks_up_to_english() {
        let c = fallback_chain("zh-Hans-CN");
        assert_eq!(&c[..3], &["zh-Hans-CN", "zh-Hans", "zh"]);
        assert_eq!(c.last().map(String::as_str), Some("en"));
    }

    #[test]
    fn compiled_strings_are_found_in_each_language() {
        assert_eq!(native_name("ja"), "日本語");
        assert_eq!(native_name("es"), "Español");
        assert_eq!(native_name("en"), "English");
        assert_eq!(tr("xx", "language.name"), "English");
        assert_eq!(tr("en", "no.such.key"), "no.such.key");
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("ja"), "ltr");
    }
}
