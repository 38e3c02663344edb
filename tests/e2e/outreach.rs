//! Outreach records and program goals: what the goals page counts from the records, who may
//! see and set it, and bad input refused without touching what is stored.

use crate::cases::{as_user, hotline, open_case, year};
use crate::support::*;

/// The goals table row of `metric` shows `actual` against `target`.
/// The goals table's row of `metric`: its figures as the reader's language writes them.
fn row(page: &Page, locale: &str, metric: &str, actual: i64, target: i64) -> bool {
    let label = html_escape(&text(locale, &format!("goals.metric.{metric}")));
    let (actual, target) = (
        hotline_app::i18n::format_number(locale, actual),
        hotline_app::i18n::format_number(locale, target),
    );
    page.body
        .contains(&format!("{label}</th><td>{actual}</td><td>{target}</td>"))
}

/// The `value` of the `<option>` whose label is `label`.
fn option_value(page: &Page, label: &str) -> String {
    let end = page
        .body
        .find(&format!("\">{}</option>", html_escape(label)))
        .unwrap_or_else(|| panic!("no option {label}"));
    let start = page.body[..end].rfind("value=\"").unwrap() + "value=\"".len();
    page.body[start..end].to_string()
}

#[tokio::test]
async fn goals_count_what_the_records_show() {
    let (d, server) = hotline().await;
    let y = year();
    let day = format!("{y}-01-01");

    // The admin sets this year's targets.
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let targets = [
        ("calls", "10"),
        ("people_trained", "100"),
        ("roundtables", "4"),
        ("domestic_organizations", "4"),
        ("international_organizations", "2"),
        ("materials", "1000"),
        ("consultations", "4"),
        ("emergency_responses", "3"),
        ("case_management_growth", "50"),
    ];
    let mut form = vec![("year", y.as_str())];
    form.extend_from_slice(&targets);
    let p = admin.submit("/goals", "/goals", &form).await;
    assert_eq!(p.status, 303, "{}", p.body);

    // An advocate answers a call that becomes a case with case management and an emergency
    // response, and a hang-up that the statistics leave out.
    let a = as_user(&server, "a@example.org").await;
    let (_contact, case) = open_case(&a, "tip").await;
    let path = format!("/cases/{case}");
    let p = a
        .submit(
            &path,
            &format!("{path}/services"),
            &[("service_type", "case_management"), ("date", &day)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a
        .submit(
            &path,
            &format!("{path}/emergencies"),
            &[("kind", "shelter"), ("date", &day), ("outcome", "Placed")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a
        .submit("/console", "/contacts/start", &[("channel", "phone")])
        .await;
    let edit = p.location.unwrap();
    let contact = edit.trim_end_matches("/edit").to_string();
    let form = a.get(&edit).await;
    let m = "name=\"version\" value=\"";
    let i = form.body.find(m).unwrap() + m.len();
    let version = form.body[i..].split('"').next().unwrap().to_string();
    let p = a
        .post(
            &contact,
            &[
                ("_csrf", &form.csrf()),
                ("version", &version),
                ("channel", "phone"),
                ("contact_type", "non_substantive"),
                ("non_substantive_outcome", "hang_up"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);

    // The trainer records the program's outreach.
    let t = as_user(&server, "trainer@example.org").await;
    let orgs = "/outreach/organizations";
    let p = t
        .submit(
            orgs,
            orgs,
            &[
                ("name", "Kanto Shelter Network"),
                ("sector", "ngo"),
                ("country", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = t
        .submit(
            orgs,
            orgs,
            &[
                ("name", "Manila Migrant Center"),
                ("sector", "ngo"),
                ("country", "ph"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = t.get(orgs).await;
    assert!(page.has("Kanto Shelter Network") && page.has("Manila Migrant Center"));
    assert!(
        page.has(&text("en", "outreach.domestic"))
            && page.has(&text("en", "outreach.international"))
    );

    let cons = "/outreach/consultations";
    let page = t.get(cons).await;
    let manila = option_value(&page, "Manila Migrant Center (PH)");
    let kanto = option_value(&page, "Kanto Shelter Network (JP)");
    let p = t
        .submit(
            cons,
            cons,
            &[
                ("date", &day),
                ("channel", "video"),
                ("organization_id", &manila),
                ("country", ""),
                ("topic", "hotline_operations"),
                ("related", "crisis_response"),
                ("minutes", "90"),
                ("follow_ups", "Send the intake form"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = t.get(cons).await;
    assert!(page.has(&text("en", "playbook_topic.hotline_operations")));
    assert!(page.has(&text("en", "playbook_topic.crisis_response")));
    assert!(page.has("Send the intake form") && page.body.contains("<td>PH</td>"));

    let mats = "/outreach/materials";
    let p = t
        .submit(
            mats,
            mats,
            &[
                ("title", "Know your rights card"),
                ("kind", "card"),
                ("language", "en"),
                ("link", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = t.get(mats).await;
    let card = option_value(&page, "Know your rights card");
    let p = t
        .submit(
            mats,
            "/outreach/materials/distribute",
            &[
                ("material_id", &card),
                ("quantity", "300"),
                ("date", &day),
                ("organization_id", &kanto),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);

    // The catalog's yearly totals.
    let page = t.get(mats).await;
    assert!(page.has(&text("en", "outreach.materials_total.other").replace("%{count}", "300")));
    assert!(
        page.body.contains(
            "<td>Know your rights card</td><td>Wallet card</td><td>English</td><td>300</td>"
        ),
        "{}",
        page.body
    );
    let last_year = y.parse::<i32>().unwrap() - 1;
    let page = t.get(&format!("{mats}?year={last_year}")).await;
    assert!(page.has(&text("en", "outreach.materials_total.other").replace("%{count}", "0")));

    // Bad input is refused with a clear message and changes nothing.
    let p = t
        .submit(
            cons,
            cons,
            &[
                ("date", &day),
                ("channel", "video"),
                ("topic", "hotline_operations"),
                ("minutes", "ninety"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "outreach.error.consultation")));
    let p = t
        .submit(
            orgs,
            orgs,
            &[("name", "Nowhere"), ("sector", "ngo"), ("country", "XX")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "outreach.error.organization")));
    let p = t
        .submit(
            mats,
            "/outreach/materials/distribute",
            &[("material_id", &card), ("quantity", "0"), ("date", &day)],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "outreach.error.distribution")));
    let p = t
        .submit(
            mats,
            "/outreach/materials/distribute",
            &[("material_id", "99999"), ("quantity", "5"), ("date", &day)],
        )
        .await;
    assert_eq!(p.status, 422);
    let p = admin
        .submit("/goals", "/goals", &[("year", &y), ("calls", "lots")])
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "goals.error")));
    let db = d.db().await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM consultations")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reached_organizations")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 2);

    // The supervisor sees every figure counted, against the targets kept.
    let s = as_user(&server, "sup@example.org").await;
    let page = s.get("/goals").await;
    assert_eq!(page.status, 200);
    assert!(row(&page, "en", "calls", 1, 10), "{}", page.body);
    assert!(row(&page, "en", "domestic_organizations", 1, 4));
    assert!(row(&page, "en", "international_organizations", 1, 2));
    assert!(row(&page, "en", "materials", 300, 1000));
    assert!(row(&page, "en", "consultations", 1, 4));
    assert!(row(&page, "en", "emergency_responses", 1, 3));
    // One case this year, none last year.
    assert!(row(&page, "en", "case_management_growth", 100, 50));
    assert!(page.body.contains("30%"), "materials at 300 of 1000");
    assert!(
        !page.has(&text("en", "goals.set")),
        "only the admin sets targets"
    );
    let page = s
        .get(&format!("/goals?year={}", y.parse::<i32>().unwrap() - 1))
        .await;
    // Last year had no records; its targets are the bundled defaults.
    let label = html_escape(&text("en", "goals.metric.calls"));
    assert!(page.body.contains(&format!("{label}</th><td>0</td>")));

    // In Japanese too.
    let ja = Browser::with_language(&server.url, "ja");
    ja.login("sup@example.org", crate::cases::PW).await;
    let page = ja.get("/goals").await;
    assert!(page.has(&text("ja", "goals.title")));
    assert!(row(&page, "ja", "consultations", 1, 4));
}

#[tokio::test]
async fn outreach_and_goals_are_for_the_right_roles() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let cm = as_user(&server, "cm@example.org").await;
    for c in [&a, &cm] {
        for path in [
            "/goals",
            "/outreach/consultations",
            "/outreach/organizations",
            "/outreach/materials",
        ] {
            assert_eq!(c.get(path).await.status, 403, "{path}");
        }
        let token = c.get("/staff").await.csrf();
        let p = c
            .post(
                "/outreach/organizations",
                &[
                    ("_csrf", &token),
                    ("name", "X"),
                    ("sector", "ngo"),
                    ("country", "JP"),
                ],
            )
            .await;
        assert_eq!(p.status, 403);
    }
    let t = as_user(&server, "trainer@example.org").await;
    assert_eq!(t.get("/outreach/consultations").await.status, 200);
    let page = t.get("/goals").await;
    assert_eq!(page.status, 200);
    let p = t
        .submit(
            "/outreach/consultations",
            "/goals",
            &[("year", &year()), ("calls", "5")],
        )
        .await;
    assert_eq!(p.status, 403, "a trainer may not set targets");
    let s = as_user(&server, "sup@example.org").await;
    assert_eq!(s.get("/outreach/materials").await.status, 200);
    // The staff menu offers what each role may open.
    let home = t.get("/staff").await;
    assert!(home.has(&text("en", "nav.outreach")) && home.has(&text("en", "nav.goals")));
    let home = a.get("/staff").await;
    assert!(!home.has(&text("en", "nav.outreach")));
}

/// The `value`s of the attendance checkboxes, in the order of the list.
fn present_ids(page: &Page) -> Vec<String> {
    page.body
        .split("name=\"present\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn a_training_from_registration_to_attendance() {
    let (d, server) = hotline().await;
    let day = format!("{}-01-01", year());
    let t = as_user(&server, "trainer@example.org").await;

    // The trainer adds a module of their own, then a training.
    let p = t
        .submit(
            "/training",
            "/training/modules",
            &[("label", "Labour inspection law")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = t.get("/training").await;
    assert!(page.has("Labour inspection law"));
    assert!(page.has(&text("en", "training.module.trauma_informed_interviewing")));
    let p = t
        .submit(
            "/training",
            "/training",
            &[
                ("title", "Indicators for labour inspectors"),
                ("tier", "blended"),
                ("sector", "government"),
                ("mode", "in_person"),
                ("date", &day),
                ("time", "09:30"),
                ("place", "Labour Office, Room 4"),
                ("trainers", "Li Wei"),
                ("modules", "indicators"),
                ("modules", "custom_5"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let event = p.location.unwrap().split('?').next().unwrap().to_string();
    let page = t.get(&event).await;
    // The date and time as English writes them.
    assert!(page.has("Indicators for labour inspectors") && page.has("9:30"));
    assert!(page.has(&format!("Jan 1, {}", year())), "{}", page.body);
    assert!(page.has(&text("en", "training.module.indicators")));
    assert!(
        page.has("Labour inspection law"),
        "the trainer's own module"
    );
    assert!(page.has(&text("en", "training.tier.blended")));

    // Registration; the same email again is merged, not added.
    let register = format!("{event}/register");
    for (name, email) in [
        ("Aiko Tanaka", "aiko@example.org"),
        ("Ben Okoro", "ben@example.org"),
    ] {
        let p = t
            .submit(&event, &register, &[("name", name), ("email", email)])
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    let p = t
        .submit(
            &event,
            &register,
            &[("name", "Aiko T."), ("email", " AIKO@example.org")],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = t.get(p.location.as_deref().unwrap()).await;
    assert!(page.has(&text("en", "notice.registrant_merged")));
    assert!(page.has("Aiko T.") && !page.has("Aiko Tanaka"));
    let ids = present_ids(&page);
    assert_eq!(ids.len(), 2, "two people, not three");

    // Bad input changes nothing.
    let p = t
        .submit(
            &event,
            &register,
            &[("name", "Carla"), ("email", "not an email")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "training.error.registrant")));
    let p = t
        .submit(
            "/training",
            "/training",
            &[
                ("title", "No date"),
                ("tier", "online"),
                ("sector", "ngo"),
                ("mode", "online"),
                ("date", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "training.error.event")));

    // Attendance on the day: Aiko came, Ben did not.
    let p = t
        .submit(
            &event,
            &format!("{event}/attendance"),
            &[("present", &ids[0])],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = t.get(&event).await;
    assert!(page.body.contains(&format!(
        "value=\"{}\" id=\"present-{}\" checked",
        ids[0], ids[0]
    )));
    assert!(!page.body.contains(&format!(
        "value=\"{}\" id=\"present-{}\" checked",
        ids[1], ids[1]
    )));
    let list = t.get("/training").await;
    assert!(
        list.body.contains("<td>2</td><td>1</td>"),
        "registered and attended"
    );

    // Certificates of attendance, for those present only.
    let certs = t.get(&format!("{event}/certificates")).await;
    assert_eq!(certs.status, 200);
    assert!(certs.has(&text("en", "training.certificate.title")));
    assert!(certs.has("Aiko T.") && !certs.has("Ben Okoro"));
    assert!(
        certs.has("Indicators for labour inspectors")
            && certs.has(&format!("held on Jan 1, {}", year())),
        "{}",
        certs.body
    );
    let one = t
        .get(&format!("{event}/certificates?person={}", ids[0]))
        .await;
    assert_eq!(one.body.matches("class=\"certificate\"").count(), 1);
    let absent = t
        .get(&format!("{event}/certificates?person={}", ids[1]))
        .await;
    assert_eq!(absent.status, 404, "no certificate for someone absent");

    // Questionnaires through personal links, answered without an account.
    let page = t.get(&event).await;
    let link = |stage: &str| {
        let end = page.body.find(&format!("/{stage}\">")).unwrap();
        let start = page.body[..end].rfind("href=\"").unwrap() + "href=\"".len();
        format!("{}/{stage}", &page.body[start..end])
    };
    let (pre, post) = (link("pre"), link("post"));
    let guest = server.client();
    let form = guest.get(&pre).await;
    assert_eq!(form.status, 200);
    assert!(form.has(&text("en", "quiz.q1.text")) && form.has(&text("en", "quiz.stage.pre")));
    let ja = Browser::with_language(&server.url, "ja");
    assert!(ja.get(&pre).await.has(&text("ja", "quiz.q8.text")));
    let mut answers = vec![("q1", "b"), ("q2", "c")];
    for q in ["q3", "q4", "q5", "q6", "q7"] {
        answers.push((q, "d"));
    }
    let p = guest.submit(&pre, &pre, &answers).await;
    assert_eq!(p.status, 422, "q8 is missing");
    assert!(p.has(&text("en", "quiz.error")));
    answers.push(("q8", "d"));
    let p = guest.submit(&pre, &pre, &answers).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("2 of 8"), "{}", p.body);
    let right = [
        ("q1", "b"),
        ("q2", "c"),
        ("q3", "a"),
        ("q4", "b"),
        ("q5", "b"),
        ("q6", "b"),
        ("q7", "a"),
        ("q8", "b"),
    ];
    let p = guest.submit(&post, &post, &right).await;
    assert_eq!(p.status, 422, "the post-test asks for satisfaction");
    let mut with_sat = right.to_vec();
    with_sat.push(("satisfaction", "4"));
    let p = guest.submit(&post, &post, &with_sat).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("8 of 8"));
    // A forged or unknown link is not found.
    let forged = format!(
        "{}0/pre",
        pre.trim_end_matches("/pre")
            .trim_end_matches(|c: char| c.is_ascii_hexdigit())
    );
    assert_eq!(guest.get(&forged).await.status, 404);
    assert_eq!(guest.get(&pre.replace("/pre", "/final")).await.status, 404);
    // The trainer sees the scores and the evaluation.
    let page = t.get(&event).await;
    assert!(
        page.body.contains("<td>2/8</td><td>8/8</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dd>25%</dd>") && page.body.contains("<dd>100%</dd>"));
    assert!(page.has(&text("en", "quiz.points").replace("%{points}", "+75")));
    assert!(page.body.contains("4.0 / 5"));

    // Names and emails are encrypted at rest.
    let db = d.db().await;
    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT name_enc, email_enc FROM training_people")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 2);
    for (n, e) in stored {
        // Whole names (a short piece such as "Ben" can occur in ciphertext by chance).
        assert!(!n.contains("Aiko T.") && !n.contains("Ben Okoro") && !e.contains("@example.org"));
    }

    // The attendee counts as a person trained.
    let page = t.get("/goals").await;
    let label = html_escape(&text("en", "goals.metric.people_trained"));
    assert!(
        page.body
            .contains(&format!("{label}</th><td>1</td><td>12,000</td>")),
        "{}",
        page.body
    );

    // Advocates do not see trainings or their registrants.
    let a = as_user(&server, "a@example.org").await;
    assert_eq!(a.get(&event).await.status, 403);
    assert_eq!(a.get(&format!("{event}/certificates")).await.status, 403);
    assert_eq!(a.get("/training").await.status, 403);
    assert_eq!(t.get("/training/99999").await.status, 404);
}

#[tokio::test]
async fn a_roundtable_with_participants_practices_and_actions() {
    let (d, server) = hotline().await;
    let y = year();
    let t = as_user(&server, "trainer@example.org").await;
    let orgs = "/outreach/organizations";
    for (name, sector) in [
        ("Ministry of Justice", "government"),
        ("Migrant Support Network", "ngo"),
    ] {
        let p = t
            .submit(
                orgs,
                orgs,
                &[("name", name), ("sector", sector), ("country", "")],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    let p = t
        .submit(
            "/roundtables",
            "/roundtables",
            &[
                ("date", &format!("{y}-01-01")),
                ("theme", "Labour trafficking in agriculture"),
                ("host", "Ministry of Justice"),
                ("confidentiality", "partners"),
                ("agenda", "1. Recent cases\n2. Referral gaps"),
                ("next_meeting", &format!("{y}-06-01")),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let rt = p.location.unwrap().split('?').next().unwrap().to_string();
    let page = t.get(&rt).await;
    assert!(page.has("Labour trafficking in agriculture") && page.has("Referral gaps"));
    assert!(page.has(&text("en", "roundtable.level.partners")));
    assert!(
        page.has(&format!("Jun 1, {y}")),
        "the next meeting, as English writes it"
    );
    let justice = option_value(&page, "Ministry of Justice (JP)");
    let network = option_value(&page, "Migrant Support Network (JP)");

    // Participants; the same organisation again changes its side, not the count.
    let add = format!("{rt}/participants");
    for (org, side) in [
        (&justice, "ngo"),
        (&network, "ngo"),
        (&justice, "government"),
    ] {
        let p = t
            .submit(&rt, &add, &[("organization_id", org), ("side", side)])
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    let list = t.get("/roundtables").await;
    assert!(
        list.body.contains("<td>2</td>"),
        "two participants: {}",
        list.body
    );
    let page = t.get(&rt).await;
    assert!(page
        .body
        .contains("<td>Ministry of Justice</td><td>JP</td><td>Government</td>"));

    // Notes, a best practice, an action.
    let p = t
        .submit(
            &rt,
            &format!("{rt}/notes"),
            &[("notes", "Labour inspectors will join the next meeting.")],
        )
        .await;
    assert_eq!(p.status, 303);
    let p = t
        .submit(
            &rt,
            &format!("{rt}/practices"),
            &[
                ("title", "Joint visits with labour inspectors"),
                (
                    "description",
                    "Inspectors and NGO outreach workers visit farms together.",
                ),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let last_year = y.parse::<i32>().unwrap() - 1;
    let p = t
        .submit(
            &rt,
            &format!("{rt}/actions"),
            &[
                ("description", "Draft a referral protocol for farm workers"),
                ("owner", "Migrant Support Network"),
                ("due", &format!("{last_year}-12-01")),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = t.get(&rt).await;
    assert!(page.has("Labour inspectors will join the next meeting."));
    assert!(page.has("Joint visits with labour inspectors"));
    assert!(page.has("Draft a referral protocol for farm workers"));
    assert!(
        page.body.contains("class=\"overdue\""),
        "an open action past its date"
    );
    let action = {
        let m = format!("{rt}/actions/");
        let i = page.body.find(&m).unwrap() + m.len();
        page.body[i..].split('/').next().unwrap().to_string()
    };
    let status = format!("{rt}/actions/{action}/status");
    let p = t.submit(&rt, &status, &[("status", "done")]).await;
    assert_eq!(p.status, 303);
    let page = t.get(&rt).await;
    assert!(
        !page.body.contains("class=\"overdue\""),
        "done is not overdue"
    );
    assert!(page.body.contains("value=\"done\" selected"));

    // Bad input is refused and changes nothing.
    let p = t
        .submit(
            &rt,
            &format!("{rt}/actions"),
            &[
                ("description", "No owner"),
                ("owner", ""),
                ("due", &format!("{y}-02-01")),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "roundtable.error.action")));
    let p = t
        .submit(
            "/roundtables",
            "/roundtables",
            &[
                ("date", &format!("{y}-02-01")),
                ("theme", ""),
                ("confidentiality", "public"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("en", "roundtable.error.meeting")));
    assert_eq!(
        t.submit(&rt, &status, &[("status", "maybe")]).await.status,
        400
    );
    let other = format!("{rt}/actions/99999/status");
    assert_eq!(
        t.submit(&rt, &other, &[("status", "done")]).await.status,
        404
    );
    let db = d.db().await;
    let actions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roundtable_actions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(actions, 1);
    let meetings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roundtables")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(meetings, 1);

    // The roundtable counts on the goals page; advocates do not see roundtables.
    let goals = t.get("/goals").await;
    let label = html_escape(&text("en", "goals.metric.roundtables"));
    assert!(goals
        .body
        .contains(&format!("{label}</th><td>1</td><td>5</td>")));
    let a = as_user(&server, "a@example.org").await;
    assert_eq!(a.get(&rt).await.status, 403);
    assert_eq!(a.get("/roundtables").await.status, 403);
}
