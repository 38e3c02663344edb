//! The deployment's settings: `hotline.toml`, its validation, and the paths of a deployment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file name of a deployment's configuration.
pub const CONFIG_FILE: &str = "hotline.toml";

/// Locales compiled into the binary. The first is the fallback of last resort.
pub const BUNDLED_LOCALES: &[&str] = &[
    "en", "ja", "es", "fr", "ar", "pt", "zh-Hans", "vi", "th", "tl",
];

/// Everything `hotline.toml` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite:data/hotline.db` (relative to the deployment) or `postgres://…`.
    pub database_url: String,
    pub hotline: HotlineSettings,
    pub server: ServerSettings,
    #[serde(default)]
    pub sessions: SessionSettings,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HotlineSettings {
    pub name: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    /// Enabled locales; the first is the default.
    pub locales: Vec<String>,
    /// IANA time zone name, e.g. `Asia/Tokyo`.
    pub timezone: String,
    pub emergency_number: String,
    /// Deployments made before the numbers moved to the Settings page kept them here; they
    /// are carried into the settings once (see `hotline_app::open`), then ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_number: Option<String>,
    /// Where the quick-exit control sends a visitor.
    #[serde(default = "default_quick_exit")]
    pub quick_exit_url: String,
    /// A sandbox with fictional data (set by `hotline demo`).
    #[serde(default)]
    pub demo: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    /// The address people and providers use to reach the hotline, e.g. `https://hotline.example.org`.
    /// Cookies are marked `Secure` when it starts with `https://`.
    #[serde(default)]
    pub public_base_url: String,
    /// Largest request body accepted, in kibibytes.
    #[serde(default = "default_body_limit")]
    pub body_limit_kib: usize,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (a proxy on the same
    /// machine, 127.0.0.1 or ::1, is always believed).
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    #[serde(default = "default_idle")]
    pub idle_timeout_minutes: i64,
    #[serde(default = "default_absolute")]
    pub absolute_timeout_hours: i64,
    #[serde(default = "default_max_failures_account")]
    pub max_failed_logins_per_account: i64,
    #[serde(default = "default_max_failures_ip")]
    pub max_failed_logins_per_ip: i64,
    #[serde(default = "default_lockout")]
    pub lockout_minutes: i64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: default_idle(),
            absolute_timeout_hours: default_absolute(),
            max_failed_logins_per_account: default_max_failures_account(),
            max_failed_logins_per_ip: default_max_failures_ip(),
            lockout_minutes: default_lockout(),
        }
    }
}

fn default_quick_exit() -> String {
    "https://www.wikipedia.org/".into()
}
fn default_body_limit() -> usize {
    256
}
fn default_idle() -> i64 {
    30
}
fn default_absolute() -> i64 {
    12
}
fn default_max_failures_account() -> i64 {
    5
}
fn default_max_failures_ip() -> i64 {
    20
}
fn default_lockout() -> i64 {
    15
}

/// A problem with a configuration value. Each carries the locale key that explains it
/// and the offending value, so the CLI and the web can both say it in the reader's language.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key}: {value}")]
pub struct ConfigProblem {
    pub key: &'static str,
    pub value: String,
}

impl ConfigProblem {
    fn new(key: &'static str, value: impl Into<String>) -> Self {
        Self {
            key,
            value: value.into(),
        }
    }
}

/// Why a deployment's configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not TOML, or not the settings hotline knows: the line (when known) and what is wrong.
    #[error("{path} is not valid: {problem}")]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        problem: crate::i18n::Message,
    },
    #[error("{path}: {problem}")]
    Invalid {
        path: PathBuf,
        problem: ConfigProblem,
    },
}

impl Config {
    /// Reads and validates `DIR/hotline.toml`.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| {
            let (line, problem) = crate::i18n::message::toml_problem(&text, &e);
            ConfigError::Parse {
                path: path.clone(),
                line,
                problem,
            }
        })?;
        config
            .validate_in(Some(dir))
            .map_err(|problem| ConfigError::Invalid { path, problem })?;
        Ok(config)
    }

    /// Checks every value; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigProblem> {
        self.validate_in(None)
    }

    /// [`Config::validate`] for the deployment in `dir`, whose own languages
    /// (`DIR/locales/<code>.yml`, see `hotline locale add`) may be enabled too.
    pub fn validate_in(&self, dir: Option<&Path>) -> Result<(), ConfigProblem> {
        validate_name(&self.hotline.name)?;
        validate_country(&self.hotline.country)?;
        validate_locales_in(&self.hotline.locales, dir)?;
        validate_timezone(&self.hotline.timezone)?;
        validate_phone(&self.hotline.emergency_number, true)?;
        validate_listen(&self.server.listen)?;
        validate_database_url(&self.database_url)?;
        validate_public_url(&self.server.public_base_url)?;
        if self.hotline.quick_exit_url.is_empty() {
            return Err(ConfigProblem::new("config.error.url", ""));
        }
        validate_public_url(&self.hotline.quick_exit_url)?;
        for proxy in &self.server.trusted_proxies {
            if proxy.parse::<std::net::IpAddr>().is_err() {
                return Err(ConfigProblem::new("config.error.proxy", proxy.clone()));
            }
        }
        let s = &self.sessions;
        for v in [
            s.idle_timeout_minutes,
            s.absolute_timeout_hours,
            s.max_failed_logins_per_account,
            s.max_failed_logins_per_ip,
            s.lockout_minutes,
        ] {
            if v <= 0 {
                return Err(ConfigProblem::new("config.error.positive", v.to_string()));
            }
        }
        if self.server.body_limit_kib == 0 {
            return Err(ConfigProblem::new("config.error.positive", "0"));
        }
        Ok(())
    }

    /// The default locale (the first enabled one).
    pub fn default_locale(&self) -> &str {
        self.hotline
            .locales
            .first()
            .map(String::as_str)
            .unwrap_or("en")
    }

    /// True when the public address is served over TLS, so cookies must be `Secure`.
    pub fn served_over_tls(&self) -> bool {
        self.server.public_base_url.starts_with("https://")
    }

    /// The database URL with a relative SQLite path resolved against the deployment directory.
    pub fn resolved_database_url(&self, dir: &Path) -> String {
        resolve_database_url(&self.database_url, dir)
    }
}

/// Resolves `sqlite:relative/path` against `dir`; other URLs are returned unchanged.
pub fn resolve_database_url(url: &str, dir: &Path) -> String {
    match sqlite_path(url) {
        Some(p) if Path::new(p).is_relative() => {
            format!("sqlite://{}", dir.join(p).display())
        }
        _ => url.to_string(),
    }
}

/// The file path of a `sqlite:` URL (with or without `//`), query string removed.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    Some(rest.split('?').next().unwrap_or(rest))
}

pub fn validate_name(name: &str) -> Result<(), ConfigProblem> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 120 {
        return Err(ConfigProblem::new("config.error.name", name));
    }
    Ok(())
}

pub fn validate_country(code: &str) -> Result<(), ConfigProblem> {
    if crate::countries::is_country(code) {
        Ok(())
    } else {
        Err(ConfigProblem::new("config.error.country", code))
    }
}

pub fn validate_locales(locales: &[String]) -> Result<(), ConfigProblem> {
    validate_locales_in(locales, None)
}

/// A language of the deployment's own: `DIR/locales/<code>.yml` (made by `hotline locale add`).
pub fn is_local_locale(dir: &Path, code: &str) -> bool {
    is_locale_code(code) && dir.join("locales").join(format!("{code}.yml")).is_file()
}

/// A language tag such as `sw`, `fil`, `pt-BR` or `sr-Latn`: letters and digits in parts
/// joined by hyphens, starting with a two- or three-letter language code.
pub fn is_locale_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    first_ok
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// [`validate_locales`] for the deployment in `dir`, whose own languages count too.
pub fn validate_locales_in(locales: &[String], dir: Option<&Path>) -> Result<(), ConfigProblem> {
    if locales.is_empty() {
        return Err(ConfigProblem::new("config.error.no_locales", ""));
    }
    for (i, l) in locales.iter().enumerate() {
        let local = dir.is_some_and(|d| is_local_locale(d, l));
        if !BUNDLED_LOCALES.contains(&l.as_str()) && !local {
            return Err(ConfigProblem::new("config.error.locale", l.clone()));
        }
        if locales[..i].contains(l) {
            return Err(ConfigProblem::new("config.error.locale_twice", l.clone()));
        }
    }
    Ok(())
}

/// Splits `"ja, en"` into `["ja", "en"]`.
pub fn parse_locale_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn validate_timezone(tz: &str) -> Result<(), ConfigProblem> {
    match jiff::tz::TimeZone::get(tz) {
        Ok(_) => Ok(()),
        Err(_) => Err(ConfigProblem::new("config.error.timezone", tz)),
    }
}

/// A phone number or short code as people dial it: digits, spaces, `+`, `-`, `(`, `)`.
pub fn validate_phone(number: &str, required: bool) -> Result<(), ConfigProblem> {
    let n = number.trim();
    if n.is_empty() {
        return if required {
            Err(ConfigProblem::new("config.error.emergency_number", number))
        } else {
            Ok(())
        };
    }
    let digits = n.chars().filter(char::is_ascii_digit).count();
    let ok =
        n.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) && (2..=20).contains(&digits);
    if ok {
        Ok(())
    } else {
        Err(ConfigProblem::new("config.error.phone", number))
    }
}

pub fn validate_listen(listen: &str) -> Result<(), ConfigProblem> {
    listen
        .parse::<SocketAddr>()
        .map(|_| ())
        .map_err(|_| ConfigProblem::new("config.error.listen", listen))
}

pub fn validate_database_url(url: &str) -> Result<(), ConfigProblem> {
    if let Some(path) = sqlite_path(url) {
        if path.is_empty() || path == ":memory:" {
            return Err(ConfigProblem::new("config.error.database_url", url));
        }
        return Ok(());
    }
    if (url.starts_with("postgres://") || url.starts_with("postgresql://")) && url.len() > 13 {
        return Ok(());
    }
    Err(ConfigProblem::new(
        "config.error.database_url",
        redact_url(url),
    ))
}

pub fn validate_public_url(url: &str) -> Result<(), ConfigProblem> {
    if url.is_empty()
        || ((url.starts_with("http://") || url.starts_with("https://"))
            && !url.contains(char::is_whitespace))
    {
        Ok(())
    } else {
        Err(ConfigProblem::new("config.error.url", url))
    }
}

/// A database URL with any password replaced, safe to print.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((creds, host)) = rest.split_once('@') {
            let user = creds.split(':').next().unwrap_or("");
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_string()
}

/// The emergency number a country dials, used as the default for `--emergency-number`.
pub fn default_emergency_number(country: &str) -> &'static str {
    match country {
        "US" | "CA" | "MX" | "PH" | "AR" | "PA" | "CR" | "SV" | "GT" | "HN" | "NI" | "UY"
        | "PY" | "DO" | "PR" | "EC" | "BO" => "911",
        "JP" | "KR" | "TW" => "110",
        "GB" | "IE" | "MY" | "HK" | "BD" | "SG" => "999",
        "AU" => "000",
        "NZ" => "111",
        "IN" | "NP" => "112",
        "CN" => "110",
        "TH" => "191",
        "VN" => "113",
        "BR" => "190",
        "ZA" => "10111",
        "NG" => "112",
        "KE" => "999",
        _ => "112",
    }
}

/// Writes a commented `hotline.toml` for `config`, its comments in `locale` (the admin's).
pub fn render_config(config: &Config, locale: &str) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let c = |key: &str| crate::i18n::comment(locale, &format!("generated.config.{key}"), &[]);
    let locales = config
        .hotline
        .locales
        .iter()
        .map(|l| q(l))
        .collect::<Vec<_>>()
        .join(", ");
    let s = &config.sessions;
    format!(
        r#"{c_header}
{c_database_url}database_url = {database_url}

[hotline]
{c_name}name = {name}
{c_country}country = {country}
{c_locales}locales = [{locales}]
{c_timezone}timezone = {timezone}
{c_emergency_number}emergency_number = {emergency}
{c_elsewhere}{c_quick_exit_url}quick_exit_url = {quick_exit}
{c_demo}demo = {demo}

[server]
{c_listen}listen = {listen}
{c_public_base_url}public_base_url = {public}
{c_body_limit_kib}body_limit_kib = {body}
{c_trusted_proxies}trusted_proxies = [{proxies}]

[sessions]
{c_idle_timeout_minutes}idle_timeout_minutes = {idle}
{c_absolute_timeout_hours}absolute_timeout_hours = {absolute}
{c_failed_logins}max_failed_logins_per_account = {fa}
max_failed_logins_per_ip = {fi}
lockout_minutes = {lock}
"#,
        c_header = c("header"),
        c_database_url = c("database_url"),
        c_name = c("name"),
        c_country = c("country"),
        c_locales = c("locales"),
        c_timezone = c("timezone"),
        c_emergency_number = c("emergency_number"),
        c_elsewhere = c("elsewhere"),
        c_quick_exit_url = c("quick_exit_url"),
        c_demo = c("demo"),
        c_listen = c("listen"),
        c_public_base_url = c("public_base_url"),
        c_body_limit_kib = c("body_limit_kib"),
        c_trusted_proxies = c("trusted_proxies"),
        c_idle_timeout_minutes = c("idle_timeout_minutes"),
        c_absolute_timeout_hours = c("absolute_timeout_hours"),
        c_failed_logins = c("failed_logins"),
        database_url = q(&config.database_url),
        name = q(&config.hotline.name),
        country = q(&config.hotline.country),
        locales = locales,
        timezone = q(&config.hotline.timezone),
        emergency = q(&config.hotline.emergency_number),
        quick_exit = q(&config.hotline.quick_exit_url),
        demo = config.hotline.demo,
        listen = q(&config.server.listen),
        public = q(&config.server.public_base_url),
        body = config.server.body_limit_kib,
        proxies = config
            .server
            .trusted_proxies
            .iter()
            .map(|p| q(p))
            .collect::<Vec<_>>()
            .join(", "),
        idle = s.idle_timeout_minutes,
        absolute = s.absolute_timeout_hours,
        fa = s.max_failed_logins_per_account,
        fi = s.max_failed_logins_per_ip,
        lock = s.lockout_minutes,
    )
}

/// A configuration with the defaults `hotline init` offers.
pub fn default_config() -> Config {
    Config {
        database_url: "sqlite:data/hotline.db".into(),
        hotline: HotlineSettings {
            name: "National Anti-Trafficking Hotline".into(),
            country: "US".into(),
            locales: vec!["en".into()],
            timezone: "UTC".into(),
            emergency_number: "911".into(),
            phone_number: None,
            sms_number: None,
            quick_exit_url: default_quick_exit(),
            demo: false,
        },
        server: ServerSettings {
            listen: "127.0.0.1:8080".into(),
            public_base_url: String::new(),
            body_limit_kib: default_body_limit(),
            trusted_proxies: Vec::new(),
        },
        sessions: SessionSettings::default(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_tags_and_languages_of_a_deployment() {
        for ok in ["sw", "km", "pt-BR", "sr-Latn", "fil"] {
            assert!(super::is_locale_code(ok), "{ok}");
        }
        for bad in ["", "S", "Swahili", "sw_KE", "sw-", "../x", "abcd"] {
            assert!(!super::is_locale_code(bad), "{bad}");
        }
        let dir = tempfile::tempdir().expect("temporary folder");
        let sw = vec!["en".to_string(), "sw".to_string()];
        assert!(super::validate_locales_in(&sw, Some(dir.path())).is_err());
        std::fs::create_dir_all(dir.path().join("locales")).expect("folder");
        std::fs::write(dir.path().join("locales/sw.yml"), "").expect("file");
        assert!(super::validate_locales_in(&sw, Some(dir.path())).is_ok());
        assert!(
            super::validate_locales(&sw).is_err(),
            "not without the deployment"
        );
    }

    use super::*;

    #[test]
    fn rendered_config_reads_back_identically() {
        let mut c = default_config();
        c.hotline.name = "Línea \"Azul\" \\ 24h".into();
        c.hotline.locales = vec!["ja".into(), "en".into()];
        c.server.trusted_proxies = vec!["10.0.0.5".into(), "::1".into()];
        let text = render_config(&c, "en");
        let back: Config = toml::from_str(&text).expect("parses");
        assert_eq!(back, c);
        assert!(back.validate().is_ok());
    }

    #[test]
    fn bad_values_are_named() {
        assert_eq!(
            validate_country("XX").unwrap_err().key,
            "config.error.country"
        );
        assert!(validate_country("JP").is_ok());
        assert_eq!(
            validate_locales(&["en".into(), "zz".into()])
                .unwrap_err()
                .value,
            "zz"
        );
        assert!(validate_timezone("Asia/Tokyo").is_ok());
        assert!(validate_timezone("Mars/Olympus").is_err());
        assert!(validate_phone("110", true).is_ok());
        assert!(validate_phone("call me", true).is_err());
        assert!(validate_listen("0.0.0.0:80").is_ok());
        assert!(validate_listen("localhost").is_err());
        assert!(validate_database_url("mysql://x").is_err());
        assert!(validate_database_url("sqlite:data/h.db").is_ok());
    }

    #[test]
    fn relative_sqlite_paths_resolve_against_the_deployment() {
        let url = resolve_database_url("sqlite:data/h.db", Path::new("/srv/hl"));
        assert_eq!(url, "sqlite:///srv/hl/data/h.db");
        assert_eq!(
            resolve_database_url("postgres://u@h/db", Path::new("/x")),
            "postgres://u@h/db"
        );
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
