//! Playbook Markdown → HTML: the body split into sections (one per `##` heading), a table of
//! contents, the checklist items, and plain text for search. Raw HTML in a playbook is shown
//! as text, never passed through, so a local file cannot inject script into staff pages.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// One `##` section: its heading and its HTML (the heading itself not included).
#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub html: String,
    /// Plain text, for search.
    pub text: String,
    /// The anchors of the section's own `###` steps (not headings nested in lists or quotes).
    pub steps: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TocEntry {
    pub id: String,
    pub title: String,
    /// 2 for a section, 3 for a step inside it.
    pub level: u8,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Anything before the first `##` heading (after the title), usually empty.
    pub intro: String,
    pub sections: Vec<Section>,
    pub toc: Vec<TocEntry>,
    /// The text of every `- [ ]` item, in order.
    pub checklist: Vec<String>,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH
}

/// A link target a playbook may use: the web, e-mail, telephone, or an anchor or relative
/// path. Anything else (`javascript:`, `data:`, …) is dropped and the link text kept.
fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

/// Container elements inside which a heading does not start a section or a step.
fn is_container(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_)
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::FootnoteDefinition(_)
            | Tag::HtmlBlock
    )
}

fn is_container_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::BlockQuote(_)
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::Table
            | TagEnd::FootnoteDefinition
            | TagEnd::HtmlBlock
    )
}

/// Renders a playbook body. The first `#` heading (the title) is left out: pages show the
/// title from the front matter. Raw HTML is shown as text, links other than web, e-mail and
/// telephone ones keep only their text, and images only their description, so that a page or
/// a handout never runs script or fetches anything.
pub fn render(markdown: &str) -> Rendered {
    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut current: Option<Section> = None;
    let mut heading: Option<(HeadingLevel, String, bool)> = None;
    let mut skipping_title = false;
    let mut seen_title = false;
    // Open list items: their text so far and whether they are tasks.
    let mut items: Vec<(String, bool)> = Vec::new();
    let mut depth = 0usize;
    // Links whose end tag must be dropped with their start (unsafe targets).
    let mut dropped_links: Vec<bool> = Vec::new();
    let mut in_image = 0usize;
    let mut counter = 0usize;

    let flush = |events: &mut Vec<Event>, current: &mut Option<Section>, out: &mut Rendered| {
        let mut buf = String::new();
        html::push_html(&mut buf, events.drain(..));
        match current.take() {
            Some(mut s) => {
                s.html = buf;
                out.sections.push(s);
            }
            None => out.intro.push_str(&buf),
        }
    };

    for event in Parser::new_ext(markdown, options()) {
        let event = match event {
            // Raw HTML becomes text.
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let ok = safe_link(&dest_url);
                dropped_links.push(!ok);
                if !ok {
                    continue;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::End(TagEnd::Link) => {
                if dropped_links.pop().unwrap_or(false) {
                    continue;
                }
                Event::End(TagEnd::Link)
            }
            // An image keeps only its description, as text.
            Event::Start(Tag::Image { .. }) => {
                in_image += 1;
                continue;
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                continue;
            }
            e => e,
        };
        match &event {
            Event::Start(Tag::Heading { level, .. }) => {
                if *level == HeadingLevel::H1 && !seen_title && depth == 0 {
                    seen_title = true;
                    skipping_title = true;
                    continue;
                }
                heading = Some((*level, String::new(), depth == 0));
                if *level == HeadingLevel::H2 && depth == 0 {
                    flush(&mut events, &mut current, &mut out);
                    continue;
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                if skipping_title {
                    skipping_title = false;
                    continue;
                }
                if let Some((_, title, top)) = heading.take() {
                    counter += 1;
                    let id = format!("s{counter}");
                    let title = title.trim().to_string();
                    if *level == HeadingLevel::H2 && top {
                        out.toc.push(TocEntry {
                            id: id.clone(),
                            title: title.clone(),
                            level: 2,
                        });
                        current = Some(Section {
                            id,
                            title,
                            html: String::new(),
                            text: String::new(),
                            steps: Vec::new(),
                        });
                        continue;
                    }
                    if *level == HeadingLevel::H3 && top {
                        out.toc.push(TocEntry {
                            id: id.clone(),
                            title: title.clone(),
                            level: 3,
                        });
                        if let Some(s) = current.as_mut() {
                            s.steps.push(id.clone());
                        }
                    }
                    // Give the heading its anchor: rebuild its start event.
                    if let Some(pos) = events
                        .iter()
                        .rposition(|e| matches!(e, Event::Start(Tag::Heading { .. })))
                    {
                        events[pos] = Event::Start(Tag::Heading {
                            level: *level,
                            id: Some(CowStr::from(id)),
                            classes: Vec::new(),
                            attrs: Vec::new(),
                        });
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if skipping_title {
                    continue;
                }
                if let Some((level, title, top)) = heading.as_mut() {
                    title.push_str(t);
                    if *level == HeadingLevel::H2 && *top {
                        continue;
                    }
                }
                if let Some((i, _)) = items.last_mut() {
                    i.push_str(t);
                }
                if let Some(s) = current.as_mut() {
                    s.text.push_str(t);
                    s.text.push(' ');
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((i, _)) = items.last_mut() {
                    i.push(' ');
                }
            }
            Event::TaskListMarker(_) => {
                if let Some((_, task)) = items.last_mut() {
                    *task = true;
                }
            }
            Event::Start(tag) if is_container(tag) => {
                depth += 1;
                if matches!(tag, Tag::Item) {
                    items.push((String::new(), false));
                }
            }
            Event::End(tag) if is_container_end(tag) => {
                depth = depth.saturating_sub(1);
                if matches!(tag, TagEnd::Item) {
                    if let Some((text, true)) = items.pop() {
                        out.checklist
                            .push(text.split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                }
            }
            _ => {}
        }
        if skipping_title
            || heading
                .as_ref()
                .is_some_and(|(l, _, top)| *l == HeadingLevel::H2 && *top)
        {
            continue;
        }
        // Inside an image only its description is kept, as plain text.
        if in_image > 0 && !matches!(event, Event::Text(_) | Event::Code(_)) {
            continue;
        }
        events.push(event);
    }
    flush(&mut events, &mut current, &mut out);
    out
}

/// A section cut into screens for the presentation view: a section with `###` steps gives one
/// screen per step (the text before the first step goes with the first), others one screen.
/// Each screen is `(subtitle, html)`; the subtitle is the step's heading, or empty.
pub fn screens(section: &Section) -> Vec<(String, String)> {
    let html = &section.html;
    let starts: Vec<usize> = section
        .steps
        .iter()
        .filter_map(|id| html.find(&format!("<h3 id=\"{id}\">")))
        .collect();
    if starts.is_empty() {
        return vec![(String::new(), html.clone())];
    }
    let mut out = Vec::new();
    for (n, start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(html.len());
        let from = if n == 0 { 0 } else { *start };
        let chunk = &html[from..end];
        // The step's heading text, for the screen's subtitle.
        let heading = &html[*start..end];
        let title = heading
            .split_once('>')
            .and_then(|(_, rest)| rest.split_once("</h3>"))
            .map(|(t, _)| t.to_string())
            .unwrap_or_default();
        out.push((title, chunk.to_string()));
    }
    out
}

/// Whether `query` (already lower-cased) occurs in a section's title or text.
pub fn section_matches(section: &Section, query: &str) -> bool {
    section.title.to_lowercase().contains(query) || section.text.to_lowercase().contains(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sections_and_collects_the_checklist() {
        let r = render(
            "# Title\n\nIntro.\n\n## Steps\n\n### 1. First\n\nDo it.\n\n## Checklist\n\n- [ ] One\n  thing\n- [x] Two\n- not a task\n\n<script>alert(1)</script>\n",
        );
        assert!(r.intro.contains("Intro."));
        assert!(!r.intro.contains("Title"));
        let titles: Vec<_> = r.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Steps", "Checklist"]);
        assert!(r.sections[0].html.contains("<h3 id=\"s2\">1. First</h3>"));
        assert!(!r.sections[0].html.contains("<h2"));
        assert_eq!(r.checklist, ["One thing", "Two"]);
        assert!(r.sections[1].html.contains("&lt;script&gt;"));
        assert!(!r.sections[1].html.contains("<script>"));
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[1].level, 3);
        let screens = screens(&r.sections[0]);
        assert_eq!(screens.len(), 1);
        assert_eq!(screens[0].0, "1. First");
        assert!(screens[0].1.contains("Do it."));
        assert_eq!(super::screens(&r.sections[1])[0].0, "");
    }

    #[test]
    fn unsafe_links_images_and_nested_lists() {
        let r = render(
            "## A\n\n[ok](https://example.org) [bad](javascript:alert(1)) [mail](mailto:a@b.c) [Data](DATA:text/html,x)\n\n![a map](https://tracker.example/x.png)\n\n> ## Quoted\n\n- [ ] Task one\n  - inner note\n- [ ] Task two\n- ### Not a step\n",
        );
        assert_eq!(r.sections.len(), 1, "a heading in a quote is no section");
        let html = &r.sections[0].html;
        assert!(html.contains("href=\"https://example.org\""));
        assert!(html.contains("href=\"mailto:a@b.c\""));
        assert!(!html.to_lowercase().contains("javascript:"));
        assert!(!html.to_lowercase().contains("data:text"));
        assert!(html.contains("bad") && html.contains("Data"));
        assert!(!html.contains("<img") && !html.contains("tracker.example"));
        assert!(html.contains("a map"));
        assert_eq!(r.checklist, ["Task one", "Task two"]);
        assert!(r.sections[0].steps.is_empty());
        assert_eq!(screens(&r.sections[0]).len(), 1);
    }
}
