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

use std::collections::BTreeSet;

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

/// The forms a language uses for whole numbers (what its locale file must give).
pub fn forms(locale: &str) -> BTreeSet<&'static str> {
    let mut out: BTreeSet<&'static str> = (0..=1000u64)
        .chain([10_000, 100_000, 1_000_000, 10_000_000])
        .map(|n| form(locale, n))
        .collect();
    out.insert("other");
    out
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
        assert_eq!(form("tl", 1), "one");
        assert_eq!(form("xx", 1), "other");
    }
}
