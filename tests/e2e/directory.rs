//! The referral directory, HSDS exchange and consent-gated referrals.

use std::collections::BTreeMap;

use crate::support::*;

const PW: &str = "frontline-pass-1";

/// Users: 2 advocate, 3 supervisor, 4 trainer.
async fn hotline() -> (Deployment, Server) {
    let d = Deployment::init(&[]);
    d.add_users(
        PW,
        &[
            ("adv@example.org", "advocate"),
            ("sup@example.org", "supervisor"),
            ("trainer@example.org", "trainer"),
        ],
    );
    let server = d.serve().await;
    (d, server)
}

async fn as_user(server: &Server, email: &str, pw: &str) -> Browser {
    let c = server.client();
    c.login(email, pw).await;
    c
}

/// Adds a partner with one service through the web; returns (organization id, service id).
async fn add_partner(admin: &Browser, name: &str, verified: &str) -> (String, String) {
    let page = admin.get("/directory/organizations/new").await;
    let m = "name=\"id\" value=\"";
    let i = page.body.find(m).unwrap() + m.len();
    let org = page.body[i..].split('"').next().unwrap().to_string();
    let t = page.csrf();
    let p = admin
        .post(
            "/directory/organizations",
            &[
                ("_csrf", &t),
                ("id", &org),
                ("name", name),
                ("description", "Shelter and legal help"),
                ("website", "https://partner.example"),
                ("vetting_tier", "2"),
                ("accepts_warm_transfers", "on"),
                ("last_verified", verified),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = admin
        .get(&format!("/directory/organizations/{org}/services/new"))
        .await;
    let i = page.body.find(m).unwrap() + m.len();
    let svc = page.body[i..].split('"').next().unwrap().to_string();
    let t = page.csrf();
    let p = admin
        .post(
            "/directory/services",
            &[
                ("_csrf", &t),
                ("id", &svc),
                ("organization_id", &org),
                ("name", "Emergency shelter"),
                ("status", "active"),
                ("categories", "shelter"),
                ("populations", "women"),
                ("languages", "vi"),
                ("languages", "en"),
                ("area", "13,14"),
                ("hours", "24/7"),
                ("phone", "+81 3 0000 1111"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    (org, svc)
}

#[tokio::test]
async fn partners_are_found_by_service_region_language_and_population() {
    let (_d, server) = hotline().await;
    let admin = as_user(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (org, _) = add_partner(&admin, "Sakura Shelter", "2020-01-01").await;
    let adv = as_user(&server, "adv@example.org", PW).await;
    for q in [
        "category=shelter",
        "language=vi",
        "region=13",
        "population=women",
        "q=sakura",
        "",
    ] {
        assert!(
            adv.get(&format!("/directory?{q}"))
                .await
                .has("Sakura Shelter"),
            "{q}"
        );
    }
    for q in [
        "category=legal",
        "language=ja",
        "region=01",
        "population=minors",
        "q=nothing",
    ] {
        assert!(
            !adv.get(&format!("/directory?{q}"))
                .await
                .has("Sakura Shelter"),
            "{q}"
        );
    }
    assert!(adv.get("/directory").await.has("Accepts warm transfers"));
    // Everyone may search; only admins and supervisors manage.
    let trainer = as_user(&server, "trainer@example.org", PW).await;
    assert_eq!(trainer.get("/directory").await.status, 200);
    assert_eq!(
        trainer.get("/directory/organizations/new").await.status,
        403
    );
    assert_eq!(adv.get("/directory/review").await.status, 403);
    // Verified years ago: listed for review until verified again.
    let review = admin.get("/directory/review").await;
    assert!(review.has("Sakura Shelter"));
    let page = admin.get(&format!("/directory/organizations/{org}")).await;
    let t = page.csrf();
    let today = page
        .body
        .split("max=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let p = admin
        .post(
            "/directory/organizations",
            &[
                ("_csrf", &t),
                ("id", &org),
                ("name", "Sakura Shelter"),
                ("last_verified", &today),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    assert!(!admin.get("/directory/review").await.has("Sakura Shelter"));
    // Bad input keeps what was typed.
    let p = admin
        .post(
            "/directory/organizations",
            &[
                ("_csrf", &t),
                ("id", &org),
                ("name", "Sakura Shelter"),
                ("vetting_tier", "9"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has("the vetting tier is 1 to 4"));
}

fn read_dir(path: &std::path::Path) -> BTreeMap<String, String> {
    std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn hsds_packages_round_trip_between_deployments() {
    let (a, server) = hotline().await;
    let admin = as_user(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    add_partner(&admin, "Sakura Shelter", "2026-01-10").await;
    add_partner(&admin, "Harbor \"Legal\", Aid", "2025-12-01").await;
    let out = tempfile::tempdir().unwrap();
    let first = out.path().join("first");
    let e = a.cli(&[
        "directory",
        "export",
        "--format",
        "csv",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert!(e.status.success(), "{}", stderr(&e));
    assert!(stdout(&e).contains("Exported 2 partners and 2 services"));
    let files = read_dir(&first);
    for f in [
        "datapackage.json",
        "organizations.csv",
        "services.csv",
        "phones.csv",
        "languages.csv",
        "attributes.csv",
        "taxonomy_terms.csv",
    ] {
        assert!(files.contains_key(f), "{f}");
    }
    // Into an empty deployment: a dry run changes nothing, then the import, then the same export.
    let (b, _out) = Deployment::init_with(&[]);
    let dry = b.cli(&["directory", "import", first.to_str().unwrap(), "--dry-run"]);
    assert!(
        stdout(&dry).contains("Partners: 2 new, 0 updated, 0 unchanged."),
        "{}",
        stdout(&dry)
    );
    let db = b.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let imp = b.cli(&["directory", "import", first.to_str().unwrap()]);
    assert!(imp.status.success(), "{}", stderr(&imp));
    let second = out.path().join("second");
    assert!(b
        .cli(&[
            "directory",
            "export",
            "--format",
            "csv",
            "--out",
            second.to_str().unwrap()
        ])
        .status
        .success());
    assert_eq!(
        read_dir(&second),
        files,
        "export, import, export: identical"
    );
    // Importing again updates by id and never duplicates.
    let again = b.cli(&["directory", "import", first.to_str().unwrap()]);
    assert!(
        stdout(&again).contains("Partners: 0 new, 0 updated, 2 unchanged."),
        "{}",
        stdout(&again)
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM services")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 2);
    // The zipped package through the web: a dry run, then the import into a third deployment.
    let zipped = admin
        .http
        .get(format!("{}/directory/export.zip", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-type"], "application/zip");
    let zipped = zipped.bytes().await.unwrap().to_vec();
    let (c, init_out) = Deployment::init_with(&[]);
    let c_server = c.serve().await;
    let c_admin = as_user(
        &c_server,
        ADMIN_EMAIL,
        &printed_password(&stdout(&init_out)),
    )
    .await;
    for (dry, expected) in [(true, "Nothing was changed yet."), (false, "Imported.")] {
        let page = c_admin.get("/directory/import").await;
        let action = page
            .body
            .split("action=\"")
            .find(|a| a.starts_with("/directory/import"))
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(zipped.clone()).file_name("directory-hsds.zip"),
        );
        if dry {
            form = form.text("dry_run", "on");
        }
        let resp = c_admin
            .http
            .post(format!("{}{action}", c_server.url))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains(expected) && body.contains("Partners: 2 new"),
            "{body}"
        );
    }
    assert!(c_admin.get("/directory").await.has("Sakura Shelter"));
    // JSON through the web: the export imports into the same shape.
    let json = admin.get("/directory/export.json").await;
    assert!(json.body.contains("\"organizations\""));
    let json_file = out.path().join("d.json");
    std::fs::write(&json_file, &json.body).unwrap();
    let imp = b.cli(&["directory", "import", json_file.to_str().unwrap()]);
    assert!(
        stdout(&imp).contains("Partners: 0 new, 0 updated, 2 unchanged."),
        "{}{}",
        stdout(&imp),
        stderr(&imp)
    );
}

#[tokio::test]
async fn a_broken_package_is_explained_and_imports_nothing() {
    let (d, server) = hotline().await;
    let admin = as_user(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    add_partner(&admin, "Sakura Shelter", "2026-01-10").await;
    let out = tempfile::tempdir().unwrap();
    let pkg = out.path().join("pkg");
    assert!(d
        .cli(&[
            "directory",
            "export",
            "--format",
            "csv",
            "--out",
            pkg.to_str().unwrap()
        ])
        .status
        .success());
    let service = std::fs::read_to_string(pkg.join("services.csv")).unwrap();
    let mut lines: Vec<String> = service.lines().map(str::to_string).collect();
    lines.push("not-a-uuid,11111111-2222-4333-8444-555555555555,,,active,,".into());
    std::fs::write(pkg.join("services.csv"), lines.join("\r\n") + "\r\n").unwrap();
    std::fs::write(
        pkg.join("schedules.csv"),
        b"id,service_id,description\r\n\xff\xfe\xfd,x,y\r\n",
    )
    .unwrap();
    let (fresh, _) = Deployment::init_with(&[]);
    let imp = fresh.cli(&["directory", "import", pkg.to_str().unwrap()]);
    assert!(!imp.status.success());
    let err = stderr(&imp);
    assert!(err.contains("Nothing was imported."), "{err}");
    assert!(
        err.contains("services.csv:3: id: \"not-a-uuid\" is not a UUID"),
        "{err}"
    );
    assert!(
        err.contains(
            "services.csv:3: organization_id: no organization 11111111-2222-4333-8444-555555555555"
        ),
        "{err}"
    );
    assert!(err.contains("services.csv:3: name: required"), "{err}");
    assert!(err.contains("schedules.csv:2: : not UTF-8"), "{err}");
    // In the admin's language, with the same places and values.
    let dir = fresh.dir_str();
    let imp = hotline_env(
        &["directory", "import", pkg.to_str().unwrap(), "--dir", &dir],
        &[("HOTLINE_LANG", "ja")],
    );
    assert!(!imp.status.success());
    let err = stderr(&imp);
    assert!(
        err.contains(&text("ja", "cli.directory.import_refused")),
        "{err}"
    );
    let not_uuid = text("ja", "directory.problem.not_uuid").replace("%{value}", "not-a-uuid");
    assert!(
        err.contains(&format!("services.csv:3: id: {not_uuid}")),
        "{err}"
    );
    let required = text("ja", "directory.problem.required");
    assert!(
        err.contains(&format!("services.csv:3: name: {required}")),
        "{err}"
    );
    assert!(!err.contains("is not a UUID"), "{err}");
    let db = fresh.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "the valid partner was not imported either");
    // Through the web: a malformed JSON file is refused with its line.
    let page = admin.get("/directory/import").await;
    let action = page
        .body
        .split("action=\"")
        .find(|a| a.starts_with("/directory/import"))
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"{\n\"organizations\": [\n{\"id\": 5,}".to_vec())
            .file_name("broken.json"),
    );
    let resp = admin
        .http
        .post(format!("{}{action}", server.url))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body = resp.text().await.unwrap();
    assert!(body.contains("broken.json:3: : not valid JSON: "), "{body}");
    // Where and what to look at, not the JSON parser's English ("trailing comma").
    assert!(
        body.contains("line 3, column 10: a comma, quote, colon or bracket"),
        "{body}"
    );
    assert!(!body.contains("trailing comma"), "{body}");
}

#[tokio::test]
async fn referrals_need_consent_or_an_audited_override() {
    let (d, server) = hotline().await;
    let admin = as_user(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, service) = add_partner(&admin, "Sakura Shelter", "2026-01-10").await;
    let adv = as_user(&server, "adv@example.org", PW).await;
    let p = adv
        .submit("/console", "/contacts/start", &[("channel", "phone")])
        .await;
    let contact = p
        .location
        .unwrap()
        .trim_start_matches("/contacts/")
        .trim_end_matches("/edit")
        .to_string();
    let p = adv
        .submit(
            &format!("/contacts/{contact}"),
            &format!("/contacts/{contact}/case"),
            &[],
        )
        .await;
    let case = p
        .location
        .unwrap()
        .trim_start_matches("/cases/")
        .to_string();
    let path = format!("/cases/{case}");
    let refer = format!("{path}/referrals");
    // No consent: refused for the advocate.
    let p = adv
        .submit(
            &path,
            &refer,
            &[("kind", "warm_transfer"), ("service_id", &service)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.has("No active consent allows sharing this person's identity with this recipient."));
    // A supervisor may override, but only with a reason.
    let sup = as_user(&server, "sup@example.org", PW).await;
    let p = sup
        .submit(
            &path,
            &refer,
            &[("kind", "warm_transfer"), ("service_id", &service)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.has("Without consent, a referral needs the reason for overriding it."));
    let p = sup
        .submit(
            &path,
            &refer,
            &[
                ("kind", "warm_transfer"),
                ("service_id", &service),
                (
                    "override_reason",
                    "Caller in danger tonight, no time to ask",
                ),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(sup
        .get(&path)
        .await
        .has("sent without consent: Caller in danger tonight, no time to ask"));
    // With consent, the advocate refers.
    adv.submit(
        &path,
        &format!("{path}/consents"),
        &[
            ("scope", "identity"),
            ("recipient", "service_provider"),
            ("date", "2026-02-01"),
        ],
    )
    .await;
    let p = adv
        .submit(
            &path,
            &refer,
            &[("kind", "referral"), ("service_id", &service)],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = adv.get(&path).await;
    assert!(page.has("Referral · Sakura Shelter — Emergency shelter"));
    // Status and outcome.
    let rid = page
        .body
        .split("/referrals/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let p = adv
        .submit(
            &path,
            &format!("{path}/referrals/{rid}/status"),
            &[("status", "accepted"), ("outcome", "Bed found for tonight")],
        )
        .await;
    assert_eq!(p.status, 303);
    let page = adv.get(&path).await;
    assert!(page.has("Accepted") && page.has("Bed found for tonight"));
    // The override is in the audit trail; its reason is not.
    let db = d.db().await;
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, detail FROM audit_log WHERE action LIKE 'case.referral%' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        rows.iter()
            .filter(|(a, _)| a == "case.referral_consent_override")
            .count(),
        1
    );
    assert!(!format!("{rows:?}").contains("danger tonight"));
}
