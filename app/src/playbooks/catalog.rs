//! The playbook catalog: the bundled playbooks (compiled in) and the local admin's own or
//! adapted ones in `DIR/playbooks/<locale>/<name>.md`. A broken local file is reported and
//! skipped; the rest are served.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use include_dir::{include_dir, Dir};

use crate::config::BUNDLED_LOCALES;
use crate::i18n;

pub(crate) static BUNDLED_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../playbooks");

/// The folder inside a deployment that holds local playbooks.
pub const LOCAL_DIR: &str = "playbooks";

/// The languages the playbooks and practice scenarios are bundled in. Local files may be in
/// any language the hotline has; elsewhere a reader gets the nearest version (see
/// [`Catalog::get`]).
pub const PLAYBOOK_LOCALES: &[&str] = &["en", "ja", "es"];

/// The launch phases, in order; every playbook belongs to one (labels `playbook.phase.<code>`).
pub const PHASES: &[&str] = &[
    "assessment",
    "foundations",
    "operations",
    "people",
    "launch",
];

/// The bundled playbooks in the order a launch meets them.
pub const BUNDLED_ORDER: &[&str] = &[
    "readiness-feasibility",
    "stakeholder-referral-mapping",
    "legal-consent-confidentiality",
    "strategic-roundtables",
    "hotline-operations",
    "contact-handling",
    "crisis-response",
    "police-child-protection-reporting",
    "data-management-statistics",
    "staffing-training-wellbeing",
    "community-training",
    "launch-awareness-monitoring",
];

/// Front-matter fields every playbook must have.
pub const REQUIRED_FIELDS: &[&str] = &[
    "id",
    "title",
    "audience",
    "locale",
    "version",
    "estimated_time",
    "related",
    "phase",
];

/// Where a playbook comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Bundled,
    /// A file in the deployment's `playbooks/` folder (its path as shown to the admin).
    Local(String),
}

#[derive(Debug, Clone)]
pub struct Playbook {
    pub id: String,
    pub title: String,
    pub audience: Vec<String>,
    pub locale: String,
    pub version: String,
    pub estimated_time: String,
    pub related: Vec<String>,
    pub phase: String,
    /// The Markdown after the front matter.
    pub body: String,
    /// The Markdown rendered once, when the file is read: sections, contents, and the text
    /// of each `- [ ]` item (the launch plan's items).
    pub rendered: super::render::Rendered,
    /// The whole file as written (front matter and Markdown), to copy and adapt.
    pub source: String,
    pub origin: Origin,
}

impl Playbook {
    pub fn is_local(&self) -> bool {
        matches!(self.origin, Origin::Local(_))
    }

    /// The local file this version comes from, if it is local.
    pub fn local_file(&self) -> Option<&str> {
        match &self.origin {
            Origin::Local(f) => Some(f),
            Origin::Bundled => None,
        }
    }

    /// The text of each `- [ ]` item, in order.
    pub fn checklist(&self) -> &[String] {
        &self.rendered.checklist
    }
}

/// Why a playbook file was skipped: a locale key and its arguments, shown in the reader's
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub problem: i18n::Message,
}

impl Problem {
    pub(crate) fn new(file: &str, key: &'static str, args: &[(&'static str, &str)]) -> Self {
        Problem {
            file: file.to_string(),
            problem: i18n::Message::new(key, args),
        }
    }

    /// A problem with the front matter's TOML, said in the reader's language. `first_line`
    /// is the file's line number of the TOML's first line.
    pub(crate) fn toml(file: &str, source: &str, first_line: usize, e: &toml::de::Error) -> Self {
        let (line, detail) = i18n::message::toml_problem(source, e);
        let mut p = match line {
            Some(l) => Problem::new(
                file,
                "playbook.problem.toml",
                &[("line", &(l + first_line - 1).to_string())],
            ),
            None => Problem::new(file, "playbook.problem.front_matter", &[]),
        };
        p.problem = p.problem.because(detail);
        p
    }

    pub fn message(&self, locale: &str) -> String {
        self.problem.text(locale)
    }
}

/// Splits `+++\n<toml>\n+++\n<markdown>` into the parsed front matter and the Markdown.
pub(crate) fn front_matter<'t>(
    file: &str,
    text: &'t str,
) -> Result<(toml::Table, &'t str), Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let problem = |key, args: &[(&'static str, &str)]| Problem::new(file, key, args);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
        .ok_or_else(|| problem("playbook.problem.no_front_matter", &[]))?;
    let end = rest
        .find("\n+++")
        .ok_or_else(|| problem("playbook.problem.no_front_matter", &[]))?;
    let (front, after) = rest.split_at(end);
    // A file saved with Windows line endings: TOML takes no lone carriage return.
    let front = front.strip_suffix('\r').unwrap_or(front);
    let body = after["\n+++".len()..].trim_start_matches(['\r', '\n']);
    // The TOML starts on the file's second line, after the opening +++.
    let table: toml::Table = front
        .parse()
        .map_err(|e: toml::de::Error| Problem::toml(file, front, 2, &e))?;
    Ok((table, body))
}

/// Parses a playbook file and checks its front matter. `folder` is the locale
/// folder the file sits in; the front matter must agree with it.
pub fn parse(file: &str, folder: &str, text: &str) -> Result<Playbook, Problem> {
    let problem = |key, args: &[(&'static str, &str)]| Problem::new(file, key, args);
    let (table, body) = front_matter(file, text)?;
    for field in REQUIRED_FIELDS {
        if !table.contains_key(*field) {
            return Err(problem(
                "playbook.problem.missing_field",
                &[("field", field)],
            ));
        }
    }
    let text_field = |name: &'static str| -> Result<String, Problem> {
        match table.get(name) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(problem("playbook.problem.field_text", &[("field", name)])),
        }
    };
    let list_field = |name: &'static str| -> Result<Vec<String>, Problem> {
        match table.get(name) {
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| problem("playbook.problem.field_list", &[("field", name)])),
            _ => Err(problem("playbook.problem.field_list", &[("field", name)])),
        }
    };
    let id = text_field("id")?;
    if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || id.len() > 80
    {
        return Err(problem("playbook.problem.bad_id", &[("id", &id)]));
    }
    let locale = text_field("locale")?;
    if !BUNDLED_LOCALES.contains(&locale.as_str()) {
        return Err(problem(
            "playbook.problem.unknown_locale",
            &[("locale", &locale), ("known", &BUNDLED_LOCALES.join(", "))],
        ));
    }
    if locale != folder {
        return Err(problem(
            "playbook.problem.wrong_folder",
            &[("locale", &locale), ("folder", folder)],
        ));
    }
    let phase = text_field("phase")?;
    if !PHASES.contains(&phase.as_str()) {
        return Err(problem(
            "playbook.problem.unknown_phase",
            &[("phase", &phase), ("known", &PHASES.join(", "))],
        ));
    }
    if body.trim().is_empty() {
        return Err(problem("playbook.problem.empty", &[]));
    }
    Ok(Playbook {
        title: text_field("title")?,
        audience: list_field("audience")?,
        version: text_field("version")?,
        estimated_time: text_field("estimated_time")?,
        related: list_field("related")?,
        id,
        locale,
        phase,
        rendered: super::render::render(body),
        body: body.to_string(),
        source: text.to_string(),
        origin: Origin::Bundled,
    })
}

/// The bundled playbooks, parsed once. A bundled file that does not parse is a build defect
/// (the test suite checks them all); it is reported like a local one and skipped.
fn bundled() -> &'static (Vec<Playbook>, Vec<Problem>) {
    static BUNDLED: OnceLock<(Vec<Playbook>, Vec<Problem>)> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let mut list = Vec::new();
        let mut problems = Vec::new();
        for folder in BUNDLED_DIR.dirs() {
            let locale = folder.path().to_string_lossy().to_string();
            parse_bundled(folder, &locale, parse, &mut list, &mut problems);
        }
        (list, problems)
    })
}

/// Parses each `.md` file of a bundled `folder` (of `locale`) with `parse`, into `list` or,
/// when it does not parse, `problems`.
pub(crate) fn parse_bundled<T>(
    folder: &include_dir::Dir<'_>,
    locale: &str,
    parse: fn(&str, &str, &str) -> Result<T, Problem>,
    list: &mut Vec<T>,
    problems: &mut Vec<Problem>,
) {
    for file in folder.files() {
        let name = file.path().to_string_lossy().to_string();
        if !name.ends_with(".md") {
            continue;
        }
        let parsed = file
            .contents_utf8()
            .ok_or_else(|| Problem::new(&name, "playbook.problem.not_text", &[]))
            .and_then(|text| parse(&name, locale, text));
        match parsed {
            Ok(p) => list.push(p),
            Err(e) => problems.push(e),
        }
    }
}

/// A local playbook file read and parsed; kept while the file's time and size stay the same,
/// so that pages that read the catalog (the staff home, the launch plan) do not parse and
/// render every local file on each request.
fn parse_local(file: &Path, shown: &str, folder: &str) -> Result<Playbook, Problem> {
    /// A file's time and size when it was read, and what it gave.
    type Kept = (SystemTime, u64, Result<Playbook, Problem>);
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Kept>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let stamp = std::fs::metadata(file)
        .ok()
        .and_then(|m| Some((m.modified().ok()?, m.len())));
    if let Some((time, len)) = stamp {
        let kept = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, l, parsed)) = kept.get(file) {
            if (*t, *l) == (time, len) {
                return parsed.clone();
            }
        }
    }
    let parsed = match std::fs::read(file) {
        Err(e) => {
            let mut p = Problem::new(shown, "playbook.problem.unreadable", &[]);
            p.problem = p.problem.because(i18n::message::io_problem(&e));
            Err(p)
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => Err(Problem::new(shown, "playbook.problem.not_text", &[])),
            Ok(text) => parse(shown, folder, &text),
        },
    };
    if let Some((time, len)) = stamp {
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(file.to_path_buf(), (time, len, parsed.clone()));
    }
    parsed
}

/// All playbooks a deployment serves, and the problems found on the way.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Parsed once per process and shared, not copied per request.
    pub bundled: &'static [Playbook],
    pub local: Vec<Playbook>,
    pub problems: Vec<Problem>,
}

impl Catalog {
    /// The bundled playbooks plus the local ones under `dir` (a deployment directory), if any.
    /// Local files are read on every call, so an admin's edit shows without a restart.
    pub fn load(dir: Option<&Path>) -> Catalog {
        let (bundled, bundled_problems) = bundled();
        let mut catalog = Catalog {
            bundled: bundled.as_slice(),
            local: Vec::new(),
            problems: bundled_problems.clone(),
        };
        if let Some(dir) = dir {
            catalog.read_local(&dir.join(LOCAL_DIR));
        }
        catalog
    }

    fn read_local(&mut self, root: &Path) {
        let Ok(entries) = std::fs::read_dir(root) else {
            return;
        };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let shown = path.display().to_string();
            if path.is_file() {
                if path.extension().is_some_and(|x| x == "md") {
                    self.problems.push(Problem::new(
                        &shown,
                        "playbook.problem.no_folder",
                        &[("folders", &BUNDLED_LOCALES.join(", "))],
                    ));
                }
                continue;
            }
            let folder = path
                .file_name()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let Ok(files) = std::fs::read_dir(&path) else {
                continue;
            };
            let mut files: Vec<_> = files
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "md"))
                .collect();
            files.sort();
            for file in files {
                let shown = file.display().to_string();
                match parse_local(&file, &shown, &folder) {
                    Ok(mut p) => {
                        if self
                            .local
                            .iter()
                            .any(|o| o.id == p.id && o.locale == p.locale)
                        {
                            self.problems.push(Problem::new(
                                &shown,
                                "playbook.problem.duplicate",
                                &[("id", &p.id), ("locale", &p.locale)],
                            ));
                            continue;
                        }
                        p.origin = Origin::Local(shown);
                        self.local.push(p);
                    }
                    Err(e) => self.problems.push(e),
                }
            }
        }
    }

    /// Every playbook id: the bundled ones in launch order, then local ones by id.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = BUNDLED_ORDER.iter().map(|s| s.to_string()).collect();
        for p in self.bundled {
            if !ids.contains(&p.id) {
                ids.push(p.id.clone());
            }
        }
        let mut own: Vec<String> = self
            .local
            .iter()
            .filter(|p| !ids.contains(&p.id))
            .map(|p| p.id.clone())
            .collect();
        own.sort();
        own.dedup();
        ids.extend(own);
        ids
    }

    /// `(id, title)` of each of `ids` the catalog has, for a reader of `locale` (related
    /// playbooks).
    pub fn titles(&self, ids: &[String], locale: &str) -> Vec<(String, String)> {
        ids.iter()
            .filter_map(|id| self.get(id, locale))
            .map(|p| (p.id.clone(), p.title.clone()))
            .collect()
    }

    /// The playbook to show for `id` to a reader of `locale`: the local version before the
    /// bundled one, in the reader's language first, then along the fallback chain.
    pub fn get(&self, id: &str, locale: &str) -> Option<&Playbook> {
        for l in i18n::fallback_chain(locale) {
            if let Some(p) = self.local.iter().find(|p| p.id == id && p.locale == l) {
                return Some(p);
            }
            if let Some(p) = self.bundled.iter().find(|p| p.id == id && p.locale == l) {
                return Some(p);
            }
        }
        self.local
            .iter()
            .chain(self.bundled.iter())
            .find(|p| p.id == id)
    }

    /// The bundled version, for comparison with a local adaptation.
    pub fn bundled_version(&self, id: &str, locale: &str) -> Option<&Playbook> {
        self.bundled
            .iter()
            .find(|p| p.id == id && p.locale == locale)
    }

    /// The languages some playbook is written in, in the order of the bundled locales.
    pub fn locales(&self) -> Vec<String> {
        self.locales_where(|_| true)
    }

    /// The languages playbook `id` is written in.
    pub fn locales_of(&self, id: &str) -> Vec<String> {
        self.locales_where(|p| p.id == id)
    }

    fn locales_where(&self, keep: impl Fn(&Playbook) -> bool) -> Vec<String> {
        BUNDLED_LOCALES
            .iter()
            .filter(|l| {
                self.bundled
                    .iter()
                    .chain(self.local.iter())
                    .any(|p| p.locale == **l && keep(p))
            })
            .map(|l| l.to_string())
            .collect()
    }

    /// One playbook per id, as `get` chooses them.
    pub fn list(&self, locale: &str) -> Vec<&Playbook> {
        self.ids()
            .iter()
            .filter_map(|id| self.get(id, locale))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"own\"\ntitle = \"Own\"\naudience = [\"ngo\"]\nlocale = \"en\"\nversion = \"1\"\nestimated_time = \"1 day\"\nrelated = []\nphase = \"launch\"\n+++\n\n# Own\n\n## Checklist\n\n- [ ] One\n";

    #[test]
    fn parses_front_matter_and_body() {
        let p = parse("x.md", "en", GOOD).expect("a good playbook parses");
        assert_eq!(p.id, "own");
        assert_eq!(p.phase, "launch");
        assert!(p.body.starts_with("# Own"));
    }

    #[test]
    fn names_what_is_wrong() {
        let key =
            |text: &str, folder: &str| parse("x.md", folder, text).err().map(|e| e.problem.key);
        assert_eq!(
            key("# no front matter", "en"),
            Some("playbook.problem.no_front_matter")
        );
        assert_eq!(
            key(&GOOD.replace("title = \"Own\"\n", ""), "en"),
            Some("playbook.problem.missing_field")
        );
        assert_eq!(
            key(&GOOD.replace("\"en\"", "\"xx\""), "en"),
            Some("playbook.problem.unknown_locale")
        );
        assert_eq!(key(GOOD, "ja"), Some("playbook.problem.wrong_folder"));
        let crlf = GOOD.replace('\n', "\r\n");
        assert!(parse("x.md", "en", &crlf).is_ok(), "Windows line endings");
        assert_eq!(
            key(&GOOD.replace("title = \"Own\"", "title = [1"), "en"),
            Some("playbook.problem.toml")
        );
        assert_eq!(
            key(&GOOD.replace("related = []", "related = \"x\""), "en"),
            Some("playbook.problem.field_list")
        );
        assert_eq!(
            key(&GOOD.replace("\"launch\"", "\"later\""), "en"),
            Some("playbook.problem.unknown_phase")
        );
    }
}
