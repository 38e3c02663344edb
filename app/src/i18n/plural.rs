//! Plural forms by the CLDR rules of each language (through `intl_pluralrules`, the rules
//! Project Fluent uses). A text that counts is a map of forms in the locale files:
//!
//! ```yaml
//! problems:
//!   one: "%{count} problem found."
//!   other: "%{count} problems found."
//! ```
//!
//! English needs `one` and `other`; Japanese only `other`; Arabic `zero`, `one`, `two`,
//! `few`, `many` and `other`.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// The names of the forms, as the locale files write them.
pub const FORMS: &[&str] = &["zero", "one", "two", "few", "many", "other"];

fn name(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

/// The cardinal rules of `locale`: its own, else its language's (`zh-Hans` → `zh`; the
/// rules of Tagalog are those of Filipino); `None` for a language CLDR does not know.
fn rules(locale: &str) -> Option<PluralRules> {
    let primary = locale.split('-').next().unwrap_or(locale);
    let alias = if primary == "tl" { "fil" } else { primary };
    [locale, primary, alias]
        .iter()
        .filter_map(|l| l.parse::<LanguageIdentifier>().ok())
        .find_map(|id| PluralRules::create(id, PluralRuleType::CARDINAL).ok())
}

/// The form `n` takes in `locale` (`other` when the language's rules are unknown).
pub fn form(locale: &str, n: u64) -> &'static str {
    rules(locale)
        .and_then(|r| r.select(n).ok())
        .map_or("other", name)
}

/// What a language's rules give for whole numbers, worked out once per language.
#[derive(Clone)]
struct Forms {
    /// The forms it uses (what its locale file must give).
    used: BTreeSet<&'static str>,
    /// The forms that stand for one number only (English `one`, Arabic `zero`, `two`).
    single: BTreeSet<&'static str>,
}

fn forms_of(locale: &str) -> Forms {
    static CACHE: OnceLock<Mutex<HashMap<String, Forms>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(f) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(locale) {
        return f.clone();
    }
    let rules = rules(locale);
    let form = |n: u64| {
        rules
            .as_ref()
            .and_then(|r| r.select(n).ok())
            .map_or("other", name)
    };
    let mut numbers: HashMap<&'static str, usize> = HashMap::new();
    for n in 0..=1000u64 {
        *numbers.entry(form(n)).or_default() += 1;
    }
    let mut used: BTreeSet<&'static str> = numbers.keys().copied().collect();
    used.extend([10_000, 100_000, 1_000_000, 10_000_000].map(form));
    used.insert("other");
    let single = numbers
        .iter()
        .filter(|(f, count)| **count == 1 && **f != "other")
        .map(|(f, _)| *f)
        .collect();
    let forms = Forms { used, single };
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(locale.to_string(), forms.clone());
    forms
}

/// The forms a language uses for whole numbers (what its locale file must give).
pub fn forms(locale: &str) -> BTreeSet<&'static str> {
    forms_of(locale).used
}

/// Whether `form` stands for one number only in `locale` (English `one`, Arabic `zero`,
/// `one`, `two`): such a form may say its number in words and leave out `%{count}`.
pub fn is_single(locale: &str, form: &str) -> bool {
    forms_of(locale).single.contains(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cldr_forms_of_english_japanese_french_and_arabic() {
        assert_eq!(form("en", 1), "one");
        assert_eq!(form("en", 0), "other");
        assert_eq!(form("en", 2), "other");
        assert_eq!(forms("en"), BTreeSet::from(["one", "other"]));
        assert_eq!(form("ja", 1), "other");
        assert_eq!(forms("ja"), BTreeSet::from(["other"]));
        assert_eq!(forms("zh-Hans"), BTreeSet::from(["other"]));
        assert_eq!(form("fr", 0), "one");
        assert_eq!(form("fr", 1), "one");
        assert_eq!(form("fr", 2), "other");
        assert_eq!(form("ar", 0), "zero");
        assert_eq!(form("ar", 1), "one");
        assert_eq!(form("ar", 2), "two");
        assert_eq!(form("ar", 3), "few");
        assert_eq!(form("ar", 11), "many");
        assert_eq!(form("ar", 100), "other");
        assert_eq!(forms("ar").len(), 6);
        assert!(is_single("en", "one") && is_single("ar", "two"));
        assert!(!is_single("fr", "one") && !is_single("ar", "few"));
        assert_eq!(form("tl", 1), "one");
        assert_eq!(form("xx", 1), "other");
    }
}
