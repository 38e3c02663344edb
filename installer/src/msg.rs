//! The CLI's messages to admins, in their language: `HOTLINE_LANG`, else the usual
//! `LC_ALL` / `LC_MESSAGES` / `LANG`, among the bundled locales; English otherwise.

use std::sync::OnceLock;

use hotline_app::i18n;

static LOCALE: OnceLock<String> = OnceLock::new();

/// `ja_JP.UTF-8` → `ja`; `es-MX` → `es`.
fn from_env_value(v: &str) -> Option<String> {
    let base = v.split(['.', '@']).next()?;
    if base.is_empty() || base == "C" || base == "POSIX" {
        return None;
    }
    i18n::bundled_match(base).map(str::to_string)
}

pub fn locale() -> &'static str {
    LOCALE.get_or_init(|| {
        // The first variable that is set decides, as POSIX has it (LC_ALL over LANG).
        ["HOTLINE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| from_env_value(&v))
            .unwrap_or_else(|| "en".into())
    })
}

/// A message in the admin's language.
pub fn t(key: &str) -> String {
    i18n::tr(locale(), key)
}

/// A message that counts `n` things, in the plural form `n` takes in the admin's language.
pub fn tn(key: &str, n: usize, args: &[(&str, &str)]) -> String {
    i18n::tr_count(locale(), key, n as u64, args)
}

/// A message with `%{placeholders}` filled in.
pub fn tw(key: &str, args: &[(&str, &str)]) -> String {
    i18n::tr_with(locale(), key, args)
}

/// Why something failed, said in the admin's language (never the English of the operating
/// system, the database driver or a parser).
pub trait Reason {
    fn reason(&self) -> String;
}

impl Reason for i18n::Message {
    fn reason(&self) -> String {
        self.text(locale())
    }
}

impl Reason for std::io::Error {
    fn reason(&self) -> String {
        i18n::message::io_problem(self).reason()
    }
}

impl Reason for hotline_app::db::DbError {
    fn reason(&self) -> String {
        self.message().reason()
    }
}

impl Reason for hotline_app::crypto::CryptoError {
    fn reason(&self) -> String {
        self.message().reason()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_posix_locale_names() {
        assert_eq!(super::from_env_value("ja_JP.UTF-8").as_deref(), Some("ja"));
        assert_eq!(super::from_env_value("es_MX").as_deref(), Some("es"));
        assert_eq!(super::from_env_value("C.UTF-8"), None);
        assert_eq!(super::from_env_value("de_DE"), None);
        assert_eq!(
            super::from_env_value("zh_CN.UTF-8").as_deref(),
            Some("zh-Hans")
        );
        assert_eq!(super::from_env_value("fil_PH.UTF-8").as_deref(), Some("tl"));
    }
}
