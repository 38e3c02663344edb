//! Consultation playbooks: the bundled set is complete in every playbook locale; the library
//! lists, searches and shows them; handouts are self-contained; local admins adapt a playbook
//! or add their own, and a broken local file is skipped with a clear warning.

use hotline_app::config::BUNDLED_LOCALES;
use hotline_app::playbooks::catalog::{BUNDLED_ORDER, PHASES, PLAYBOOK_LOCALES, REQUIRED_FIELDS};
use hotline_app::playbooks::render::render;
use hotline_app::playbooks::Catalog;

use crate::cases::{as_user, hotline};
use crate::support::*;

/// The bundled playbook `id` in `locale`, as shipped.
fn bundled_source(id: &str, locale: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../playbooks")
        .join(locale)
        .join(format!("{id}.md"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_bundled_playbook_parses_in_every_locale_with_the_same_structure() {
    let catalog = Catalog::load(None);
    assert!(
        catalog.problems.is_empty(),
        "bundled playbooks with problems: {:?}",
        catalog.problems
    );
    assert_eq!(BUNDLED_ORDER.len(), 12);
    assert_eq!(catalog.bundled.len(), 12 * PLAYBOOK_LOCALES.len());
    for id in BUNDLED_ORDER {
        let en = catalog
            .bundled_version(id, "en")
            .unwrap_or_else(|| panic!("{id} missing in English"));
        let en_r = render(&en.body);
        // Every required front-matter field is written in the file itself.
        let source = bundled_source(id, "en");
        for field in REQUIRED_FIELDS {
            assert!(
                source.contains(&format!("\n{field} = ")),
                "{id}: no {field} in the front matter"
            );
        }
        assert!(PHASES.contains(&en.phase.as_str()));
        assert!(
            en_r.checklist.len() >= 10,
            "{id}: only {} checklist items",
            en_r.checklist.len()
        );
        let sections: Vec<&str> = en_r.sections.iter().map(|s| s.title.as_str()).collect();
        for wanted in [
            "Purpose",
            "Who should use it",
            "Steps",
            "Checklist",
            "Common pitfalls",
            "How the kit supports this step",
        ] {
            assert!(sections.contains(&wanted), "{id}: no {wanted} section");
        }
        assert!(
            sections
                .iter()
                .any(|s| s.to_lowercase().contains("decisions")),
            "{id}: no decisions section"
        );
        assert!(
            sections.iter().any(|s| s.starts_with("Template")),
            "{id}: no template"
        );
        for related in &en.related {
            assert!(
                BUNDLED_ORDER.contains(&related.as_str()),
                "{id}: unknown related playbook {related}"
            );
        }
        for locale in PLAYBOOK_LOCALES {
            let p = catalog
                .bundled_version(id, locale)
                .unwrap_or_else(|| panic!("{id} missing in {locale}"));
            let r = render(&p.body);
            assert_eq!(p.locale, *locale);
            assert_eq!(p.phase, en.phase, "{id} {locale}: phase");
            assert_eq!(p.related, en.related, "{id} {locale}: related");
            assert_eq!(p.audience, en.audience, "{id} {locale}: audience");
            assert_eq!(p.version, en.version, "{id} {locale}: version");
            assert_eq!(
                r.checklist.len(),
                en_r.checklist.len(),
                "{id} {locale}: checklist items"
            );
            assert_eq!(
                r.sections.len(),
                en_r.sections.len(),
                "{id} {locale}: sections"
            );
            assert_eq!(r.toc.len(), en_r.toc.len(), "{id} {locale}: headings");
            if *locale != "en" {
                assert_ne!(p.title, en.title, "{id} {locale}: title not translated");
                for (a, b) in r.checklist.iter().zip(&en_r.checklist) {
                    assert_ne!(a, b, "{id} {locale}: checklist item not translated");
                }
            }
            for placeholder in ["TODO", "TBD", "Lorem", "FIXME", "XXX"] {
                assert!(
                    !p.body.contains(placeholder),
                    "{id} {locale}: placeholder text {placeholder}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_library_lists_searches_and_shows_playbooks_in_the_readers_language() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;

    let list = a.get("/playbooks").await;
    assert_eq!(list.status, 200);
    for phase in PHASES {
        assert!(list.has(&text("en", &format!("playbook.phase.{phase}"))));
    }
    assert!(
        list.has("Contact handling & classification"),
        "{}",
        list.body
    );
    assert!(list.has("Readiness & feasibility"));
    // Phases in launch order: readiness comes before the launch playbook.
    let pos = |s: &str| list.body.find(&html_escape(s)).unwrap();
    assert!(pos("Readiness & feasibility") < pos("Launch, awareness & monitoring"));

    // Search finds the sections that mention the words, with links to them.
    let found = a.get("/playbooks?q=safety+plan").await;
    assert!(found.has("Crisis & emergency response"));
    assert!(found.has(&text("en", "playbook.found_in")));
    assert!(found
        .body
        .contains("/playbooks/crisis-response?locale=en#s"));
    assert!(!found.has("Running strategic roundtables"));
    let none = a.get("/playbooks?q=zzyzx-nothing").await;
    assert!(none.has(&text("en", "playbook.none")));

    // One playbook: its title, a table of contents linking to its sections, its checklist.
    let p = a.get("/playbooks/contact-handling").await;
    assert_eq!(p.status, 200);
    assert!(p
        .body
        .contains("<h1>Contact handling &#38; classification</h1>"));
    assert!(p.has(&text("en", "playbook.contents")));
    assert!(p.body.contains("<a href=\"#s1\">Purpose</a>"));
    assert!(p.body.contains("<h2 id=\"s1\">Purpose</h2>"));
    assert!(p.body.contains("type=\"checkbox\""));
    assert!(p.has("Call-handling script"));
    assert!(p.body.contains("/playbooks/crisis-response?locale=en"));

    // In Japanese, the same playbook in Japanese, with Japanese labels.
    let ja = a.get("/playbooks/contact-handling?locale=ja").await;
    let ja_title = Catalog::load(None)
        .bundled_version("contact-handling", "ja")
        .unwrap()
        .title
        .clone();
    assert!(ja.has(&ja_title));
    assert!(ja.body.contains("lang=\"ja\""));

    let missing = a.get("/playbooks/no-such-playbook").await;
    assert_eq!(missing.status, 404);

    // Logged out: the login page, not the playbook.
    let anon = server.client().get("/playbooks/contact-handling").await;
    assert_ne!(anon.status, 200);
    assert!(!anon.has("Call-handling script"));
}

#[tokio::test]
async fn a_handout_is_one_self_contained_html_file() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "trainer@example.org").await;
    let resp = a
        .http
        .get(format!(
            "{}/playbooks/crisis-response/handout?locale=es",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let disposition = resp
        .headers()
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.contains("crisis-response-es.html"));
    let body = resp.text().await.unwrap();
    let es = Catalog::load(None);
    let es = es.bundled_version("crisis-response", "es").unwrap();
    assert!(body.contains(&html_escape(&es.title)));
    assert!(body.contains("<html lang=\"es\""));
    assert!(body.contains("<style>"));
    assert!(body.contains(&html_escape(&text("es", "playbook.contents"))));
    // Nothing to fetch from the server: no stylesheet, script or image links.
    assert!(!body.contains("/static/"));
    assert!(!body.contains("<script"));
    assert!(!body.contains("src="));
}

#[tokio::test]
async fn a_local_adaptation_is_shown_and_the_bundled_one_kept_a_broken_file_is_skipped() {
    let (d, server) = hotline().await;
    let local = d.dir.join("playbooks");
    std::fs::create_dir_all(local.join("en")).unwrap();
    // An adapted bundled playbook.
    let adapted = bundled_source("contact-handling", "en").replace(
        "## Purpose\n",
        "## Purpose\n\nIn our country, callers reach us first through the municipal line.\n",
    );
    std::fs::write(local.join("en/contact-handling.md"), adapted).unwrap();
    // A playbook of the hotline's own.
    std::fs::write(
        local.join("en/night-shift.md"),
        "+++\nid = \"night-shift\"\ntitle = \"Night shift handover\"\naudience = [\"supervisor\"]\nlocale = \"en\"\nversion = \"1.0\"\nestimated_time = \"1 hour\"\nrelated = [\"hotline-operations\"]\nphase = \"operations\"\n+++\n\n# Night shift handover\n\n## Checklist\n\n- [ ] Read the open crisis contacts aloud\n- [ ] Hand over the duty phone\n",
    )
    .unwrap();
    // Broken: no title.
    std::fs::write(
        local.join("en/broken.md"),
        "+++\nid = \"broken\"\naudience = [\"ngo\"]\nlocale = \"en\"\nversion = \"1\"\nestimated_time = \"1 day\"\nrelated = []\nphase = \"launch\"\n+++\n\n# Broken\n",
    )
    .unwrap();
    // Broken: a locale no one knows.
    std::fs::create_dir_all(local.join("xx")).unwrap();
    std::fs::write(
        local.join("xx/other.md"),
        "+++\nid = \"other\"\ntitle = \"Other\"\naudience = []\nlocale = \"xx\"\nversion = \"1\"\nestimated_time = \"1 day\"\nrelated = []\nphase = \"launch\"\n+++\n\n# Other\n",
    )
    .unwrap();

    let a = as_user(&server, "a@example.org").await;
    let list = a.get("/playbooks").await;
    assert!(list.has("Night shift handover"));
    assert!(list.has(&text("en", "playbook.adapted")));
    assert!(list.has(&text("en", "playbook.local")));
    // The rest are still served.
    assert!(list.has("Readiness & feasibility"));
    assert!(!list.has("Broken"));
    // Problems are for admins; an advocate is not told about files.
    assert!(!list.body.contains("/admin/playbooks"));

    let p = a.get("/playbooks/contact-handling").await;
    assert!(p.has("callers reach us first through the municipal line"));
    assert!(p.has(&text("en", "playbook.adapted_notice")));
    let bundled = a
        .get("/playbooks/contact-handling?locale=en&version=bundled")
        .await;
    assert!(!bundled.has("callers reach us first through the municipal line"));
    assert!(bundled.has(&text("en", "playbook.showing_bundled")));
    // A Spanish reader still gets the bundled Spanish version.
    let es = a.get("/playbooks/contact-handling?locale=es").await;
    assert!(!es.has("municipal line"));

    let own = a.get("/playbooks/night-shift").await;
    assert!(own.has("Hand over the duty phone"));
    assert!(own.has(&text("en", "playbook.local_notice")));

    // The admin page names each broken file and why, in the admin's language.
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get("/admin/playbooks").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("broken.md"));
    assert!(page.has(&text("en", "playbook.problem.missing_field").replace("%{field}", "title")));
    assert!(page.body.contains("other.md"));
    assert!(page.has(
        &text("en", "playbook.problem.unknown_locale")
            .replace("%{locale}", "xx")
            .replace("%{known}", &BUNDLED_LOCALES.join(", "))
    ));
    assert!(page.body.contains("night-shift.md"));
    let list = admin.get("/playbooks").await;
    assert!(list.body.contains("/admin/playbooks"));
    assert!(list.has(&text("en", "playbook.problems_link.other").replace("%{count}", "2")));
    // Advocates may not open the admin page.
    assert_eq!(a.get("/admin/playbooks").await.status, 403);

    // hotline doctor reports the same files and fails.
    let out = d.cli(&["doctor"]);
    let printed = stdout(&out);
    assert!(!out.status.success());
    assert!(printed.contains("broken.md"), "{printed}");
    assert!(
        printed.contains("lacks the required field \"title\""),
        "{printed}"
    );
    assert!(printed.contains("other.md"));
}

#[test]
fn the_cli_lists_shows_and_exports_playbooks() {
    let d = Deployment::init(&[]);
    let out = d.cli(&["playbook", "list", "--locale", "es"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    assert_eq!(listed.lines().count(), 12);
    let es = Catalog::load(None);
    let title = &es
        .bundled_version("readiness-feasibility", "es")
        .unwrap()
        .title;
    assert!(listed.contains(title.as_str()), "{listed}");

    let out = d.cli(&["playbook", "show", "crisis-response"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("# Crisis & emergency response"));
    assert!(stdout(&out).contains("- [ ]"));

    // The whole file, to copy under DIR/playbooks and adapt: it is served as is.
    let out = d.cli(&[
        "playbook",
        "show",
        "crisis-response",
        "--locale",
        "ja",
        "--source",
    ]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), bundled_source("crisis-response", "ja"));
    std::fs::create_dir_all(d.dir.join("playbooks/ja")).unwrap();
    std::fs::write(
        d.dir.join("playbooks/ja/crisis-response.md"),
        stdout(&out).replace("version = \"1.0\"", "version = \"1.0-local\""),
    )
    .unwrap();
    let out = d.cli(&["playbook", "list", "--locale", "ja"]);
    assert!(stdout(&out).contains(&text("en", "cli.playbook.adapted")));
    let doctor = stdout(&d.cli(&["doctor"]));
    assert!(
        doctor.contains(&text("en", "cli.doctor.playbooks_ok")),
        "{doctor}"
    );
    let out = d.cli(&["playbook", "show", "no-such"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("There is no playbook \"no-such\""));
    let out = d.cli(&["playbook", "list", "--locale", "de"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("\"de\""));

    // One file holding two playbooks, in Japanese.
    let file = d.dir.join("handout.html");
    let out = d.cli(&[
        "playbook",
        "export",
        "contact-handling",
        "crisis-response",
        "--locale",
        "ja",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&file).unwrap();
    let catalog = Catalog::load(None);
    for id in ["contact-handling", "crisis-response"] {
        let ja = catalog.bundled_version(id, "ja").unwrap();
        assert!(html.contains(&html_escape(&ja.title)));
    }
    assert!(html.contains("<html lang=\"ja\""));
    assert!(!html.contains("/static/"));

    // A folder: one file per playbook and an index.
    let folder = d.dir.join("handouts");
    let out = d.cli(&["playbook", "export", "--out", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let index = std::fs::read_to_string(folder.join("index.html")).unwrap();
    for id in BUNDLED_ORDER {
        assert!(folder.join(format!("{id}.en.html")).exists());
        assert!(index.contains(&format!("{id}.en.html")));
    }

    // Outside any deployment the bundled playbooks still work.
    let out = crate::support::hotline(&[
        "playbook",
        "show",
        "readiness-feasibility",
        "--dir",
        "/nonexistent",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The number of checklist items of all bundled playbooks.
fn all_items() -> usize {
    let catalog = Catalog::load(None);
    catalog
        .list("en")
        .iter()
        .map(|p| render(&p.body).checklist.len())
        .sum()
}

#[tokio::test]
async fn the_launch_plan_tracks_checklist_items_and_scores_readiness() {
    let (d, server) = hotline().await;
    let total = all_items();
    let sup = as_user(&server, "sup@example.org").await;
    let score = |done: usize, of: usize| {
        text("en", "launch.score")
            .replace("%{done}", &done.to_string())
            .replace("%{total}", &of.to_string())
            .replace("%{percent}", &format!("{}%", done * 100 / of))
    };

    let plan = sup.get("/launch").await;
    assert_eq!(plan.status, 200);
    assert!(plan.has(&score(0, total)), "{}", plan.body);
    let home = sup.get("/staff").await;
    assert!(home.has(&text("en", "launch.home_title")));
    assert!(home.has(&score(0, total)));

    let page = "/launch/readiness-feasibility";
    let items = render(
        &Catalog::load(None)
            .bundled_version("readiness-feasibility", "en")
            .unwrap()
            .body,
    )
    .checklist;
    let p = sup.get(page).await;
    assert!(p.has(&items[0]));
    assert!(p.has(&items[items.len() - 1]));

    // Item 1 done, item 2 overdue, item 3 not applicable.
    let saved = sup
        .submit(
            page,
            "/launch/readiness-feasibility/1",
            &[
                ("status", "done"),
                ("owner", "Ministry focal point"),
                ("due_on", "2027-03-31"),
                ("notes", "Signed off by the steering group."),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    sup.submit(
        page,
        "/launch/readiness-feasibility/2",
        &[
            ("status", "in_progress"),
            ("owner", "=HYPERLINK(\"http://evil\")"),
            ("due_on", "2001-01-31"),
            ("notes", ""),
        ],
    )
    .await;
    sup.submit(
        page,
        "/launch/readiness-feasibility/3",
        &[
            ("status", "not_applicable"),
            ("owner", ""),
            ("due_on", ""),
            ("notes", ""),
        ],
    )
    .await;
    let p = sup.get(page).await;
    assert!(p.has("Ministry focal point"), "{}", p.body);
    assert!(p.has("Signed off by the steering group."));
    assert!(p.body.contains("value=\"2027-03-31\""));

    let plan = sup.get("/launch").await;
    assert!(plan.has(&score(1, total - 1)), "{}", plan.body);
    assert!(plan.has(&text("en", "launch.overdue_title")));
    assert!(plan.has(&items[1]));
    assert!(
        plan.has("Jan 31, 2001"),
        "the due date, as English writes it"
    );
    let home = sup.get("/staff").await;
    assert!(home.has(&score(1, total - 1)));
    // The assessment phase has readiness and stakeholder mapping.
    let catalog = Catalog::load(None);
    let phase_total: usize = catalog
        .list("en")
        .iter()
        .filter(|p| p.phase == "assessment")
        .map(|p| render(&p.body).checklist.len())
        .sum();
    assert!(plan.has(&score(1, phase_total - 1)));

    // A wrong date is refused with the reason; what was typed stays; nothing is stored.
    let bad = sup
        .submit(
            page,
            "/launch/readiness-feasibility/4",
            &[
                ("status", "done"),
                ("owner", "Typed owner"),
                ("due_on", "31/03/2027"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has(&text("en", "launch.error.due")));
    // Only the date itself, as a date field sends it (no times, no compact forms).
    for odd in ["20270331", "2027-03-31T09:00[Europe/Paris]"] {
        let bad = sup
            .submit(
                page,
                "/launch/readiness-feasibility/4",
                &[
                    ("status", "done"),
                    ("owner", ""),
                    ("due_on", odd),
                    ("notes", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{odd}");
    }
    assert!(bad.has("Typed owner"));
    assert!(sup.get("/launch").await.has(&score(1, total - 1)));
    let bad = sup
        .submit(
            page,
            "/launch/readiness-feasibility/4",
            &[
                ("status", "finished"),
                ("owner", ""),
                ("due_on", ""),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has(&text("en", "launch.error.item")));
    // An item that does not exist.
    let none = sup
        .submit(
            page,
            "/launch/readiness-feasibility/999",
            &[
                ("status", "done"),
                ("owner", ""),
                ("due_on", ""),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(none.status, 404);

    // Advocates see the plan but may not change it.
    let a = as_user(&server, "a@example.org").await;
    let view = a.get(page).await;
    assert!(view.has("Ministry focal point"));
    assert!(!view
        .body
        .contains("action=\"/launch/readiness-feasibility/1\""));
    let refused = a
        .submit(
            "/launch",
            "/launch/readiness-feasibility/5",
            &[
                ("status", "done"),
                ("owner", ""),
                ("due_on", ""),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(sup.get("/launch").await.has(&score(1, total - 1)));

    // CSV: a header in the reader's language, every item, formulas defused.
    let csv = sup
        .http
        .get(format!("{}/launch/plan.csv", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert!(lines[0].starts_with(&text("en", "launch.csv.phase")));
    assert_eq!(lines.len(), total + 1);
    assert!(body.contains("Ministry focal point"));
    assert!(body.contains(&text("en", "launch.status.done")));
    assert!(body.contains("'=HYPERLINK"));
    assert!(!body.contains(",=HYPERLINK"));

    // The playbook is adapted: item 1 reworded, the last item dropped. The saved status of
    // item 1 is flagged for a check, and the last item's is listed as no longer in a playbook.
    let last = items.len().to_string();
    sup.submit(
        page,
        &format!("/launch/readiness-feasibility/{last}"),
        &[
            ("status", "done"),
            ("owner", ""),
            ("due_on", ""),
            ("notes", ""),
        ],
    )
    .await;
    let source = bundled_source("readiness-feasibility", "en");
    let first = format!("- [ ] {}", items[0].split_whitespace().next().unwrap());
    let at = source.find(&first).expect("the first item's line");
    let mut adapted = format!("{}- [ ] Reworded: {}", &source[..at], &source[at + 6..]);
    let last_line = adapted
        .lines()
        .rfind(|l| l.starts_with("- [ ]"))
        .unwrap()
        .to_string();
    adapted = adapted.replacen(&format!("{last_line}\n"), "", 1);
    std::fs::create_dir_all(d.dir.join("playbooks/en")).unwrap();
    std::fs::write(d.dir.join("playbooks/en/readiness-feasibility.md"), adapted).unwrap();
    let p = sup.get(page).await;
    assert!(p.has("Reworded:"));
    assert_eq!(
        p.body
            .matches(&html_escape(&text("en", "launch.changed")))
            .count(),
        1
    );
    let summary = sup.get("/launch").await;
    assert!(summary.has(&text("en", "launch.orphans_title")));
    assert!(summary.has(&items[items.len() - 1]));
}

#[tokio::test]
async fn a_workshop_is_built_presented_and_handed_out() {
    let (_d, server) = hotline().await;
    let t = as_user(&server, "trainer@example.org").await;
    let day = format!("{}-01-01", crate::cases::year());

    // A training event the workshop belongs to.
    let p = t
        .submit(
            "/training",
            "/training",
            &[
                ("title", "Hotline launch course"),
                ("tier", "trainers"),
                ("sector", "government"),
                ("mode", "in_person"),
                ("date", &day),
                ("time", "09:00"),
                ("place", "Ministry, Room 2"),
                ("trainers", "Ana"),
                ("modules", "indicators"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let event = p.location.unwrap().split('?').next().unwrap().to_string();
    let training_id = event.trim_start_matches("/training/").to_string();

    // A workshop without a playbook is refused, with what was typed kept.
    let bad = t
        .submit(
            "/workshops",
            "/workshops",
            &[
                ("title", "Launch consultation"),
                ("held_on", &day),
                ("organisation", "Ministry of Labour"),
                ("country", "PH"),
                ("locale", "es"),
                ("training", ""),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has(&text("en", "workshop.error.form")));
    assert!(bad.has("Ministry of Labour"));
    let bad = t
        .submit(
            "/workshops",
            "/workshops",
            &[
                ("title", "Launch consultation"),
                ("held_on", &day),
                ("country", "XX"),
                ("locale", "es"),
                ("playbooks", "crisis-response"),
                ("training", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);

    let p = t
        .submit(
            "/workshops",
            "/workshops",
            &[
                ("title", "Launch consultation"),
                ("held_on", &day),
                ("organisation", "Ministry of Labour"),
                ("country", "ph"),
                ("locale", "es"),
                // Chosen out of order: presented in launch order.
                ("playbooks", "crisis-response"),
                ("playbooks", "contact-handling"),
                ("training", &training_id),
                ("notes", "Two days, 20 people."),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page_url = p.location.unwrap().split('?').next().unwrap().to_string();
    let id = page_url.trim_start_matches("/workshops/").to_string();
    let page = t.get(&page_url).await;
    let catalog = Catalog::load(None);
    let ch = catalog.bundled_version("contact-handling", "es").unwrap();
    let cr = catalog.bundled_version("crisis-response", "es").unwrap();
    assert!(page.has(&ch.title) && page.has(&cr.title));
    assert!(page.body.find(&html_escape(&ch.title)) < page.body.find(&html_escape(&cr.title)));
    assert!(page.has("Ministry of Labour") && page.has("PH"));
    assert!(page.has("Hotline launch course"));
    // The training event links back.
    assert!(t.get(&event).await.body.contains(&page_url));

    // Participants: a bad email refused, a good one stored (and shown).
    let bad = t
        .submit(
            &page_url,
            &format!("{page_url}/participants"),
            &[("name", "Maria Santos"), ("email", "not an email")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has(&text("en", "workshop.error.participant")));
    let ok = t
        .submit(
            &page_url,
            &format!("{page_url}/participants"),
            &[
                ("name", "Maria Santos"),
                ("organisation", "DOLE"),
                ("role", "Labour inspector"),
                ("email", "maria@example.org"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    let page = t.get(&page_url).await;
    assert!(page.has("Maria Santos") && page.has("Labour inspector"));
    let list = t.get("/workshops").await;
    assert!(list.has("Launch consultation"));
    // Notes.
    t.submit(
        &page_url,
        &format!("{page_url}/notes"),
        &[("notes", "They will adapt the crisis protocol.")],
    )
    .await;
    assert!(t
        .get(&page_url)
        .await
        .has("They will adapt the crisis protocol."));

    // Editing: a bad date refused with the typed title kept; a good edit saved, notes kept.
    let bad = t
        .submit(
            &format!("{page_url}/edit"),
            &format!("{page_url}/edit"),
            &[
                ("title", "Launch consultation, day 2"),
                ("held_on", "tomorrow"),
                ("locale", "es"),
                ("playbooks", "crisis-response"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.has("Launch consultation, day 2"));
    assert!(t.get(&page_url).await.has(&ch.title), "nothing changed");
    let edited = t
        .submit(
            &format!("{page_url}/edit"),
            &format!("{page_url}/edit"),
            &[
                ("title", "Launch consultation (revised)"),
                ("held_on", &day),
                ("organisation", "Ministry of Labour"),
                ("country", "PH"),
                ("locale", "es"),
                ("playbooks", "crisis-response"),
                ("playbooks", "contact-handling"),
                ("training", &training_id),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let page = t.get(&page_url).await;
    assert!(page.has("Launch consultation (revised)"));
    assert!(page.has("They will adapt the crisis protocol."));

    // The presentation: an opening screen, then the playbooks, one screen at a time.
    let first = t.get(&format!("/workshops/{id}/present")).await;
    assert_eq!(first.status, 200);
    assert!(first.has("Launch consultation"));
    assert!(first.body.contains("<html lang=\"es\""));
    assert!(first.body.contains("data-slides"));
    assert!(first
        .body
        .contains(&format!("data-next=\"/workshops/{id}/present?s=2\"")));
    assert!(!first.body.contains("data-prev="));
    let second = t.get(&format!("/workshops/{id}/present?s=2")).await;
    assert!(second.has(&ch.title), "the first playbook's title screen");
    let third = t.get(&format!("/workshops/{id}/present?s=3")).await;
    let ch_sections = render(&ch.body);
    assert!(third.has(&ch_sections.sections[0].title));
    assert!(third
        .body
        .contains(&format!("data-prev=\"/workshops/{id}/present?s=2\"")));
    // Every screen exists up to the count the page gives, and no further.
    let mut n = 1;
    loop {
        let s = t.get(&format!("/workshops/{id}/present?s={n}")).await;
        if s.status != 200 {
            assert_eq!(s.status, 404);
            break;
        }
        assert!(
            !s.body.contains("class=\"staff-nav\""),
            "no staff menu on a projector"
        );
        n += 1;
        assert!(n < 200);
    }
    let last = t.get(&format!("/workshops/{id}/present?s={}", n - 1)).await;
    assert!(!last.body.contains("data-next="));
    assert!(last.has(&cr.title));
    assert!(
        page.has(&text("en", "workshop.screens.other").replace("%{count}", &(n - 1).to_string()))
    );

    // The handout: both playbooks, in Spanish, with the workshop's heading, self-contained.
    let resp = t
        .http
        .get(format!("{}/workshops/{id}/handout", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(body.contains("<html lang=\"es\""));
    assert!(body.contains(&html_escape(&ch.title)) && body.contains(&html_escape(&cr.title)));
    assert!(body.contains("<h1>Launch consultation (revised)</h1>"));
    assert!(!body.contains("/static/"));
    assert!(
        !body.contains("Maria Santos"),
        "participants stay out of the handout"
    );

    // Advocates have no workshops.
    let a = as_user(&server, "a@example.org").await;
    assert_eq!(a.get(&page_url).await.status, 403);
    assert_eq!(a.get(&format!("/workshops/{id}/present")).await.status, 403);
}

/// A sandbox (demo) deployment with two advocates, a supervisor (to be alerted) and a trainer.
async fn sandbox() -> (Deployment, Server) {
    let d = Deployment::init(&[]);
    d.edit_config("demo = false", "demo = true");
    d.add_users(
        crate::cases::PW,
        &[
            ("a@example.org", "advocate"),
            ("b@example.org", "advocate"),
            ("sup@example.org", "supervisor"),
            ("trainer@example.org", "trainer"),
        ],
    );
    let server = d.serve().await;
    (d, server)
}

/// Saves the contact form of `contact` with `fields` (and the form's version and token).
async fn save_contact(c: &Browser, contact: &str, fields: &[(&str, &str)]) -> Page {
    let form = c.get(&format!("/contacts/{contact}/edit")).await;
    let marker = "name=\"version\" value=\"";
    let i = form.body.find(marker).unwrap() + marker.len();
    let version = form.body[i..].split('"').next().unwrap().to_string();
    let token = form.csrf();
    let mut all = vec![("_csrf", token.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    c.post(&format!("/contacts/{contact}"), &all).await
}

/// The record "Locked in a dormitory" expects, but with `contact_type` and saved by `action`.
fn locked_in_record(
    contact_type: &'static str,
    action: &'static str,
) -> Vec<(&'static str, &'static str)> {
    vec![
        ("channel", "phone"),
        ("contact_type", contact_type),
        ("signaler_role", "victim_survivor"),
        ("red_flags", "not_free_to_leave"),
        ("red_flags", "lives_at_work"),
        ("red_flags", "no_id_or_money"),
        ("red_flags", "unpayable_debt"),
        ("anonymous", "on"),
        ("action", action),
    ]
}

#[test]
fn every_locale_has_the_practice_scenarios_with_the_same_expected_record() {
    use hotline_app::playbooks::practice;
    let (all, problems) = practice::bundled();
    assert!(problems.is_empty(), "{problems:?}");
    let en: Vec<_> = all.iter().filter(|s| s.locale == "en").collect();
    assert!(en.len() >= 10, "only {} English scenarios", en.len());
    for s in &en {
        let r = render(&s.body);
        assert_eq!(r.sections.len(), 4, "{}: four sections", s.id);
        for locale in PLAYBOOK_LOCALES {
            let other = all
                .iter()
                .find(|o| o.id == s.id && o.locale == *locale)
                .unwrap_or_else(|| panic!("{} missing in {locale}", s.id));
            assert_eq!(
                other.expected, s.expected,
                "{} {locale}: expected record",
                s.id
            );
            assert_eq!(other.channel, s.channel);
            assert_eq!(render(&other.body).sections.len(), 4, "{} {locale}", s.id);
            if *locale != "en" {
                assert_ne!(other.title, s.title, "{} {locale}: not translated", s.id);
            }
        }
    }
    // The situations the training needs are all there.
    let has = |f: &dyn Fn(&&&practice::Scenario) -> bool| en.iter().any(|s| f(&s));
    let kind = |k: &'static str| {
        move |s: &&&practice::Scenario| s.expected.contact_type.as_deref() == Some(k)
    };
    assert!(has(&kind("crisis")));
    assert!(has(&kind("tip")));
    assert!(has(&kind("referral")));
    assert!(has(&kind("non_substantive")));
    assert!(has(&|s| s.expected.interpreter_language.is_some()));
    assert!(has(
        &|s| s.expected.signaler_role.as_deref() == Some("law_enforcement")
    ));
    let flag = |f: &'static str| {
        move |s: &&&practice::Scenario| {
            s.expected
                .red_flags
                .as_ref()
                .is_some_and(|v| v.iter().any(|x| x == f))
        }
    };
    assert!(has(&flag("minor_commercial_sex")));
    assert!(has(&flag("monitored")));
    assert!(has(&flag("unpaid_or_tips_only")) || has(&flag("excessive_hours")));
    assert!(has(&flag("quotas")) || has(&flag("controlled_by_manager")));
}

#[tokio::test]
async fn a_practice_call_is_scored_field_by_field_with_reasons() {
    let (_d, server) = sandbox().await;
    let scenario = hotline_app::playbooks::practice::get("crisis-locked-in", "en").unwrap();

    // The trainer reads the script and the expected record.
    let t = as_user(&server, "trainer@example.org").await;
    let list = t.get("/practice").await;
    assert!(list.has(&scenario.title));
    let script = t.get("/practice/scenarios/crisis-locked-in").await;
    assert_eq!(script.status, 200);
    assert!(script.has("Caller script"));
    assert!(script.has(&text("en", "contact.type.crisis")));
    assert!(script.has(&scenario.reasons["contact_type"]));
    // The playbooks the scenario practises are linked, by title.
    assert!(script
        .body
        .contains("href=\"/playbooks/crisis-response?locale=en\""));

    // The trainee may not read the answers, but starts the call in the real console.
    let a = as_user(&server, "a@example.org").await;
    assert_eq!(
        a.get("/practice/scenarios/crisis-locked-in").await.status,
        403
    );
    let started = a
        .submit(
            "/practice",
            "/practice/scenarios/crisis-locked-in/start",
            &[],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let location = started.location.unwrap();
    assert!(
        location.ends_with("/edit?notice=practice_started"),
        "{location}"
    );
    let contact = location
        .trim_start_matches("/contacts/")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let form = a.get(&location).await;
    assert!(form.has(&text("en", "notice.practice_started")));

    // A first record: treated as a tip, two flags missed, one not heard, nobody alerted.
    let saved = save_contact(
        &a,
        &contact,
        &[
            ("channel", "phone"),
            ("contact_type", "tip"),
            ("signaler_role", "victim_survivor"),
            ("red_flags", "not_free_to_leave"),
            ("red_flags", "lives_at_work"),
            ("red_flags", "monitored"),
            ("anonymous", "on"),
            ("action", "save"),
        ],
    )
    .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let list = a.get("/practice").await;
    let marker = "href=\"/practice/attempts/";
    let i = list.body.find(marker).unwrap() + marker.len();
    let attempt = list.body[i..].split('"').next().unwrap().to_string();
    assert!(list.has(&text("en", "practice.unfinished")));
    let score = a.get(&format!("/practice/attempts/{attempt}")).await;
    assert_eq!(score.status, 200);
    assert!(
        score.body.contains("<strong>2 / 5</strong>"),
        "{}",
        score.body
    );
    assert!(score.has(&text("en", "contact.type.tip")));
    assert!(score.has(&scenario.reasons["crisis_alert"]));
    assert!(score.has(&scenario.reasons["red_flags"]));
    assert!(score.has(&text("en", "contact.flag.no_id_or_money")));
    assert!(score.has(&text("en", "contact.flag.unpayable_debt")));
    assert!(score.has(&format!(
        "{} {}",
        text("en", "practice.extra"),
        text("en", "contact.flag.monitored")
    )));

    // Another trainee cannot see it.
    let b = as_user(&server, "b@example.org").await;
    assert_eq!(
        b.get(&format!("/practice/attempts/{attempt}")).await.status,
        404
    );
    assert!(!b.get("/practice").await.body.contains(marker));

    // Corrected, with the supervisor alerted: every field right.
    let saved = save_contact(&a, &contact, &locked_in_record("crisis", "alert")).await;
    assert!(saved.status == 303 || saved.status == 200, "{}", saved.body);
    let score = a.get(&format!("/practice/attempts/{attempt}")).await;
    assert!(
        score.body.contains("<strong>5 / 5</strong>"),
        "{}",
        score.body
    );
    // The trainer sees the score but only the trainee says when they are done.
    let seen = t.get(&format!("/practice/attempts/{attempt}")).await;
    assert_eq!(seen.status, 200);
    assert!(!seen.body.contains("/finish\""));
    let refused = t
        .submit(
            "/practice",
            &format!("/practice/attempts/{attempt}/finish"),
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    let done = a
        .submit(
            &format!("/practice/attempts/{attempt}"),
            &format!("/practice/attempts/{attempt}/finish"),
            &[],
        )
        .await;
    assert_eq!(done.status, 303);
    let list = t.get("/practice").await;
    assert!(list.has(
        &text("en", "practice.result")
            .replace("%{correct}", "5")
            .replace("%{total}", "5")
    ));
    assert!(list.has("a@example.org"), "the trainer sees who took it");
    // Finishing again after changing the record keeps the score first recorded.
    save_contact(&a, &contact, &locked_in_record("tip", "save")).await;
    a.submit(
        &format!("/practice/attempts/{attempt}"),
        &format!("/practice/attempts/{attempt}/finish"),
        &[],
    )
    .await;
    let score = a.get(&format!("/practice/attempts/{attempt}")).await;
    assert!(score.body.contains("<strong>4 / 5</strong>"));
    assert!(score.has(
        &text("en", "practice.result_recorded")
            .replace("%{correct}", "5")
            .replace("%{total}", "5")
    ));
    let audit = {
        let admin = server.client();
        admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        admin.get("/admin/audit").await
    };
    assert!(audit.has("practice.start") && audit.has("practice.finish"));
}

#[tokio::test]
async fn practice_calls_are_refused_outside_a_sandbox() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let list = a.get("/practice").await;
    assert!(list.has(&text("en", "practice.sandbox_only")));
    assert!(!list.body.contains("/start\""));
    let refused = a
        .submit(
            "/practice",
            "/practice/scenarios/crisis-locked-in/start",
            &[],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.has(&text("en", "practice.sandbox_only")));
    let contacts = a.get("/contacts").await;
    assert!(contacts.has(&text("en", "contact.none")));
}
