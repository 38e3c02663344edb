//! Consultation playbooks: the bundled set is complete in every playbook locale; the library
//! lists, searches and shows them; handouts are self-contained; local admins adapt a playbook
//! or add their own, and a broken local file is skipped with a clear warning.

use hotline_app::config::BUNDLED_LOCALES;
use hotline_app::playbooks::catalog::{BUNDLED_ORDER, PHASES, REQUIRED_FIELDS};
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
    assert_eq!(catalog.bundled.len(), 12 * BUNDLED_LOCALES.len());
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
        for locale in BUNDLED_LOCALES {
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
            .replace("%{known}", "en, ja, es")
    ));
    assert!(page.body.contains("night-shift.md"));
    let list = admin.get("/playbooks").await;
    assert!(list.body.contains("/admin/playbooks"));
    assert!(list.has(&text("en", "playbook.problems_link").replace("%{count}", "2")));
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
    let (_d, server) = hotline().await;
    let total = all_items();
    let sup = as_user(&server, "sup@example.org").await;
    let score = |done: usize, of: usize| {
        text("en", "launch.score")
            .replace("%{done}", &done.to_string())
            .replace("%{total}", &of.to_string())
            .replace("%{percent}", &(done * 100 / of).to_string())
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
    assert!(p.has("Ministry focal point"));
    assert!(p.has("Signed off by the steering group."));
    assert!(p.body.contains("value=\"2027-03-31\""));

    let plan = sup.get("/launch").await;
    assert!(plan.has(&score(1, total - 1)), "{}", plan.body);
    assert!(plan.has(&text("en", "launch.overdue_title")));
    assert!(plan.has(&items[1]));
    assert!(plan.has("2001-01-31"));
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
}
