//! Cases: opening from a contact, who may see which case, the workflow, indicators, work
//! recorded on a case, encryption at rest and concurrent edits.

use crate::support::*;

pub(crate) const PW: &str = "frontline-pass-1";

/// Users: 2 advocate A, 3 advocate B, 4 supervisor, 5 case manager, 6 trainer.
pub(crate) async fn hotline() -> (Deployment, Server) {
    hotline_named(None).await
}

/// The same, with another hotline name in hotline.toml.
pub(crate) async fn hotline_named(name: Option<&str>) -> (Deployment, Server) {
    let d = Deployment::init(&[]);
    if let Some(name) = name {
        d.edit_config("name = \"Test Hotline\"", &format!("name = \"{name}\""));
    }
    d.add_users(
        PW,
        &[
            ("a@example.org", "advocate"),
            ("b@example.org", "advocate"),
            ("sup@example.org", "supervisor"),
            ("cm@example.org", "case_manager"),
            ("trainer@example.org", "trainer"),
        ],
    );
    let server = d.serve().await;
    (d, server)
}

pub(crate) async fn as_user(server: &Server, email: &str) -> Browser {
    let c = server.client();
    c.login(email, PW).await;
    c
}

/// An advocate starts a contact, classifies it, and opens a case from it.
pub(crate) async fn open_case(c: &Browser, kind: &str) -> (String, String) {
    let p = c
        .submit("/console", "/contacts/start", &[("channel", "phone")])
        .await;
    let contact = p
        .location
        .unwrap()
        .trim_start_matches("/contacts/")
        .trim_end_matches("/edit")
        .to_string();
    let form = c.get(&format!("/contacts/{contact}/edit")).await;
    let m = "name=\"version\" value=\"";
    let i = form.body.find(m).unwrap() + m.len();
    let version = form.body[i..].split('"').next().unwrap().to_string();
    let t = form.csrf();
    let p = c
        .post(
            &format!("/contacts/{contact}"),
            &[
                ("_csrf", &t),
                ("version", &version),
                ("channel", "phone"),
                ("contact_type", kind),
                ("region", "13"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = c
        .submit(
            &format!("/contacts/{contact}"),
            &format!("/contacts/{contact}/case"),
            &[],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let case = p
        .location
        .unwrap()
        .trim_start_matches("/cases/")
        .to_string();
    (contact, case)
}

pub(crate) fn year() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // Good enough for tests not run across a New Year in Tokyo.
    let days = secs / 86_400;
    let mut y = 1970;
    let mut d = days;
    loop {
        let len = if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
            366
        } else {
            365
        };
        if d < len {
            break;
        }
        d -= len;
        y += 1;
    }
    y.to_string()
}

#[tokio::test]
async fn cases_open_from_contacts_with_country_numbers() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let (contact, case) = open_case(&a, "tip").await;
    let page = a.get(&format!("/cases/{case}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.has(&format!("Case JP-{}-00001", year())),
        "{}",
        page.body
    );
    assert!(page.has("Tokyo"), "the region comes from the contact");
    // The contact links to its case, and opening again goes to the same case.
    let cp = a.get(&format!("/contacts/{contact}")).await;
    assert!(cp.body.contains(&format!("href=\"/cases/{case}\"")));
    let (_, second) = open_case(&a, "referral").await;
    assert!(a
        .get(&format!("/cases/{second}"))
        .await
        .has(&format!("JP-{}-00002", year())));
}

#[tokio::test]
async fn who_sees_which_case() {
    let (d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let b = as_user(&server, "b@example.org").await;
    let sup = as_user(&server, "sup@example.org").await;
    let cm = as_user(&server, "cm@example.org").await;
    let trainer = as_user(&server, "trainer@example.org").await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, case) = open_case(&a, "tip").await;
    let path = format!("/cases/{case}");
    // Someone else's case answers exactly like a case that does not exist.
    let missing = b.get("/cases/999999").await;
    let hidden = b.get(&path).await;
    assert_eq!(hidden.status, 404);
    assert_eq!(missing.status, 404);
    assert!(hidden.has("This page does not exist."));
    assert!(!b.get("/cases").await.body.contains(&path));
    assert_eq!(cm.get(&path).await.status, 404, "not assigned yet");
    // Writing to it is refused the same way, and stores nothing.
    let t = b.get("/cases").await.csrf();
    assert_eq!(
        b.post(
            &format!("{path}/notes"),
            &[("_csrf", &t), ("body", "sneaky")]
        )
        .await
        .status,
        404
    );
    // Trainers and admins never see case data; analysts neither.
    assert_eq!(trainer.get(&path).await.status, 403);
    assert_eq!(admin.get("/cases").await.status, 403);
    // The supervisor sees everything and assigns the case manager, who then sees it.
    assert_eq!(sup.get(&path).await.status, 200);
    assert!(a.get("/cases").await.body.contains(&path));
    let p = sup
        .submit(&path, &format!("{path}/assign"), &[("user_id", "5")])
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(cm.get(&path).await.status, 200);
    assert!(cm.get("/cases?mine=on").await.body.contains(&path));
    // Every view is audited, and the supervisor sees the case's own access log.
    let log = sup.get(&path).await;
    assert!(log.has("Access log"));
    assert!(log.body.contains("a@example.org") && log.body.contains("cm@example.org"));
    assert!(
        !a.get(&path).await.has("Access log"),
        "only supervisors see the log"
    );
    let db = d.db().await;
    let views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'case.view' AND target_id = $1",
    )
    .bind(&case)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(views >= 4, "views audited: {views}");
    let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_notes")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(notes, 0);
}

#[tokio::test]
async fn open_crisis_cases_are_visible_to_every_advocate_until_closed() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let b = as_user(&server, "b@example.org").await;
    let (_, case) = open_case(&a, "crisis").await;
    let path = format!("/cases/{case}");
    assert_eq!(b.get(&path).await.status, 200);
    let p = a
        .submit(
            &path,
            &format!("{path}/status"),
            &[("to", "closed"), ("closure_reason", "services_completed")],
        )
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(b.get(&path).await.status, 404);
}

#[tokio::test]
async fn the_workflow_decides_status_changes() {
    let (_d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let (_, case) = open_case(&a, "tip").await;
    let path = format!("/cases/{case}");
    let status = format!("{path}/status");
    let p = a.submit(&path, &status, &[("to", "reopened")]).await;
    assert_eq!(p.status, 409);
    assert!(p.has("A case cannot move from Open to Reopened"));
    let p = a.submit(&path, &status, &[("to", "closed")]).await;
    assert_eq!(p.status, 422);
    assert!(p.has("Choose the reason for closing the case."));
    for (to, reason) in [
        ("active", ""),
        ("referred", ""),
        ("closed", "referred_elsewhere"),
        ("reopened", ""),
    ] {
        let p = a
            .submit(&path, &status, &[("to", to), ("closure_reason", reason)])
            .await;
        assert_eq!(p.status, 303, "{to}: {}", p.body);
    }
    assert!(a.get(&path).await.has("Reopened"));
    // An admin narrows the workflow: a reopened case may now only be closed.
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let t = admin.get("/admin/settings").await.csrf();
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("always_open", "on"),
                ("ring_seconds", "20"),
                ("api_base_url", "https://api.twilio.com"),
                (
                    "workflow",
                    "open: active, closed\nreopened: closed\nclosed: reopened",
                ),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a.submit(&path, &status, &[("to", "active")]).await;
    assert_eq!(p.status, 409);
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("ring_seconds", "20"),
                ("workflow", "open: flying"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "unknown statuses are refused");
}

#[tokio::test]
async fn indicators_propose_a_level_that_can_be_overridden_with_a_reason() {
    let (d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let (_, case) = open_case(&a, "tip").await;
    let path = format!("/cases/{case}");
    let form = a.get(&format!("{path}/edit")).await;
    let m = "name=\"version\" value=\"";
    let i = form.body.find(m).unwrap() + m.len();
    let v = form.body[i..].split('"').next().unwrap().to_string();
    let t = form.csrf();
    let base = vec![
        ("_csrf", t.as_str()),
        ("version", v.as_str()),
        ("case_type", "labor"),
        ("venue", "technical_intern_training"),
        ("indicators", "debt_bondage"),
        ("indicators", "excessive_hours"),
        ("control", "debt"),
        (
            "summary",
            "Interns at a sewing factory owe their broker more than a year's wages.",
        ),
        ("safety_plan", "Code word: blue umbrella."),
    ];
    let mut no_reason = base.clone();
    no_reason.push(("level_override", "moderate"));
    let p = a.post(&path, &no_reason).await;
    assert_eq!(p.status, 422);
    assert!(p.has("Give the reason for setting the indicator level by hand."));
    assert!(p.has("Interns at a sewing factory owe their broker more than a year's wages."));
    let p = a.post(&path, &base).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = a.get(&path).await;
    assert!(page.has("High"), "debt bondage proposes a high level");
    assert!(page.has("Technical Intern Training Program"));
    // Override with a reason.
    let form = a.get(&format!("{path}/edit")).await;
    let i = form.body.find(m).unwrap() + m.len();
    let v2 = form.body[i..].split('"').next().unwrap().to_string();
    let mut over: Vec<(&str, &str)> = base
        .iter()
        .filter(|(k, _)| *k != "version")
        .cloned()
        .collect();
    over.extend([
        ("version", v2.as_str()),
        ("level_override", "moderate"),
        ("override_reason", "Debt already repaid by the family."),
    ]);
    let p = a.post(&path, &over).await;
    assert_eq!(p.status, 303);
    let page = a.get(&path).await;
    assert!(page.has("set by hand instead of High"));
    assert!(page.has("Debt already repaid by the family."));
    // The old form is now stale: refused, the text kept.
    let p = a.post(&path, &base).await;
    assert_eq!(p.status, 409);
    assert!(p.has("Someone else saved this case while you were editing."));
    assert!(p.has("Code word: blue umbrella."));
    // Encrypted at rest.
    let db = d.db().await;
    let raw: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT summary_enc, safety_plan_enc, level_override_reason_enc FROM cases WHERE id = $1",
    )
    .bind(case.parse::<i64>().unwrap())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let all = format!("{raw:?}");
    for secret in ["sewing", "umbrella", "repaid"] {
        assert!(!all.contains(secret), "{secret} stored in clear");
    }
}

#[tokio::test]
async fn people_notes_and_tasks_are_recorded_and_protected() {
    let (d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let sup = as_user(&server, "sup@example.org").await;
    let cm = as_user(&server, "cm@example.org").await;
    let (_, case) = open_case(&a, "tip").await;
    let path = format!("/cases/{case}");
    sup.submit(&path, &format!("{path}/assign"), &[("user_id", "5")])
        .await;
    let p = cm
        .submit(
            &path,
            &format!("{path}/people"),
            &[
                ("kind", "victim"),
                ("name", "Mai Hidden"),
                ("age_band", "12_17"),
                ("gender", "female"),
                ("nationality", "VN"),
                ("languages", "vi, ja"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = cm
        .submit(
            &path,
            &format!("{path}/people"),
            &[("kind", "business"), ("name", "Sakura Garment Co.")],
        )
        .await;
    assert_eq!(p.status, 303);
    let p = cm
        .submit(
            &path,
            &format!("{path}/notes"),
            &[("body", "Met her at the shelter; she wants to go home.")],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = cm.get(&path).await;
    for text in [
        "Potential victim",
        "Mai Hidden",
        "12 to 17",
        "Minor (under 18)",
        "Business involved",
        "Sakura Garment Co.",
        "Met her at the shelter; she wants to go home.",
    ] {
        assert!(page.has(text), "{text}");
    }
    // A task due yesterday is overdue on the case manager's home until done.
    let p = cm
        .submit(
            &path,
            &format!("{path}/tasks"),
            &[
                ("title", "Call the shelter about a bed"),
                ("due", "2020-01-01"),
                ("assigned_to", "5"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let home = cm.get("/staff").await;
    assert!(home.has("Overdue tasks") && home.has("Call the shelter about a bed"));
    let task = cm
        .get(&path)
        .await
        .body
        .split("/tasks/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let p = cm
        .submit(&path, &format!("{path}/tasks/{task}/done"), &[])
        .await;
    assert_eq!(p.status, 303);
    assert!(!cm.get("/staff").await.has("Call the shelter about a bed"));
    // Names and notes are encrypted at rest.
    let db = d.db().await;
    let names: Vec<Option<String>> = sqlx::query_scalar("SELECT name_enc FROM case_people")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let notes: Vec<String> = sqlx::query_scalar("SELECT body_enc FROM case_notes")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let tasks: Vec<String> = sqlx::query_scalar("SELECT title_enc FROM case_tasks")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let all = format!("{names:?}{notes:?}{tasks:?}");
    for secret in ["Mai", "Sakura", "shelter"] {
        assert!(!all.contains(secret), "{secret} stored in clear");
    }
    // Attaching a contact that belongs to no case works once; a made-up reference is refused.
    let p = cm
        .submit(
            &path,
            &format!("{path}/contacts"),
            &[("reference", "NOPE-NOPE")],
        )
        .await;
    assert_eq!(p.status, 422);
    // Adding a crisis contact makes it a crisis case.
    let (crisis_contact, _) = {
        let p = a
            .submit("/console", "/contacts/start", &[("channel", "phone")])
            .await;
        let id = p
            .location
            .unwrap()
            .trim_start_matches("/contacts/")
            .trim_end_matches("/edit")
            .to_string();
        let f = a.get(&format!("/contacts/{id}/edit")).await;
        let m = "name=\"version\" value=\"";
        let i = f.body.find(m).unwrap() + m.len();
        let v = f.body[i..].split('"').next().unwrap().to_string();
        let t = f.csrf();
        a.post(
            &format!("/contacts/{id}"),
            &[
                ("_csrf", &t),
                ("version", &v),
                ("channel", "phone"),
                ("contact_type", "crisis"),
                ("action", "save"),
            ],
        )
        .await;
        (id, ())
    };
    let reference = {
        let page = a.get(&format!("/contacts/{crisis_contact}")).await;
        page.body
            .split("<h1>Contact ")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    assert!(!cm.get(&path).await.has("Crisis"));
    let p = cm
        .submit(
            &path,
            &format!("{path}/contacts"),
            &[("reference", &reference)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(cm.get(&path).await.has("Crisis"));
}

#[tokio::test]
async fn reports_to_authorities_need_their_legal_basis() {
    let (d, server) = hotline().await;
    let a = as_user(&server, "a@example.org").await;
    let (_, case) = open_case(&a, "tip").await;
    let path = format!("/cases/{case}");
    let reports = format!("{path}/reports");
    // Adults only: sharing needs consent.
    let page = a.get(&path).await;
    assert!(page.has("Adults: share identifying information only with their consent."));
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "police"),
                ("legal_basis", "consent"),
                ("fields", "identity"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has("No active consent allows sharing this information with this recipient."));
    // Consent given for the police, for identity and story.
    let p = a
        .submit(
            &path,
            &format!("{path}/consents"),
            &[
                ("scope", "identity"),
                ("scope", "story"),
                ("recipient", "police"),
                ("date", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "police"),
                ("legal_basis", "consent"),
                ("fields", "identity"),
                ("fields", "location"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "location is not covered");
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "police"),
                ("legal_basis", "consent"),
                ("fields", "identity"),
                ("fields", "story"),
                ("notes", "Detective Ito, by phone"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = a.get(&path).await;
    assert!(page.has("Basis: Consent. Shared: Identity, What happened. Sent by a@example.org."));
    // Withdrawn consent no longer covers anything.
    let consent = page
        .body
        .split("/consents/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let p = a
        .submit(&path, &format!("{path}/consents/{consent}/withdraw"), &[])
        .await;
    assert_eq!(p.status, 303);
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "police"),
                ("legal_basis", "consent"),
                ("fields", "identity"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    // No duty to report an adult's case to the police, and no imminent danger.
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "police"),
                ("legal_basis", "legal_duty"),
                ("fields", "identity"),
            ],
        )
        .await;
    assert!(p.has("No reporting duty to this recipient applies to this case"));
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "police"),
                ("legal_basis", "imminent_danger"),
                ("fields", "identity"),
            ],
        )
        .await;
    assert!(p.has("Imminent danger is the basis only for an open crisis case."));
    // A minor among the potential victims: a mandatory report to child protection.
    a.submit(
        &path,
        &format!("{path}/people"),
        &[("kind", "victim"), ("age_band", "12_17")],
    )
    .await;
    let page = a.get(&path).await;
    assert!(page.has("A minor is involved: a report to child protection services is mandatory."));
    let p = a
        .submit(
            &path,
            &reports,
            &[
                ("authority", "child_protection"),
                ("legal_basis", "legal_duty"),
                ("fields", "identity"),
                ("fields", "location"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // Every report is in the audit trail with its basis and fields.
    let db = d.db().await;
    let details: Vec<Option<String>> =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'case.report' ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        details,
        vec![
            Some("police (consent): identity,story".to_string()),
            Some("child_protection (legal_duty): identity,location".to_string())
        ]
    );
    // Services and emergency responses.
    let p = a
        .submit(
            &path,
            &format!("{path}/services"),
            &[
                ("service_type", "counselling"),
                ("date", "2026-02-01"),
                ("sessions", "3"),
                ("minutes", "150"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = a
        .submit(
            &path,
            &format!("{path}/services"),
            &[
                ("service_type", "counselling"),
                ("date", "2026-02-01"),
                ("sessions", "three"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    let p = a
        .submit(
            &path,
            &format!("{path}/emergencies"),
            &[
                ("kind", "shelter"),
                ("date", "2026-02-02"),
                ("coordinated_with", "City shelter"),
                ("outcome", "Placed the same night"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = a.get(&path).await;
    assert!(
        page.has("Mental-health counselling") && page.has("3 sessions") && page.has("150 minutes")
    );
    assert!(page.has("Emergency shelter") && page.has("Placed the same night"));
}

/// Every role against every protected route, on a case that belongs to someone else (or not).
#[tokio::test]
async fn role_by_route_by_someone_elses_record() {
    let (d, server) = hotline().await;
    let pw = d.scratch_file("pw2", &format!("{PW}\n"));
    for (email, role) in [
        ("cm2@example.org", "case_manager"),
        ("analyst@example.org", "analyst"),
    ] {
        assert!(d
            .cli(&[
                "user",
                "add",
                "--email",
                email,
                "--name",
                email,
                "--role",
                role,
                "--password-file",
                pw.to_str().unwrap()
            ])
            .status
            .success());
    }
    let a = as_user(&server, "a@example.org").await;
    let (_, case) = open_case(&a, "tip").await;
    let sup = as_user(&server, "sup@example.org").await;
    sup.submit(
        &format!("/cases/{case}"),
        &format!("/cases/{case}/assign"),
        &[("user_id", "5")],
    )
    .await;
    let c = format!("/cases/{case}");
    let routes = [
        "/cases".to_string(),
        c.clone(),
        format!("{c}/edit"),
        "/contacts".into(),
        "/console".into(),
        "/directory".into(),
        "/directory/organizations/new".into(),
        "/admin/users".into(),
        "/admin/settings".into(),
        "/admin/roster".into(),
        "/admin/audit".into(),
    ];
    // Expected statuses per route, in the order above.
    let table: [(&str, &str, [u16; 11]); 8] = [
        (
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
            [403, 403, 403, 403, 403, 200, 200, 200, 200, 200, 200],
        ),
        (
            "sup@example.org",
            PW,
            [200, 200, 200, 200, 200, 200, 200, 403, 403, 200, 200],
        ),
        (
            "a@example.org",
            PW,
            [200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "b@example.org",
            PW,
            [200, 404, 404, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "cm@example.org",
            PW,
            [200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "cm2@example.org",
            PW,
            [200, 404, 404, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "trainer@example.org",
            PW,
            [403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403],
        ),
        (
            "analyst@example.org",
            PW,
            [403, 403, 403, 403, 403, 200, 403, 403, 403, 403, 403],
        ),
    ];
    for (email, password, expected) in table {
        let client = server.client();
        client.login(email, password).await;
        for (route, want) in routes.iter().zip(expected) {
            assert_eq!(client.get(route).await.status, want, "{email} GET {route}");
        }
        // Writing to the case follows the same rule as reading it.
        let token = client.get("/staff").await.csrf();
        let note = client
            .post(
                &format!("{c}/notes"),
                &[("_csrf", &token), ("body", "matrix")],
            )
            .await
            .status;
        let want = match expected[1] {
            200 => 303,
            other => other,
        };
        assert_eq!(note, want, "{email} POST {c}/notes");
    }
}
