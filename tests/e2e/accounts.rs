//! Logging in and out, roles, and the admin's user pages.

use crate::support::*;

#[tokio::test]
async fn admin_logs_in_manages_users_and_logs_out() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let admin = server.client();

    // Staff pages send an anonymous visitor to the login page, and back after login.
    let p = admin.get("/admin/users").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/admin/users"));

    let p = admin
        .submit(
            "/login?next=/admin/users",
            "/login",
            &[
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("next", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/admin/users"));

    let home = admin.get("/staff").await;
    assert_eq!(home.status, 200);
    assert!(home.has("Welcome, Administrator."));
    assert!(home.has("Are you safe right now? Can you speak freely?"));
    assert!(home.has("contact emergency services at 110"));
    assert!(home.has("Users"));

    // Create an advocate through the form; the password is shown once.
    let created = admin
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[
                ("email", "ben@example.org"),
                ("display_name", "Ben Ito"),
                ("role", "advocate"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.has("The account ben@example.org is ready."));
    let ben_password = created.shown_password();

    let list = admin.get("/admin/users").await;
    assert!(list.has("Ben Ito"));
    assert!(list.has("Hotline advocate"));

    // A duplicate is refused with the typed values kept.
    let dup = admin
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[
                ("email", "BEN@example.org"),
                ("display_name", "Another Ben"),
                ("role", "trainer"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.has("An account with this email already exists."));
    assert!(dup.body.contains("value=\"Another Ben\""));

    // The advocate logs in; the staff home works, the admin pages are refused.
    let ben = server.client();
    ben.login("ben@example.org", &ben_password).await;
    assert_eq!(ben.get("/staff").await.status, 200);
    let refused = ben.get("/admin/users").await;
    assert_eq!(refused.status, 403);
    assert!(refused.has("You do not have permission to see this page."));
    assert_eq!(ben.get("/admin/audit").await.status, 403);
    let forged = ben
        .submit(
            "/staff",
            "/admin/users/new",
            &[
                ("email", "evil@example.org"),
                ("display_name", "Evil"),
                ("role", "admin"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(!admin.get("/admin/users").await.has("evil@example.org"));

    // The admin disables Ben: his open session ends at once.
    let users_page = admin.get("/admin/users").await;
    let id = users_page
        .body
        .split("href=\"/admin/users/")
        .filter_map(|s| s.split('"').next())
        .find(|s| {
            s.chars().all(|c| c.is_ascii_digit())
                && users_page
                    .body
                    .contains(&format!("/admin/users/{s}\">Ben Ito"))
        })
        .expect("Ben's row")
        .to_string();
    let saved = admin
        .submit(
            &format!("/admin/users/{id}"),
            &format!("/admin/users/{id}"),
            &[
                ("display_name", "Ben Ito"),
                ("role", "advocate"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(admin
        .get(saved.location.as_deref().unwrap())
        .await
        .has("The user was saved."));
    assert!(admin.get("/admin/users").await.has("Disabled"));
    assert_eq!(ben.get("/staff").await.status, 303);

    // Logout ends the admin's session.
    let out = admin.submit("/staff", "/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert!(admin.get("/login?out=1").await.has("You have logged out."));
    assert_eq!(admin.get("/staff").await.status, 303);
}

#[tokio::test]
async fn each_role_sees_only_what_the_matrix_allows() {
    let d = Deployment::init(&[]);
    let pw = d.scratch_file("pw", "role-password-123\n");
    let roles = [
        "admin",
        "supervisor",
        "advocate",
        "case_manager",
        "trainer",
        "analyst",
    ];
    for role in roles {
        let email = format!("{role}.user@example.org");
        let out = d.cli(&[
            "user",
            "add",
            "--email",
            &email,
            "--name",
            role,
            "--role",
            role,
            "--password-file",
            pw.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let server = d.serve().await;
    for role in roles {
        let c = server.client();
        c.login(&format!("{role}.user@example.org"), "role-password-123")
            .await;
        let expect = |route: &str| -> u16 {
            match route {
                "/staff" => 200,
                "/admin/users" | "/admin/users/new" | "/admin/users/1" => {
                    if role == "admin" {
                        200
                    } else {
                        403
                    }
                }
                "/admin/audit" => {
                    if role == "admin" || role == "supervisor" {
                        200
                    } else {
                        403
                    }
                }
                _ => unreachable!(),
            }
        };
        for route in [
            "/staff",
            "/admin/users",
            "/admin/users/new",
            "/admin/users/1",
            "/admin/audit",
        ] {
            assert_eq!(
                c.get(route).await.status,
                expect(route),
                "{role} GET {route}"
            );
        }
        // Someone else's record: only the admin may open another account.
        let other = if role == "admin" { 200 } else { 403 };
        assert_eq!(
            c.get("/admin/users/2").await.status,
            other,
            "{role} other account"
        );
    }
}

#[tokio::test]
async fn the_last_admin_cannot_lock_everyone_out() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = admin
        .submit(
            "/admin/users/1",
            "/admin/users/1",
            &[
                ("display_name", "Administrator"),
                ("role", "advocate"),
                ("locale", "en"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has("This is the last active administrator"));
    assert_eq!(admin.get("/admin/users").await.status, 200);
}

#[tokio::test]
async fn an_admin_resets_a_password_and_the_old_sessions_end() {
    let d = Deployment::init(&[]);
    let pw = d.scratch_file("pw", "trainer-password-1\n");
    d.cli(&[
        "user",
        "add",
        "--email",
        "t@example.org",
        "--name",
        "T",
        "--role",
        "trainer",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    let server = d.serve().await;
    let t = server.client();
    t.login("t@example.org", "trainer-password-1").await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = admin
        .submit("/admin/users/2", "/admin/users/2/password", &[])
        .await;
    assert_eq!(p.status, 200);
    assert!(p.has("The password of t@example.org was reset."));
    let new_pw = p.shown_password();
    assert_eq!(t.get("/staff").await.status, 303, "old session ended");
    assert_eq!(
        server
            .client()
            .try_login("t@example.org", "trainer-password-1")
            .await
            .status,
        401
    );
    server.client().login("t@example.org", &new_pw).await;
}

#[tokio::test]
async fn staff_change_their_own_password() {
    let d = Deployment::init(&[]);
    let pw = d.scratch_file("pw", "advocate-password-1\n");
    d.cli(&[
        "user",
        "add",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "advocate",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    let server = d.serve().await;
    let me = server.client();
    me.login("a@example.org", "advocate-password-1").await;
    let elsewhere = server.client();
    elsewhere
        .login("a@example.org", "advocate-password-1")
        .await;

    let page = me.get("/account").await;
    assert!(page.has("My account") && page.has("a@example.org"));
    let wrong = me
        .submit(
            "/account",
            "/account",
            &[
                ("current", "not-it-at-all"),
                ("new", "a-brand-new-password"),
                ("confirm", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.has("The current password is not correct."));
    let mismatch = me
        .submit(
            "/account",
            "/account",
            &[
                ("current", "advocate-password-1"),
                ("new", "a-brand-new-password"),
                ("confirm", "another-new-password"),
            ],
        )
        .await;
    assert!(mismatch.has("The two new passwords are not the same."));
    let short = me
        .submit(
            "/account",
            "/account",
            &[
                ("current", "advocate-password-1"),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert!(short.has("The password must have at least 12 characters."));

    let done = me
        .submit(
            "/account",
            "/account",
            &[
                ("current", "advocate-password-1"),
                ("new", "a-brand-new-password"),
                ("confirm", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let after = me.get(done.location.as_deref().unwrap()).await;
    assert_eq!(after.status, 200, "this session continues");
    assert!(after.has("Your password was changed."));
    assert_eq!(
        elsewhere.get("/staff").await.status,
        303,
        "other sessions end"
    );
    assert_eq!(
        server
            .client()
            .try_login("a@example.org", "advocate-password-1")
            .await
            .status,
        401
    );
    server
        .client()
        .login("a@example.org", "a-brand-new-password")
        .await;
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let thief = server.client();
    thief.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for _ in 0..5 {
        let p = thief
            .submit(
                "/account",
                "/account",
                &[
                    ("current", "a-wrong-guess-1"),
                    ("new", "stolen-password-1"),
                    ("confirm", "stolen-password-1"),
                ],
            )
            .await;
        assert!(p.has("The current password is not correct."));
    }
    let p = thief
        .submit(
            "/account",
            "/account",
            &[
                ("current", ADMIN_PASSWORD),
                ("new", "stolen-password-1"),
                ("confirm", "stolen-password-1"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has("Too many wrong passwords."));
    assert_eq!(
        server
            .client()
            .try_login(ADMIN_EMAIL, "stolen-password-1")
            .await
            .status,
        429
    );
    assert!(thief
        .get("/admin/audit")
        .await
        .body
        .contains("account.password_check_failed"));
}

#[tokio::test]
async fn the_audit_trail_names_actors_and_records_in_the_readers_language() {
    let d = Deployment::init(&[]);
    let pw = d.scratch_file("pw", "kanri-password-1\n");
    let out = d.cli(&[
        "user",
        "add",
        "--email",
        "kanri@example.org",
        "--name",
        "Kanri",
        "--role",
        "admin",
        "--locale",
        "ja",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let server = d.serve().await;
    let admin = server.client();
    admin.login("kanri@example.org", "kanri-password-1").await;
    let page = admin.get("/admin/audit").await;
    // The account was created on the command line: both said in Japanese.
    assert!(page.has(&text("ja", "audit.actor.cli")), "{}", page.body);
    let target = text("ja", "audit.target.user");
    let prefix = target.split("%{id}").next().unwrap();
    assert!(page.has(prefix.trim()), "{}", page.body);
    assert!(!page.body.contains("<td>cli</td>"), "{}", page.body);
    assert!(!page.body.contains("user #"), "{}", page.body);
}
