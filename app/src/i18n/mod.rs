//! Localization: compiled strings from `locales/*.yml` (rust-i18n), a layer of local
//! overrides (the deployment's `locales/` folder and the Translations page) looked at first,
//! locale negotiation, and translation with an explicit locale (never a process-wide
//! "current" locale, since one process serves many languages at once).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{OnceLock, RwLock};

pub mod coverage;
pub mod dates;
pub mod exchange;
pub mod message;
pub mod overrides;
pub mod plural;

pub use message::Message;

/// Per-locale overrides (`locale -> key -> text`), consulted before the compiled strings:
/// the deployment's files and the admin page's entries, merged (see [`overrides::reload`]).
static OVERRIDES: RwLock<Option<HashMap<String, HashMap<String, String>>>> = RwLock::new(None);

static DEFAULT_LOCALE: OnceLock<String> = OnceLock::new();

/// Sets the deployment's default locale, the last step of the fallback chain before English.
pub fn set_default_locale(locale: &str) {
    let _ = DEFAULT_LOCALE.set(locale.to_string());
}

/// `locale` and its parents: `zh-Hans-CN`, `zh-Hans`, `zh`.
pub fn lineage(locale: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(locale), |l| {
        l.rsplit_once('-').map(|(parent, _)| parent)
    })
}

/// The fallback chain for `locale`: itself, its parents (`zh-Hans-CN`, `zh-Hans`, `zh`),
/// the deployment default, then English.
pub fn fallback_chain(locale: &str) -> Vec<String> {
    let mut chain: Vec<String> = lineage(locale).map(str::to_string).collect();
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

/// The text of `key` in `locale` (following the fallback chain). The completeness tests
/// make a missing bundled key impossible; a key built from a stored code that is no longer
/// in the vocabulary (`case.status.<code>`) gives that code, never the whole dotted key.
pub fn tr(locale: &str, key: &str) -> String {
    for l in fallback_chain(locale) {
        if let Some(v) = lookup(&l, key) {
            return v;
        }
    }
    missing(key)
}

/// The text of `key` in exactly `locale`: this hotline's override, else the compiled text.
fn lookup(locale: &str, key: &str) -> Option<String> {
    let overridden = OVERRIDES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|m| m.get(locale)?.get(key).cloned());
    overridden.or_else(|| compiled(locale, key))
}

/// What stands for a key that has no text anywhere: its last part (a stored code).
fn missing(key: &str) -> String {
    tracing::debug!(key, "no text for this key");
    key.rsplit('.').next().unwrap_or(key).replace('_', " ")
}

/// [`tr`] with `%{name}` placeholders filled in.
pub fn tr_with(locale: &str, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(locale, key);
    for (name, value) in args {
        s = s.replace(&format!("%{{{name}}}"), value);
    }
    s
}

/// The compiled text of `key` in exactly `locale`, ignoring every override.
pub fn compiled(locale: &str, key: &str) -> Option<String> {
    crate::_RUST_I18N_BACKEND
        .translate(locale, key)
        .map(Cow::into_owned)
}

/// The compiled text of `key` for a reader of `locale`, along the fallback chain.
pub fn compiled_chain(locale: &str, key: &str) -> Option<String> {
    fallback_chain(locale).iter().find_map(|l| compiled(l, key))
}

/// Every compiled key (the English ones), sorted; found once (they never change).
pub fn keys() -> &'static [String] {
    static KEYS: OnceLock<Vec<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut out: Vec<String> = crate::_RUST_I18N_BACKEND
            .messages_for_locale("en")
            .unwrap_or_default()
            .into_iter()
            .map(|(k, _)| k.into_owned())
            .collect();
        out.sort();
        out
    })
}

/// The texts that count, by their key (`cli.doctor.problems`): keys whose English children
/// are all plural form names, `other` among them.
pub fn plural_groups() -> &'static std::collections::BTreeSet<String> {
    static GROUPS: OnceLock<std::collections::BTreeSet<String>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let all = keys();
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for key in all {
            if let Some((group, last)) = key.rsplit_once('.') {
                children.entry(group).or_default().push(last);
            }
        }
        children
            .into_iter()
            .filter(|(group, names)| {
                names.contains(&"other")
                    && names.iter().all(|n| plural::FORMS.contains(n))
                    // A group with deeper keys is a section, not a counted text.
                    && !all.iter().any(|k| {
                        k.strip_prefix(*group)
                            .and_then(|r| r.strip_prefix('.'))
                            .is_some_and(|r| r.contains('.'))
                    })
            })
            .map(|(group, _)| group.to_string())
            .collect()
    })
}

/// A key as written in a file: a text that counts, written as one string (as before it had
/// plural forms), is its `other` form.
pub fn counted_key(key: String) -> String {
    if plural_groups().contains(&key) {
        format!("{key}.other")
    } else {
        key
    }
}

/// `(group, form)` when `key` is a plural form of a text that counts.
pub fn plural_form_of(key: &str) -> Option<(&str, &str)> {
    let (group, form) = key.rsplit_once('.')?;
    (plural::FORMS.contains(&form) && plural_groups().contains(group)).then_some((group, form))
}

/// The English original a key of `locale` is checked against: its own English text, or for
/// a plural form that English does not have (Arabic's `few`, say) the English `other` form.
pub fn english_of(key: &str) -> Option<String> {
    compiled("en", key).or_else(|| {
        let (group, _) = plural_form_of(key)?;
        compiled("en", &format!("{group}.other"))
    })
}

/// Whether `text` (of `locale`) keeps the placeholders of `english`. A plural form that
/// stands for one number only in its language (English `one`, Arabic `zero`, `one`, `two`)
/// may say that number in words and leave out `%{count}`; other forms must show it.
pub fn placeholders_fit(locale: &str, key: &str, text: &str, english: &str) -> bool {
    let (mut a, mut b) = (placeholders(text), placeholders(english));
    let single = plural_form_of(key).is_some_and(|(_, form)| plural::is_single(locale, form));
    if single {
        a.retain(|p| p != "count");
        b.retain(|p| p != "count");
    }
    a == b
}

/// Why `text` cannot stand for `key` in `locale`: a key this version does not have, or
/// placeholders other than the English original's. (Whether an empty text is allowed is the
/// caller's to say; it passes here.)
pub fn text_problem(locale: &str, key: &str, text: &str) -> Option<Message> {
    let Some(english) = english_of(key) else {
        return Some(Message::new(
            "translation.problem.unknown_key",
            &[("key", key)],
        ));
    };
    if text.trim().is_empty() || placeholders_fit(locale, key, text, &english) {
        return None;
    }
    Some(Message::new(
        "translation.problem.placeholders",
        &[
            ("key", key),
            ("placeholders", &shown_placeholders(&english)),
        ],
    ))
}

/// The keys of `locale`: the English ones, with each text that counts in the plural forms
/// `locale` needs (`x.one`, `x.other` in English; `x.other` alone in Japanese).
pub fn keys_for(locale: &str) -> Vec<String> {
    let forms = plural::forms(locale);
    let mut out = Vec::new();
    for key in keys() {
        match plural_form_of(key) {
            // Emitted once per group, at its `other` form.
            Some((group, "other")) => out.extend(forms.iter().map(|f| format!("{group}.{f}"))),
            Some(_) => {}
            None => out.push(key.clone()),
        }
    }
    out.sort();
    out
}

/// The locale ICU4X formats for: Tagalog's data is Filipino's; a tag it cannot read gives
/// its language, else English.
pub(crate) fn icu_locale(locale: &str) -> icu_locale_core::Locale {
    let tag = if locale.split('-').next() == Some("tl") {
        "fil"
    } else {
        locale
    };
    tag.parse()
        .or_else(|_| locale.split('-').next().unwrap_or("en").parse())
        .unwrap_or(icu_locale_core::locale!("en"))
}

/// A whole number as `locale` writes it (`1,234,567` in English, `1.234.567` in Spanish,
/// `1 234 567` in French), by the CLDR data of ICU4X; English digits for a language it does
/// not know.
pub fn format_number(locale: &str, n: i64) -> String {
    format_decimal(locale, icu_decimal::input::Decimal::from(n))
}

/// A decimal in the reader's digits, grouping and decimal mark (English for a language
/// ICU4X does not know).
fn format_decimal(locale: &str, d: icu_decimal::input::Decimal) -> String {
    use icu_decimal::DecimalFormatter;
    let formatter = DecimalFormatter::try_new(icu_locale(locale).into(), Default::default())
        .or_else(|_| {
            DecimalFormatter::try_new(icu_locale_core::locale!("en").into(), Default::default())
        })
        .ok();
    match formatter {
        Some(f) => f.format(&d).to_string(),
        None => d.to_string(),
    }
}

/// A text as comment lines of a file the hotline writes (`# …`, one per line, each ending
/// in a line break).
pub fn comment(locale: &str, key: &str, args: &[(&str, &str)]) -> String {
    tr_with(locale, key, args)
        .lines()
        .map(|l| {
            if l.is_empty() {
                "#\n".to_string()
            } else {
                format!("# {l}\n")
            }
        })
        .collect()
}

/// `tenths` / 10 with one decimal, in the reader's digits and decimal mark (`4.5`, `4,5`).
pub fn format_tenths(locale: &str, tenths: i64) -> String {
    let mut d = icu_decimal::input::Decimal::from(tenths);
    d.absolute.multiply_pow10(-1);
    d.absolute.pad_end(-1);
    format_decimal(locale, d)
}

/// Items listed the reader's way: `a, b, c`; `a、b、c` in Japanese and Chinese; `a، b` in
/// Arabic (`list.separator`).
pub fn join_list<S: AsRef<str>>(locale: &str, items: impl IntoIterator<Item = S>) -> String {
    let sep = tr(locale, "list.separator");
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(&sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

/// A percentage the reader's way (`42%`, `42 %`, `٪42`).
pub fn format_percent(locale: &str, n: i64) -> String {
    tr_with(
        locale,
        "number.percent",
        &[("value", &format_number(locale, n))],
    )
}

/// "`score` out of `total`" the reader's way (`7/10`).
pub fn format_fraction(locale: &str, score: i64, total: i64) -> String {
    tr_with(
        locale,
        "number.fraction",
        &[
            ("score", &format_number(locale, score)),
            ("total", &format_number(locale, total)),
        ],
    )
}

/// A size in bytes the reader's way: `1.5 MB`, `12 KB`, `3.2 GiB` (units of 1,024; one
/// decimal from a megabyte up).
pub fn format_size(locale: &str, bytes: u64) -> String {
    const KIB: u64 = 1024;
    let (key, tenths) = if bytes >= KIB * KIB * KIB {
        ("size.gib", bytes.saturating_mul(10) / (KIB * KIB * KIB))
    } else if bytes >= KIB * KIB {
        ("size.mb", bytes.saturating_mul(10) / (KIB * KIB))
    } else {
        ("size.kb", bytes.div_ceil(KIB) * 10)
    };
    let tenths = i64::try_from(tenths).unwrap_or(i64::MAX);
    let size = if key == "size.kb" {
        format_number(locale, tenths / 10)
    } else {
        format_tenths(locale, tenths)
    };
    tr_with(locale, key, &[("size", &size)])
}

/// A text that counts `n` things: the plural form of `key` that `n` takes in the reader's
/// language (`key.one`, `key.few`, …, else `key.other`), with `%{count}` and `args` filled in.
pub fn tr_count(locale: &str, key: &str, n: u64, args: &[(&str, &str)]) -> String {
    for l in fallback_chain(locale) {
        let form = plural::form(&l, n);
        let found = [form, "other"]
            .iter()
            .find_map(|f| lookup(&l, &format!("{key}.{f}")));
        if let Some(mut s) = found {
            let shown = format_number(locale, i64::try_from(n).unwrap_or(i64::MAX));
            s = s.replace("%{count}", &shown);
            for (name, value) in args {
                s = s.replace(&format!("%{{{name}}}"), value);
            }
            return s;
        }
    }
    missing(key)
}

/// True when `key` exists in the compiled English strings.
pub fn has_key(key: &str) -> bool {
    compiled("en", key).is_some()
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

/// Other names of the same language: Filipino (`fil`) is served by the Tagalog locale.
fn alias(tag: &str) -> String {
    let primary = tag.split(['-', '_']).next().unwrap_or(tag);
    if primary.eq_ignore_ascii_case("fil") {
        "tl".to_string()
    } else {
        tag.replace('_', "-")
    }
}

/// The bundled locale for a language tag such as `ja-JP`, `zh-CN`, `fil` or `pt_BR`: the
/// same tag, else the same language.
pub fn bundled_match(tag: &str) -> Option<&'static str> {
    let tag = alias(tag);
    let primary = tag.split('-').next().unwrap_or(&tag).to_ascii_lowercase();
    let bundled = crate::config::BUNDLED_LOCALES;
    bundled
        .iter()
        .find(|l| l.eq_ignore_ascii_case(&tag))
        .or_else(|| {
            bundled
                .iter()
                .find(|l| l.split('-').next().is_some_and(|p| p == primary))
        })
        .copied()
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
            let wanted = alias(&wanted);
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
/// The reason is a locale key with its arguments, shown in the reader's language.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideWarning {
    pub file: String,
    pub problem: Message,
}

impl OverrideWarning {
    fn new(file: &str, key: &'static str, args: &[(&'static str, &str)]) -> Self {
        OverrideWarning {
            file: file.to_string(),
            problem: Message::new(key, args),
        }
    }

    pub fn message(&self, locale: &str) -> String {
        self.problem.text(locale)
    }
}

/// Puts `map` (`locale -> key -> text`) in service over the compiled strings.
pub fn install(map: HashMap<String, HashMap<String, String>>) {
    let mut guard = OVERRIDES.write().unwrap_or_else(|e| e.into_inner());
    *guard = Some(map);
}

/// Reads `DIR/locales/<locale>.yml` override files (nested or dotted keys). Broken files and
/// unknown keys are reported and skipped.
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
                let mut w = OverrideWarning::new(&file, "translation.problem.unreadable", &[]);
                w.problem = w.problem.because(message::io_problem(&e));
                warnings.push(w);
                continue;
            }
        };
        let value: serde_yaml::Value = match serde_yaml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let line = e
                    .location()
                    .map(|l| l.line().to_string())
                    .unwrap_or_else(|| "?".into());
                let mut w =
                    OverrideWarning::new(&file, "translation.problem.yaml", &[("line", &line)]);
                w.problem = w.problem.because(message::yaml_problem(&e));
                warnings.push(w);
                continue;
            }
        };
        let mut flat = Vec::new();
        flatten("", &value, &mut flat);
        let entry = map.entry(locale.clone()).or_default();
        for (key, text) in flat {
            // A text that became plural: a plain string is its `other` form.
            let key = counted_key(key);
            if let Some(problem) = text_problem(&locale, &key, &text) {
                warnings.push(OverrideWarning {
                    file: file.clone(),
                    problem,
                });
                continue;
            }
            // An empty text in a file is a key not translated yet: the fallback chain serves it.
            if text.trim().is_empty() {
                continue;
            }
            entry.insert(key, text);
        }
    }
    (map, warnings)
}

/// The placeholders of a text as a translator writes them: `%{a}, %{b}` (or "none").
pub fn shown_placeholders(text: &str) -> String {
    let list = placeholders(text);
    if list.is_empty() {
        "—".to_string()
    } else {
        list.iter()
            .map(|p| format!("%{{{p}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
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

pub(crate) fn flatten(prefix: &str, value: &serde_yaml::Value, out: &mut Vec<(String, String)>) {
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
    fn lists_the_readers_way() {
        assert_eq!(join_list("en", ["a", "b"]), "a, b");
        assert_eq!(join_list("ja", ["a", "b"]), "a、b");
        assert_eq!(join_list("ar", ["a", "b"]), "a، b");
    }

    #[test]
    fn a_stored_code_outside_the_vocabulary_shows_as_the_code() {
        assert_eq!(tr("en", "case.status.in_review_old"), "in review old");
    }

    #[test]
    fn percentages_fractions_and_decimals_the_readers_way() {
        assert_eq!(format_percent("en", 42), "42%");
        assert_eq!(format_percent("fr", 42), "42\u{a0}%");
        assert_eq!(format_fraction("en", 7, 10), "7/10");
        assert_eq!(format_tenths("en", 45), "4.5");
        assert_eq!(format_tenths("fr", 45), "4,5");
        assert_eq!(format_tenths("es", 40), "4,0");
    }

    #[test]
    fn sizes_in_the_readers_units_and_digits() {
        assert_eq!(format_size("en", 1536 * 1024), "1.5 MB");
        assert_eq!(format_size("en", 2 * 1024 * 1024), "2.0 MB");
        assert_eq!(format_size("en", 1500), "2 KB");
        assert_eq!(format_size("fr", 1536 * 1024), "1,5\u{a0}Mo");
        assert_eq!(format_size("en", 3 * 1024 * 1024 * 1024), "3.0 GiB");
        assert!(format_size("ar", 1536 * 1024).contains("ميغابايت"));
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
    fn language_tags_find_their_bundled_locale() {
        assert_eq!(bundled_match("ja-JP"), Some("ja"));
        assert_eq!(bundled_match("zh-CN"), Some("zh-Hans"));
        assert_eq!(bundled_match("zh-hans"), Some("zh-Hans"));
        assert_eq!(bundled_match("fil-PH"), Some("tl"));
        assert_eq!(bundled_match("pt_BR"), Some("pt"));
        assert_eq!(bundled_match("de"), None);
        let all = enabled(crate::config::BUNDLED_LOCALES);
        assert_eq!(negotiate(None, None, Some("fil,en;q=0.5"), &all), "tl");
        assert_eq!(negotiate(None, None, Some("zh-CN"), &all), "zh-Hans");
        assert_eq!(negotiate(None, None, Some("ar-EG"), &all), "ar");
    }

    #[test]
    fn numbers_are_written_the_way_each_language_writes_them() {
        assert_eq!(format_number("en", 1_234_567), "1,234,567");
        assert_eq!(format_number("es", 1_234_567), "1.234.567");
        assert_eq!(format_number("fr", 1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(format_number("ja", 300), "300");
        assert_eq!(format_number("xx-unknown-tag!", 1000), "1,000");
        assert_eq!(
            tr_count("es", "outreach.materials_total", 20_000, &[]),
            tr_count("es", "outreach.materials_total", 20_000, &[]).replace("20000", "20.000")
        );
    }

    #[test]
    fn counted_texts_take_the_plural_form_of_the_language() {
        assert_eq!(
            tr_count("en", "cli.doctor.problems", 1, &[]),
            "1 problem found."
        );
        assert_eq!(
            tr_count("en", "cli.doctor.problems", 2, &[]),
            "2 problems found."
        );
        assert_eq!(
            tr_count("en", "cli.playbook.exported_folder", 1, &[("dir", "out")]),
            "Wrote 1 file to out"
        );
        // Japanese has one form; Arabic six, each its own text.
        assert_eq!(
            tr_count("ja", "cli.doctor.problems", 1, &[]).replace('1', "2"),
            tr_count("ja", "cli.doctor.problems", 2, &[])
        );
        // Arabic: zero, one, two and few each read differently.
        let ar: std::collections::BTreeSet<String> = [0, 1, 2, 3]
            .iter()
            .map(|n| tr_count("ar", "cli.doctor.problems", *n, &[]).replace(&n.to_string(), "N"))
            .collect();
        assert_eq!(ar.len(), 4, "{ar:?}");
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
        assert_eq!(tr("en", "no.such.key"), "key");
        assert_eq!(direction("ar"), "rtl");
        assert_eq!(direction("ja"), "ltr");
    }
}
