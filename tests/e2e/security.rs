//! CSRF, throttling, session timeouts, cookies and headers, the audit trail, error pages.

use crate::support::*;

#[tokio::test]
async fn state_changing_requests_need_a_valid_csrf_token() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let c = server.client();

    // Without any token, or with a forged one, the login is refused with an explanation.
    let p = c
        .post(
            "/login",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.has("This form has expired or did not come from this site."));
    let _ = c.get("/login").await;
    let p = c
        .post(
            "/login",
            &[
                ("_csrf", "forged"),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, 403);

    // A token from another browser does not work either.
    let other = server.client();
    let stolen = other.get("/login").await.csrf();
    let p = c
        .post(
            "/login",
            &[
                ("_csrf", &stolen),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, 403);

    // Logged in, a forged request to create a user stores nothing.
    c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c
        .post(
            "/admin/users/new",
            &[
                ("_csrf", &stolen),
                ("email", "x@example.org"),
                ("display_name", "X"),
                ("role", "admin"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(!stdout(&d.cli(&["user", "list"])).contains("x@example.org"));

    // The login token was bound to the pre-login browser; after login a new one is needed.
    let logout = c.post("/logout", &[("_csrf", &stolen)]).await;
    assert_eq!(logout.status, 403);
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account_for_a_while() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let c = server.client();
    for _ in 0..5 {
        let p = c.try_login(ADMIN_EMAIL, "wrong-password-here").await;
        assert_eq!(p.status, 401);
        assert!(p.has("The email or password is not correct."));
        assert!(
            p.body.contains(&format!("value=\"{ADMIN_EMAIL}\"")),
            "the email is kept"
        );
    }
    // Even the right password is refused now, from any browser.
    let p = server.client().try_login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.status, 429);
    assert!(
        p.has("Too many failed attempts. For your safety, logging in is paused for 15 minutes.")
    );
    // An unknown account answers exactly like a wrong password.
    let p = server
        .client()
        .try_login("nobody@example.org", "whatever-password")
        .await;
    assert_eq!(p.status, 401);
    assert!(p.has("The email or password is not correct."));

    // The trail records the failures and the refusal.
    let db = d.db().await;
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        actions.iter().filter(|a| *a == "auth.login_failed").count(),
        6
    );
    assert!(actions.contains(&"auth.login_throttled".to_string()));

    // What was typed for an unknown account is kept nowhere.
    let actors: Vec<String> = sqlx::query_scalar("SELECT actor FROM audit_log")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(actors.contains(&"unknown account".to_string()));
    assert!(!actors.iter().any(|a| a.contains("nobody")));
    let hashes: Vec<String> = sqlx::query_scalar("SELECT email_hash FROM login_attempts")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(!hashes.iter().any(|h| h.contains('@')));

    // An admin lifts the lockout from the command line.
    let out = d.cli(&["user", "unlock", ADMIN_EMAIL]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("they can log in again"));
    server.client().login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn an_admin_lifts_a_lockout_from_the_web() {
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
    for _ in 0..5 {
        server
            .client()
            .try_login("t@example.org", "wrong-password-x")
            .await;
    }
    let locked = server
        .client()
        .try_login("t@example.org", "trainer-password-1")
        .await;
    assert_eq!(locked.status, 429);
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = admin
        .submit("/admin/users/2", "/admin/users/2/unlock", &[])
        .await;
    assert_eq!(p.status, 303);
    let notice = admin.get(p.location.as_deref().unwrap()).await;
    assert!(notice.has("The failed logins were cleared."));
    server
        .client()
        .login("t@example.org", "trainer-password-1")
        .await;
    assert!(admin.get("/admin/audit").await.body.contains("user.unlock"));
}

#[tokio::test]
async fn too_many_failures_from_one_address_are_throttled() {
    let d = Deployment::init(&[]);
    d.edit_config(
        "max_failed_logins_per_ip = 20",
        "max_failed_logins_per_ip = 3",
    );
    let server = d.serve().await;
    for i in 0..3 {
        let p = server
            .client()
            .try_login(&format!("user{i}@example.org"), "wrong-password-x")
            .await;
        assert_eq!(p.status, 401);
    }
    let p = server.client().try_login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.status, 429);
}

#[tokio::test]
async fn idle_and_old_sessions_expire() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let c = server.client();
    c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(c.get("/staff").await.status, 200);
    let db = d.db().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // 31 minutes without activity.
    sqlx::query("UPDATE sessions SET last_seen_at = $1")
        .bind(now - 31 * 60)
        .execute(&db.pool)
        .await
        .unwrap();
    let p = c.get("/staff").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login?next=/staff&expired=1"));
    assert!(c
        .get("/login?next=/staff&expired=1")
        .await
        .has("Your session ended"));

    // Active, but logged in 13 hours ago.
    c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    sqlx::query("UPDATE sessions SET created_at = $1")
        .bind(now - 13 * 3600)
        .execute(&db.pool)
        .await
        .unwrap();
    assert_eq!(c.get("/staff").await.status, 303);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "expired sessions are deleted");
}

#[tokio::test]
async fn cookies_and_headers_protect_the_visitor() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The public home leaves no cookie and is never cached.
    let home = http.get(format!("{}/", server.url)).send().await.unwrap();
    assert!(home.headers().get("set-cookie").is_none());
    assert_eq!(home.headers()["cache-control"], "no-store");
    assert_eq!(home.headers()["referrer-policy"], "no-referrer");
    assert_eq!(home.headers()["x-frame-options"], "DENY");
    assert!(home.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let body = home.text().await.unwrap();
    assert!(body.contains("data-quick-exit"));
    assert!(body.contains("If you are in immediate danger, call"));

    // The login form sets only a browser-session, HttpOnly cookie; so does a login.
    let login = http
        .get(format!("{}/login", server.url))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("hb_pre="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Max-Age") && !cookie.contains("Secure"));

    let c = server.client();
    let p = c.try_login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.status, 303);
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_https() {
    let d = Deployment::init(&["--public-url", "https://hotline.example.org"]);
    let server = d.serve().await;
    let login = reqwest::get(format!("{}/login", server.url)).await.unwrap();
    assert_eq!(
        login.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = login.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn the_audit_trail_records_logins_and_is_append_only() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let _ = server
        .client()
        .try_login(ADMIN_EMAIL, "not-the-password")
        .await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("auth.login_failed"));
    assert!(page.body.contains("auth.login"));
    assert!(page.body.contains("user.create"));
    assert!(page.body.contains("127.0.0.1"));
    let filtered = admin.get("/admin/audit?action=user.").await;
    assert!(filtered.body.contains("user.create") && !filtered.body.contains("auth.login_failed"));

    let db = d.db().await;
    let row: (String, Option<String>, String) =
        sqlx::query_as("SELECT actor, ip, action FROM audit_log WHERE action = 'auth.login'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(row.0, ADMIN_EMAIL);
    assert_eq!(row.1.as_deref(), Some("127.0.0.1"));
    // Neither an update nor a delete is accepted by the database.
    assert!(sqlx::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(&db.pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(&db.pool)
        .await
        .is_err());
    if d.pg.is_some() {
        assert!(sqlx::query("TRUNCATE audit_log")
            .execute(&db.pool)
            .await
            .is_err());
    }
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(total >= 3, "the trail is intact");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE actor = 'someone else'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn errors_are_explained_in_the_visitors_language() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    let ja = Browser::with_language(&server.url, "ja");
    let p = ja.get("/no/such/page").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("lang=\"ja\""));
    assert!(p.has(&text("ja", "error.not_found")));

    // An oversized body is refused before anything is stored.
    let token = ja.get("/login").await.csrf();
    let big = "x".repeat(400 * 1024);
    let p = ja
        .post(
            "/login",
            &[("_csrf", &token), ("email", &big), ("password", "x")],
        )
        .await;
    assert_eq!(p.status, 413);
    assert!(p.has(&text("ja", "error.too_large")));

    // A malformed form is refused with a clear message.
    let p = ja.post("/login", &[("_csrf", &token)]).await;
    assert_eq!(p.status, 422);
    assert!(p.has(&text("ja", "error.bad_request")));

    assert_eq!(ja.get("/healthz").await.body, "ok");
    assert_eq!(ja.get("/readyz").await.body, "ready");
}

#[tokio::test]
async fn logs_carry_no_login_names_or_paths() {
    let d = Deployment::init(&[]);
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["serve", "--dir", &d.dir_str(), "--listen", "127.0.0.1:0"])
        .env("HOTLINE_LANG", "en")
        .env("HOTLINE_LOG", "debug")
        .stdout(std::process::Stdio::piped())
        .stderr(log.reopen().unwrap());
    let mut child = cmd.spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        if let Some(i) = line.find("http://") {
            break line[i..].trim().trim_end_matches('/').to_string();
        }
    };
    let c = Browser::new(&url);
    let _ = c
        .try_login("secret.person@example.org", "secret-password-9")
        .await;
    let _ = c.get("/admin/users?name=Hidden+Name").await;
    let _ = child.kill();
    let _ = child.wait();
    let logged = std::fs::read_to_string(log.path()).unwrap();
    assert!(logged.contains("request"), "logging works: {logged}");
    for secret in ["secret.person", "secret-password", "Hidden", "admin/users"] {
        assert!(!logged.contains(secret), "{secret} leaked into the log");
    }
}

#[tokio::test]
async fn the_address_comes_from_a_trusted_proxy_only() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    // Through a proxy on this machine, the address the proxy appended is recorded.
    let c = server.client();
    let token = c.get("/login").await.csrf();
    let resp = c
        .http
        .post(format!("{}/login", server.url))
        .header("x-forwarded-for", "198.51.100.7, 203.0.113.9")
        .form(&[
            ("_csrf", token.as_str()),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let db = d.db().await;
    let ip: Option<String> =
        sqlx::query_scalar("SELECT ip FROM audit_log WHERE action = 'auth.login'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(ip.as_deref(), Some("203.0.113.9"));
    // A proxy elsewhere must be listed; a bad entry is refused at start-up.
    d.edit_config("trusted_proxies = []", "trusted_proxies = [\"not-an-ip\"]");
    let out = d.cli(&["serve"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("\"not-an-ip\" in trusted_proxies is not an IP address."));
}
