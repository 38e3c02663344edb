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

/// Renders a playbook body. The first `#` heading (the title) is left out: pages show the
/// title from the front matter.
pub fn render(markdown: &str) -> Rendered {
    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut current: Option<Section> = None;
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut skipping_title = false;
    let mut seen_title = false;
    let mut item: Option<String> = None;
    let mut in_task = false;
    let mut counter = 0usize;
    let mut text = String::new();

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
        // Raw HTML becomes text.
        let event = match event {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            e => e,
        };
        match &event {
            Event::Start(Tag::Heading { level, .. }) => {
                if *level == HeadingLevel::H1 && !seen_title {
                    seen_title = true;
                    skipping_title = true;
                    continue;
                }
                heading = Some((*level, String::new()));
                if *level == HeadingLevel::H2 {
                    flush(&mut events, &mut current, &mut out);
                    continue;
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                if skipping_title {
                    skipping_title = false;
                    continue;
                }
                if let Some((_, title)) = heading.take() {
                    counter += 1;
                    let id = format!("s{counter}");
                    let title = title.trim().to_string();
                    if *level == HeadingLevel::H2 {
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
                        });
                        continue;
                    }
                    if *level == HeadingLevel::H3 {
                        out.toc.push(TocEntry {
                            id: id.clone(),
                            title: title.clone(),
                            level: 3,
                        });
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
                if let Some((_, title)) = heading.as_mut() {
                    title.push_str(t);
                    if heading
                        .as_ref()
                        .is_some_and(|(l, _)| *l == HeadingLevel::H2)
                    {
                        continue;
                    }
                }
                if let Some(i) = item.as_mut() {
                    i.push_str(t);
                }
                if let Some(s) = current.as_mut() {
                    s.text.push_str(t);
                    s.text.push(' ');
                }
                text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(i) = item.as_mut() {
                    i.push(' ');
                }
            }
            Event::Start(Tag::Item) => item = Some(String::new()),
            Event::TaskListMarker(_) => in_task = true,
            Event::End(TagEnd::Item) => {
                if let Some(i) = item.take() {
                    if in_task {
                        out.checklist
                            .push(i.split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                }
                in_task = false;
            }
            _ => {}
        }
        if skipping_title
            || heading
                .as_ref()
                .is_some_and(|(l, _)| *l == HeadingLevel::H2)
        {
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
    let starts: Vec<usize> = html.match_indices("<h3").map(|(i, _)| i).collect();
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
}
