//! A language's texts out to translators and back: YAML (the deployment's own override
//! format) and XLIFF 2.0 (read by translation tools such as Poedit, Weblate, OmegaT,
//! memoQ and Trados). Import checks everything first and writes nothing on a problem.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use super::overrides::{self, Entry, Status};
use super::{compiled, english_of, keys_for, read_overrides};
use crate::config::BUNDLED_LOCALES;

/// The texts a language has of its own (`key -> text`): the Translations page's change,
/// else the deployment's file, else the bundled text in exactly that language.
/// Untranslated keys are absent.
pub fn texts_of(dir: &Path, locale: &str, entries: &[Entry]) -> BTreeMap<String, String> {
    let (files, _) = read_overrides(dir);
    let file = files.get(locale);
    let page_entries = overrides::by_key(entries, locale);
    let mut out = BTreeMap::new();
    for key in keys_for(locale) {
        let page = page_entries
            .get(&key)
            .filter(|e| overrides::status(e) != Status::Invalid)
            .map(|e| e.text.clone());
        let text = page
            .or_else(|| file.and_then(|f| f.get(&key)).cloned())
            .or_else(|| compiled(locale, &key));
        if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
            out.insert(key, t);
        }
    }
    out
}

/// JSON strings are YAML double-quoted scalars.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace('"', "'")))
}

/// Every key, its English text as a comment, and this language's text (empty when none).
/// The opening comment is in `admin_locale`.
pub fn to_yaml(locale: &str, texts: &BTreeMap<String, String>, admin_locale: &str) -> String {
    let mut out = super::comment(admin_locale, "generated.locale_export", &[("code", locale)]);
    out.push('\n');
    out.push_str(&yaml_entries(keys_for(locale), texts));
    out
}

/// `"key": "text"` lines, each under its English original as comment lines.
pub(crate) fn yaml_entries(keys: Vec<String>, texts: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for key in keys {
        for line in english_of(&key).unwrap_or_default().lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        let text = texts.get(&key).map(String::as_str).unwrap_or("");
        out.push_str(&format!("{}: {}\n", quoted(&key), quoted(text)));
    }
    out
}

/// XLIFF 2.0: one unit per key, the English source and this language's target.
pub fn to_xliff(locale: &str, texts: &BTreeMap<String, String>) -> Result<String, String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let e = |r: std::io::Result<()>| r.map_err(|e| e.to_string());
    e(w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))))?;
    let mut root = BytesStart::new("xliff");
    root.push_attribute(("xmlns", "urn:oasis:names:tc:xliff:document:2.0"));
    root.push_attribute(("version", "2.0"));
    root.push_attribute(("srcLang", "en"));
    root.push_attribute(("trgLang", locale));
    e(w.write_event(Event::Start(root)))?;
    let mut file = BytesStart::new("file");
    file.push_attribute(("id", "hotline"));
    e(w.write_event(Event::Start(file)))?;
    for key in keys_for(locale) {
        let english = english_of(&key).unwrap_or_default();
        let mut unit = BytesStart::new("unit");
        unit.push_attribute(("id", key.as_str()));
        e(w.write_event(Event::Start(unit)))?;
        let target = texts.get(&key);
        let mut segment = BytesStart::new("segment");
        segment.push_attribute((
            "state",
            if target.is_some() {
                "translated"
            } else {
                "initial"
            },
        ));
        e(w.write_event(Event::Start(segment)))?;
        for (name, text) in [("source", Some(&english)), ("target", target)] {
            if let Some(text) = text {
                e(w.write_event(Event::Start(BytesStart::new(name))))?;
                e(w.write_event(Event::Text(BytesText::new(text))))?;
                e(w.write_event(Event::End(BytesEnd::new(name))))?;
            }
        }
        e(w.write_event(Event::End(BytesEnd::new("segment"))))?;
        e(w.write_event(Event::End(BytesEnd::new("unit"))))?;
    }
    e(w.write_event(Event::End(BytesEnd::new("file"))))?;
    e(w.write_event(Event::End(BytesEnd::new("xliff"))))?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A problem in a file to import: its line (0 when it concerns the whole file), a locale
/// key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub problem: super::Message,
}

impl Problem {
    fn new(line: usize, key: &'static str, args: &[(&'static str, &str)]) -> Problem {
        Problem {
            line,
            problem: super::Message::new(key, args),
        }
    }

    /// `file:line: message` in `locale`.
    pub fn text(&self, file: &str, locale: &str) -> String {
        let message = self.problem.text(locale);
        if self.line > 0 {
            format!("{file}:{}: {message}", self.line)
        } else {
            format!("{file}: {message}")
        }
    }
}

/// Where each line of a text starts, to tell the line of a byte offset without counting
/// from the start each time.
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Lines {
        Lines(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The 1-based line of byte `offset`.
    fn at(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset).max(1)
    }
}

/// True for a file name that means XLIFF (`.xlf`, `.xliff`); other files are YAML.
pub fn is_xliff(name: &str) -> bool {
    name.ends_with(".xlf") || name.ends_with(".xliff")
}

/// Reads an exported file back: the language and its texts. `locale` (from the command line)
/// wins over the one the file names. Every text is checked; any problem refuses the whole.
pub fn parse(
    name: &str,
    text: &str,
    locale: Option<&str>,
) -> Result<(String, BTreeMap<String, String>), Vec<Problem>> {
    let (named, found) = if is_xliff(name) {
        read_xliff(text)?
    } else {
        (None, read_yaml(text)?)
    };
    let Some(locale) = locale.map(str::to_string).or(named) else {
        return Err(vec![Problem::new(0, "translation.import.no_locale", &[])]);
    };
    if !crate::config::is_locale_code(&locale) {
        return Err(vec![Problem::new(
            0,
            "translation.import.bad_locale",
            &[("locale", &locale)],
        )]);
    }
    let mut problems = Vec::new();
    let mut texts = BTreeMap::new();
    for (key, value, line) in found {
        let key = super::counted_key(key);
        if let Some(problem) = super::text_problem(&locale, &key, &value) {
            problems.push(Problem { line, problem });
            continue;
        }
        if value.trim().is_empty() {
            continue;
        }
        if texts.insert(key.clone(), value).is_some() {
            problems.push(Problem::new(
                line,
                "translation.import.twice",
                &[("key", &key)],
            ));
        }
    }
    if problems.is_empty() {
        Ok((locale, texts))
    } else {
        Err(problems)
    }
}

type Found = Vec<(String, String, usize)>;

fn read_yaml(text: &str) -> Result<Found, Vec<Problem>> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line()).unwrap_or(0);
        let mut p = Problem::new(line, "translation.import.yaml", &[]);
        p.problem = p.problem.because(super::message::yaml_problem(&e));
        vec![p]
    })?;
    let mut flat = Vec::new();
    super::flatten("", &value, &mut flat);
    // The line of each key written whole at the start of a line (`"a.b": …` or `a.b: …`,
    // as exports write them), for the messages; nested keys have none (0).
    let mut lines: HashMap<&str, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let key = match line.strip_prefix('"') {
            Some(rest) => rest.split('"').next(),
            None => line.split(':').next(),
        };
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            lines.entry(key).or_insert(i + 1);
        }
    }
    Ok(flat
        .into_iter()
        .map(|(key, v)| {
            let line = lines.get(key.as_str()).copied().unwrap_or(0);
            (key, v, line)
        })
        .collect())
}

fn read_xliff(text: &str) -> Result<(Option<String>, Found), Vec<Problem>> {
    let mut reader = Reader::from_str(text);
    let mut out = Vec::new();
    let mut locale = None;
    let mut seen_root = false;
    let mut unit: Option<(String, usize)> = None;
    let mut in_target = false;
    let mut initial = false;
    let mut target: Option<String> = None;
    let lines = Lines::of(text);
    // The parser's own words are English: the position and what to look at are said instead.
    let xml_error = |reader: &Reader<&[u8]>, _: &dyn std::fmt::Display| {
        let at = usize::try_from(reader.error_position()).unwrap_or(0);
        let position = text.get(..at).map_or(at, |s| s.chars().count() + 1);
        let mut p = Problem::new(lines.at(at), "translation.import.xml", &[]);
        p.problem = p.problem.because(super::Message::new(
            "problem.xml",
            &[("position", &position.to_string())],
        ));
        vec![p]
    };
    loop {
        let event = reader.read_event().map_err(|e| xml_error(&reader, &e))?;
        let here = lines.at(usize::try_from(reader.buffer_position()).unwrap_or(0));
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"xliff" => {
                seen_root = true;
                for a in e.attributes().flatten() {
                    let value = a
                        .unescape_value()
                        .map_err(|err| xml_error(&reader, &err))?
                        .to_string();
                    match a.key.local_name().as_ref() {
                        b"version" if !value.starts_with('2') => {
                            return Err(vec![Problem::new(
                                here,
                                "translation.import.not_xliff",
                                &[],
                            )]);
                        }
                        b"trgLang" => locale = Some(value),
                        _ => {}
                    }
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"unit" => {
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"id")
                    .and_then(|a| a.unescape_value().ok())
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                unit = Some((id, here));
                target = None;
            }
            // A target a tool pre-filled but nobody translated yet is not a translation.
            Event::Start(e) if e.local_name().as_ref() == b"segment" => {
                initial = e.attributes().flatten().any(|a| {
                    a.key.local_name().as_ref() == b"state" && a.value.as_ref() == b"initial"
                });
            }
            Event::Start(e) if e.local_name().as_ref() == b"target" && !initial => {
                in_target = true;
                target.get_or_insert_with(String::new);
            }
            // A placeholder a tool protected as an inline code: its original text.
            Event::Empty(e)
                if in_target && matches!(e.local_name().as_ref(), b"ph" | b"sc" | b"ec") =>
            {
                let equiv = e
                    .attributes()
                    .flatten()
                    .find(|a| matches!(a.key.local_name().as_ref(), b"equiv" | b"disp"))
                    .and_then(|a| a.unescape_value().ok())
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                if let Some(s) = target.as_mut() {
                    s.push_str(&equiv);
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"target" => in_target = false,
            Event::Text(t) if in_target => {
                let piece = t.decode().map_err(|err| xml_error(&reader, &err))?;
                if let Some(s) = target.as_mut() {
                    s.push_str(&piece);
                }
            }
            Event::CData(t) if in_target => {
                let piece = t.decode().map_err(|err| xml_error(&reader, &err))?;
                if let Some(s) = target.as_mut() {
                    s.push_str(&piece);
                }
            }
            Event::GeneralRef(r) if in_target => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(|c| c.to_string())
                } else {
                    r.decode()
                        .ok()
                        .and_then(|n| quick_xml::escape::resolve_predefined_entity(&n))
                        .map(str::to_string)
                };
                let Some(resolved) = resolved else {
                    return Err(vec![Problem::new(here, "translation.import.entity", &[])]);
                };
                if let Some(s) = target.as_mut() {
                    s.push_str(&resolved);
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"unit" => {
                if let (Some((id, line)), Some(t)) = (unit.take(), target.take()) {
                    out.push((id, t, line));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(vec![Problem::new(0, "translation.import.not_xliff", &[])]);
    }
    Ok((locale, out))
}

/// Where an imported language is kept: `DIR/locales/<locale>.yml`, the earlier file (if
/// any) kept beside it as `<locale>.yml.previous`. For a bundled language only the texts
/// that differ from the bundled ones are written, so that later upgrades still reach the
/// rest. Returns the file written. Its comments are in `admin_locale`.
pub fn write_local(
    dir: &Path,
    locale: &str,
    texts: &BTreeMap<String, String>,
    admin_locale: &str,
) -> std::io::Result<PathBuf> {
    let folder = dir.join("locales");
    std::fs::create_dir_all(&folder)?;
    let path = folder.join(format!("{locale}.yml"));
    let body = if BUNDLED_LOCALES.contains(&locale) {
        let mut out = super::comment(
            admin_locale,
            "generated.locale_imported",
            &[("code", locale)],
        );
        for (key, text) in texts {
            if compiled(locale, key).as_deref() != Some(text.as_str()) {
                out.push_str(&format!("{}: {}\n", quoted(key), quoted(text)));
            }
        }
        out
    } else {
        to_yaml(locale, texts, admin_locale)
    };
    if path.exists() {
        std::fs::copy(&path, folder.join(format!("{locale}.yml.previous")))?;
    }
    crate::files::replace(&path, body.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xliff(body: &str, lang: &str) -> String {
        format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\" trgLang=\"{lang}\"><file id=\"f\">{body}</file></xliff>"
        )
    }

    #[test]
    fn reads_what_translation_tools_write() {
        let text = xliff(
            "<unit id=\"emergency.call\"><segment state=\"translated\"><source>x</source>\
             <target>Piga <ph id=\"1\" equiv=\"%{number}\"/> &amp; <![CDATA[<sasa>]]> &#233;</target></segment></unit>\
             <unit id=\"public.intro\"><segment state=\"initial\"><source>s</source><target>copied source</target></segment></unit>",
            "sw",
        );
        let (locale, texts) = parse("f.xlf", &text, None).expect("a good file");
        assert_eq!(locale, "sw");
        assert_eq!(texts["emergency.call"], "Piga %{number} & <sasa> é");
        assert!(
            !texts.contains_key("public.intro"),
            "an untranslated pre-fill"
        );
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        let lang = parse("f.xlf", &xliff("", "../x"), None).unwrap_err();
        assert_eq!(lang[0].problem.key, "translation.import.bad_locale");
        let broken =
            parse("f.xlf", "<xliff version=\"2.0\"><file></xliff>", Some("sw")).unwrap_err();
        assert_eq!(broken[0].problem.key, "translation.import.xml");
        let old = parse("f.xlf", "<xliff version=\"1.2\"></xliff>", Some("sw")).unwrap_err();
        assert_eq!(old[0].problem.key, "translation.import.not_xliff");
        let entity = parse(
            "f.xlf",
            &xliff(
                "<unit id=\"public.intro\"><segment><target>&nbsp;</target></segment></unit>",
                "sw",
            ),
            None,
        )
        .unwrap_err();
        assert_eq!(entity[0].problem.key, "translation.import.entity");
        // A text that became plural may be given as one string: its `other` form.
        let (_, texts) = parse(
            "f.yml",
            "\"cli.doctor.problems\": \"%{count} matatizo\"\n",
            Some("sw"),
        )
        .expect("read as the other form");
        assert_eq!(texts["cli.doctor.problems.other"], "%{count} matatizo");
    }
}
