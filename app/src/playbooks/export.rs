//! Self-contained HTML handouts: one file with its own stylesheet, no links to the server,
//! to print, e-mail or open on a laptop without network.

use std::path::Path;

use askama::Template;

use super::catalog::{Catalog, Playbook};
use super::pages::View;
use crate::i18n;

#[derive(Template)]
#[template(path = "playbooks/handout.html")]
struct Handout<'a> {
    locale: &'a str,
    dir: &'static str,
    title: String,
    exported: String,
    intro: &'a [String],
    views: Vec<View>,
}

impl Handout<'_> {
    fn t(&self, key: &str) -> String {
        i18n::tr(self.locale, key)
    }
}

/// Who exported a handout, and on which day (in the hotline's time zone).
pub struct Exporter<'a> {
    pub hotline: &'a str,
    /// `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Template)]
#[template(path = "playbooks/index.html")]
struct Index<'a> {
    locale: &'a str,
    dir: &'static str,
    title: String,
    hotline_name: &'a str,
    /// `(file name, title)`.
    links: Vec<(String, String)>,
}

/// One HTML document holding `playbooks` (labels in `locale`), exported `by` a hotline.
pub fn handout(
    catalog: &Catalog,
    playbooks: &[&Playbook],
    locale: &str,
    by: &Exporter,
) -> Result<String, askama::Error> {
    handout_with(catalog, playbooks, locale, by, &[])
}

/// The same, opening with `intro` lines (a workshop's title, date and organisation).
pub fn handout_with(
    catalog: &Catalog,
    playbooks: &[&Playbook],
    locale: &str,
    by: &Exporter,
    intro: &[String],
) -> Result<String, askama::Error> {
    let views: Vec<View> = playbooks
        .iter()
        .map(|p| View::new(catalog, p, locale))
        .collect();
    let title = match (intro.first(), views.as_slice()) {
        (Some(first), _) => first.clone(),
        (None, [one]) => one.title.clone(),
        _ => i18n::tr(locale, "playbook.title"),
    };
    Handout {
        locale,
        dir: i18n::direction(locale),
        title,
        exported: i18n::tr_with(
            locale,
            "playbook.handout.exported",
            &[("name", by.hotline), ("date", &by.date)],
        ),
        intro,
        views,
    }
    .render()
}

/// Writes the handouts of `playbooks` into `folder`: one file per playbook
/// (`<id>.<locale>.html`) and an `index.html` linking them. Returns the files written.
pub fn write_folder(
    catalog: &Catalog,
    playbooks: &[&Playbook],
    locale: &str,
    by: &Exporter,
    folder: &Path,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(folder)?;
    let mut written = Vec::new();
    let mut links = Vec::new();
    for p in playbooks {
        let html =
            handout(catalog, &[p], locale, by).map_err(|e| std::io::Error::other(e.to_string()))?;
        let name = format!("{}.{}.html", p.id, p.locale);
        let path = folder.join(&name);
        std::fs::write(&path, html)?;
        written.push(path);
        links.push((name, p.title.clone()));
    }
    let index = Index {
        locale,
        dir: i18n::direction(locale),
        title: i18n::tr(locale, "playbook.title"),
        hotline_name: by.hotline,
        links,
    }
    .render()
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    let path = folder.join("index.html");
    std::fs::write(&path, index)?;
    written.push(path);
    Ok(written)
}
