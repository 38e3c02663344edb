//! Contacts from every channel: the advocate console, the tip form, voice and SMS webhooks,
//! crisis alerts, encryption at rest.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hotline_app::intake::twilio::signature;

use crate::support::*;

const TOKEN: &str = "test-auth-token-0123456789";
const BASE: &str = "http://hotline.test";

/// A deployment whose webhooks are signed with TOKEN against BASE, with an advocate, a
/// supervisor and a case manager (password "frontline-pass-1") and the advocate on duty
/// around the clock at +15550009999.
async fn hotline() -> (Deployment, Server) {
    let d = Deployment::init(&["--public-url", BASE, "--emergency-number", "110"]);
    let pw = d.scratch_file("pw", "frontline-pass-1\n");
    for (email, role) in [
        ("adv@example.org", "advocate"),
        ("sup@example.org", "supervisor"),
        ("cm@example.org", "case_manager"),
        ("trainer@example.org", "trainer"),
    ] {
        let out = d.cli(&[
            "user",
            "add",
            "--email",
            email,
            "--name",
            role,
            "--role",
            role,
            "--password-file",
            pw.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    hotline_app::intake::twilio::set_auth_token(&d.dir, TOKEN).unwrap();
    let server = d.serve().await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for day in 0..7 {
        let p = admin
            .submit(
                "/admin/roster",
                "/admin/roster",
                &[
                    ("user_id", "2"),
                    ("weekday", &day.to_string()),
                    ("start", "00:00"),
                    ("end", "24:00"),
                    ("duty_phone", "+15550009999"),
                ],
            )
            .await;
        assert_eq!(p.status, 303, "{}", p.body);
    }
    (d, server)
}

async fn advocate(server: &Server) -> Browser {
    let c = server.client();
    c.login("adv@example.org", "frontline-pass-1").await;
    c
}

/// Posts a correctly signed webhook.
/// `text` as it appears inside TwiML (XML-escaped).
fn xml_text(text: &str) -> String {
    hotline_app::intake::twilio::xml_escape(text)
}

async fn webhook(server: &Server, path: &str, params: &[(&str, &str)]) -> (u16, String) {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let sig = signature(TOKEN, &format!("{BASE}{path}"), &owned);
    send_webhook(server, path, params, &sig).await
}

async fn send_webhook(
    server: &Server,
    path: &str,
    params: &[(&str, &str)],
    sig: &str,
) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(format!("{}{path}", server.url))
        .header("x-twilio-signature", sig)
        .form(params)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn count(d: &Deployment, sql: &str) -> i64 {
    let db = d.db().await;
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&db.pool).await.unwrap();
    db.close().await;
    n
}

/// Starts a contact from the console and returns its id.
async fn start_contact(c: &Browser) -> String {
    let p = c
        .submit("/console", "/contacts/start", &[("channel", "phone")])
        .await;
    assert_eq!(p.status, 303);
    let loc = p.location.unwrap();
    loc.trim_start_matches("/contacts/")
        .trim_end_matches("/edit")
        .to_string()
}

fn version_of(page: &Page) -> String {
    let marker = "name=\"version\" value=\"";
    let i = page.body.find(marker).unwrap() + marker.len();
    page.body[i..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn an_advocate_records_a_contact_from_the_console() {
    let (d, server) = hotline().await;
    let adv = advocate(&server).await;
    let console = adv.get("/console").await;
    assert!(console.has("Start a call"));
    let id = start_contact(&adv).await;
    let form = adv.get(&format!("/contacts/{id}/edit")).await;
    assert!(form.body.contains("data-started="), "the call timer runs");
    assert!(form.has("Are you safe right now? Can you speak freely?"));
    let version = version_of(&form);
    let token = form.csrf();
    let path = format!("/contacts/{id}");
    let base_fields = vec![
        ("_csrf", token.as_str()),
        ("version", version.as_str()),
        ("channel", "phone"),
        ("contact_type", "tip"),
        ("signaler_role", "community_member"),
        ("region", "13"),
        ("language", "ja"),
        ("heard_about", "poster_flyer"),
        ("red_flags", "not_free_to_leave"),
        ("red_flags", "no_id_or_money"),
        ("name", "Hanako Secret"),
        ("phone", "+81 90-1234-5678"),
        (
            "narrative",
            "Workers at the karaoke bar cannot leave; passports kept by the owner.",
        ),
        ("consent_follow_up", "on"),
        ("action", "save"),
    ];
    // A bad email: refused, every typed value kept.
    let mut bad = base_fields.clone();
    bad.push(("email", "not an email"));
    let p = adv.post(&path, &bad).await;
    assert_eq!(p.status, 422);
    assert!(p.has("Enter a valid email address."));
    assert!(p.has("Workers at the karaoke bar cannot leave; passports kept by the owner."));
    assert!(p.body.contains("value=\"Hanako Secret\""));
    // Saved for real.
    let p = adv.post(&path, &base_fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let detail = adv.get(&path).await;
    for text in [
        "Tip",
        "Community member",
        "Tokyo",
        "Japanese",
        "Poster or flyer",
        "Not free to leave",
        "No identity documents or money",
        "Hanako Secret",
        "+81 90-1234-5678",
    ] {
        assert!(detail.has(text), "{text} shown");
    }
    // Encrypted at rest: the raw row holds no identifying text.
    let db = d.db().await;
    let row: (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT name_enc, phone_enc, narrative_enc, phone_index FROM contacts WHERE id = $1",
    )
    .bind(id.parse::<i64>().unwrap())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let all = format!("{:?}", row);
    for secret in ["Hanako", "1234", "karaoke"] {
        assert!(!all.contains(secret), "{secret} stored in clear: {all}");
    }
    assert!(row.0.is_some() && row.3.is_some());
    // Views and edits are in the audit trail, without the values.
    let actions: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, detail FROM audit_log WHERE target_type = 'contact' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(actions.iter().any(|(a, _)| a == "contact.view"));
    let update = actions
        .iter()
        .find(|(a, _)| a == "contact.update")
        .expect("update audited");
    assert!(update.1.as_deref().unwrap().contains("name"));
    assert!(!format!("{actions:?}").contains("Hanako"));
    // Found by filters and by phone number in another spelling.
    let list = adv
        .get("/contacts?channel=phone&contact_type=tip&region=13")
        .await;
    assert!(list.body.contains(&format!("/contacts/{id}\"")));
    let none = adv.get("/contacts?contact_type=crisis").await;
    assert!(!none.body.contains(&format!("/contacts/{id}\"")));
    let by_phone = adv.get("/contacts?q=%2B819012345678").await;
    assert!(by_phone.body.contains(&format!("/contacts/{id}\"")));
    // Close it: the duration is recorded.
    let form = adv.get(&format!("/contacts/{id}/edit")).await;
    let v = version_of(&form);
    let mut close = base_fields.clone();
    close.retain(|(k, _)| *k != "version" && *k != "action" && *k != "_csrf");
    let t = form.csrf();
    close.extend([
        ("_csrf", t.as_str()),
        ("version", v.as_str()),
        ("action", "close"),
    ]);
    let p = adv.post(&path, &close).await;
    assert_eq!(p.status, 303);
    assert!(adv.get(&path).await.has("Closed"));
    let closed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM contacts WHERE status = 'closed' AND duration_seconds IS NOT NULL",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(closed, 1);
}

#[tokio::test]
async fn a_second_editor_is_refused_and_keeps_their_text() {
    let (_d, server) = hotline().await;
    let a = advocate(&server).await;
    let b = server.client();
    b.login("sup@example.org", "frontline-pass-1").await;
    let id = start_contact(&a).await;
    let fa = a.get(&format!("/contacts/{id}/edit")).await;
    let fb = b.get(&format!("/contacts/{id}/edit")).await;
    let (va, vb) = (version_of(&fa), version_of(&fb));
    let (ta, tb) = (fa.csrf(), fb.csrf());
    let path = format!("/contacts/{id}");
    let p = a
        .post(
            &path,
            &[
                ("_csrf", &ta),
                ("version", &va),
                ("channel", "phone"),
                ("narrative", "First advocate's notes"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    let p = b
        .post(
            &path,
            &[
                ("_csrf", &tb),
                ("version", &vb),
                ("channel", "phone"),
                ("narrative", "Supervisor's different notes"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.has("Someone else saved this contact while you were editing."));
    assert!(p.has("Supervisor's different notes"));
    assert!(
        a.get(&path).await.has("First advocate's notes"),
        "nothing was overwritten"
    );
}

#[tokio::test]
async fn a_repeat_signaler_is_recognized_by_phone() {
    let (_d, server) = hotline().await;
    let adv = advocate(&server).await;
    let mut ids = Vec::new();
    for phone in ["+1 (555) 010-7777", "+15550107777"] {
        let id = start_contact(&adv).await;
        let f = adv.get(&format!("/contacts/{id}/edit")).await;
        let (v, t) = (version_of(&f), f.csrf());
        let p = adv
            .post(
                &format!("/contacts/{id}"),
                &[
                    ("_csrf", &t),
                    ("version", &v),
                    ("channel", "phone"),
                    ("phone", phone),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(p.status, 303);
        ids.push(id);
    }
    let second = adv.get(&format!("/contacts/{}", ids[1])).await;
    assert!(second.has("Earlier contacts from the same person"));
    assert!(
        second.body.contains(&format!("/contacts/{}\"", ids[0])),
        "the first contact is linked"
    );
}

#[tokio::test]
async fn marking_a_crisis_alerts_the_supervisor_live() {
    let (d, server) = hotline().await;
    let sup = server.client();
    sup.login("sup@example.org", "frontline-pass-1").await;
    // The supervisor's open screen listens.
    let mut stream = sup
        .http
        .get(format!("{}/alerts/stream", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let adv = advocate(&server).await;
    let id = start_contact(&adv).await;
    let f = adv.get(&format!("/contacts/{id}/edit")).await;
    let (v, t) = (version_of(&f), f.csrf());
    let p = adv
        .post(
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
    assert_eq!(p.status, 303);
    assert!(adv
        .get(p.location.as_deref().unwrap())
        .await
        .has("the supervisors on duty were alerted"));
    let reference: String = {
        let db = d.db().await;
        sqlx::query_scalar("SELECT reference FROM contacts WHERE id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };
    let received = tokio::time::timeout(Duration::from_secs(20), async {
        let mut seen = String::new();
        while let Ok(Some(chunk)) = stream.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(&reference) {
                return seen;
            }
        }
        seen
    })
    .await
    .expect("the alert arrives without reloading");
    assert!(received.contains("event: crisis"));
    assert!(received.contains(&format!(
        "Crisis: contact {reference} needs a supervisor now"
    )));
    // Recorded: who was alerted and when; shown on the supervisor's home; acknowledged.
    assert_eq!(
        count(
            &d,
            "SELECT COUNT(*) FROM crisis_alerts WHERE user_id = 3 AND seen_at IS NULL"
        )
        .await,
        1
    );
    let home = sup.get("/staff").await;
    assert!(home.has(&format!("Crisis: contact {reference}")));
    let alert_id = home
        .body
        .split("action=\"/alerts/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let p = sup
        .submit("/staff", &format!("/alerts/{alert_id}/seen"), &[])
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(
        count(
            &d,
            "SELECT COUNT(*) FROM crisis_alerts WHERE user_id = 3 AND seen_at IS NOT NULL"
        )
        .await,
        1
    );
    assert!(sup
        .get(&format!("/contacts/{id}"))
        .await
        .has("Supervisors alerted"));
    // A crisis reaches the supervisors even when the form cannot be saved yet.
    let id2 = start_contact(&adv).await;
    let f = adv.get(&format!("/contacts/{id2}/edit")).await;
    let (v, t) = (version_of(&f), f.csrf());
    let p = adv
        .post(
            &format!("/contacts/{id2}"),
            &[
                ("_csrf", &t),
                ("version", &v),
                ("channel", "phone"),
                ("contact_type", "crisis"),
                ("email", "not an email"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has("supervisors alerted"));
    assert_eq!(
        count(
            &d,
            &format!("SELECT COUNT(*) FROM crisis_alerts WHERE contact_id = {id2}")
        )
        .await,
        1
    );
    // Advocates do not receive the stream.
    assert_eq!(adv.get("/alerts/stream").await.status, 403);
}

#[tokio::test]
async fn the_public_tip_form_reaches_the_queue() {
    let (d, server) = hotline().await;
    let http = reqwest::Client::new();
    let form = http
        .get(format!("{}/tip?lang=es", server.url))
        .send()
        .await
        .unwrap();
    assert!(
        form.headers().get("set-cookie").is_none(),
        "no cookie, no tracking"
    );
    let body = form.text().await.unwrap();
    assert!(body.contains("lang=\"es\""));
    let token = {
        let m = "name=\"token\" value=\"";
        let i = body.find(m).unwrap() + m.len();
        body[i..].split('"').next().unwrap().to_string()
    };
    let visitor = Browser::new(&server.url);
    let what = "Two teenagers are made to sell flowers at the station every night until 2am.";
    // Sent at once: a robot.
    let p = visitor
        .post("/tip", &[("token", &token), ("what", what)])
        .await;
    assert_eq!(p.status, 422);
    assert!(p.has(what), "the text is kept");
    tokio::time::sleep(Duration::from_millis(3100)).await;
    // The honeypot: thanked, nothing stored.
    let p = visitor
        .post(
            "/tip",
            &[
                ("token", &token),
                ("what", what),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(p.status, 200);
    assert_eq!(count(&d, "SELECT COUNT(*) FROM contacts").await, 0);
    // A forged token.
    let p = visitor
        .post("/tip", &[("token", "123.forged"), ("what", what)])
        .await;
    assert_eq!(p.status, 403);
    // A real tip.
    let p = visitor
        .post(
            "/tip",
            &[("token", &token), ("what", what), ("region", "13")],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.has("Your reference code:"));
    let reference = p
        .body
        .split("<code>")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let queue = advocate(&server).await.get("/console").await;
    assert!(
        queue.has(&reference),
        "the tip waits in the advocates' queue"
    );
    assert_eq!(count(&d, "SELECT COUNT(*) FROM contacts WHERE channel = 'web_form' AND status = 'queued' AND contact_type = 'tip'").await, 1);
    // The rate limit: five an hour from one address (the honeypot counted too).
    for _ in 0..3 {
        let p = visitor
            .post("/tip", &[("token", &token), ("what", what)])
            .await;
        assert_eq!(p.status, 200);
    }
    let p = visitor
        .post("/tip", &[("token", &token), ("what", what)])
        .await;
    assert_eq!(p.status, 429);
    assert!(p.has("Too many reports were sent from this connection."));
    assert_eq!(count(&d, "SELECT COUNT(*) FROM contacts").await, 4);
}

#[tokio::test]
async fn calls_are_answered_in_every_language_and_always_recorded() {
    let (d, server) = hotline().await;
    // The greeting offers each language in its own words.
    let (status, xml) = webhook(
        &server,
        "/webhooks/voice",
        &[
            ("CallSid", "CA100"),
            ("From", "+15550001111"),
            ("To", "+15550000000"),
            ("CallStatus", "ringing"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(xml.contains("<Gather"));
    assert!(xml.contains(&text("en", "ivr.press").replace("%{digit}", "1")));
    assert!(xml.contains(&text("ja", "ivr.press").replace("%{digit}", "2")));
    assert!(xml.contains(&text("es", "ivr.press").replace("%{digit}", "3")));
    // Each choice gives the emergency message in that language, then rings the advocate.
    for (digit, locale, voice) in [
        ("1", "en", "en-US"),
        ("2", "ja", "ja-JP"),
        ("3", "es", "es-MX"),
    ] {
        let sid = format!("CA10{digit}");
        webhook(
            &server,
            "/webhooks/voice",
            &[("CallSid", &sid), ("From", "+15550001111")],
        )
        .await;
        let (status, xml) = webhook(
            &server,
            "/webhooks/voice/language",
            &[("CallSid", &sid), ("Digits", digit)],
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            xml.contains(&format!("<Say language=\"{voice}\">")),
            "{xml}"
        );
        let emergency = text(locale, "ivr.emergency").replace("%{number}", "110");
        assert!(xml.contains(&emergency), "{locale}: {xml}");
        assert!(xml.contains("<Number>+15550009999</Number>"));
    }
    // A repeated delivery creates nothing new.
    webhook(
        &server,
        "/webhooks/voice",
        &[("CallSid", "CA100"), ("From", "+15550001111")],
    )
    .await;
    assert_eq!(
        count(
            &d,
            "SELECT COUNT(*) FROM contacts WHERE provider_sid = 'CA100'"
        )
        .await,
        1
    );
    // Nobody answers: voicemail, then the recording and the end of the call are recorded.
    let (_, xml) = webhook(
        &server,
        "/webhooks/voice/dial?attempt=0&lang=en",
        &[("CallSid", "CA100"), ("DialCallStatus", "no-answer")],
    )
    .await;
    assert!(xml.contains("<Record"), "{xml}");
    let (_, xml) = webhook(
        &server,
        "/webhooks/voice/voicemail?lang=en",
        &[
            ("CallSid", "CA100"),
            ("RecordingUrl", "https://provider.example/rec/RE1"),
        ],
    )
    .await;
    assert!(xml.contains("<Hangup/>"));
    webhook(
        &server,
        "/webhooks/voice/status",
        &[
            ("CallSid", "CA100"),
            ("CallStatus", "completed"),
            ("CallDuration", "42"),
        ],
    )
    .await;
    let db = d.db().await;
    let (outcome, duration): (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT call_outcome, duration_seconds FROM contacts WHERE provider_sid = 'CA100'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(outcome.as_deref(), Some("voicemail"));
    assert_eq!(duration, Some(42));
    // Answered calls are marked so, and open in the console of the advocate who picked up.
    webhook(
        &server,
        "/webhooks/voice",
        &[("CallSid", "CA101"), ("From", "+15550001111")],
    )
    .await;
    let (_, xml) = webhook(
        &server,
        "/webhooks/voice/dial?attempt=0&lang=en",
        &[("CallSid", "CA101"), ("DialCallStatus", "completed")],
    )
    .await;
    assert!(xml.contains("<Hangup/>"));
    // A call the app never saw (the fallback took it) still counts, as missed.
    webhook(
        &server,
        "/webhooks/voice/status",
        &[
            ("CallSid", "CA999"),
            ("From", "+15550003333"),
            ("CallStatus", "no-answer"),
        ],
    )
    .await;
    let outcomes: Vec<(String, Option<String>)> = sqlx::query_as("SELECT provider_sid, call_outcome FROM contacts WHERE provider_sid IN ('CA101', 'CA999') ORDER BY provider_sid")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        vec![
            ("CA101".to_string(), Some("answered".to_string())),
            ("CA999".to_string(), Some("missed".to_string()))
        ]
    );
    // The queue shows calls to follow up.
    assert!(advocate(&server)
        .await
        .get("/console")
        .await
        .has("Voicemail"));
}

#[tokio::test]
async fn forged_or_unsigned_webhooks_are_refused_and_store_nothing() {
    let (d, server) = hotline().await;
    let params = [("CallSid", "CA666"), ("From", "+15550006666")];
    let (status, _) = send_webhook(&server, "/webhooks/voice", &params, "forged-signature=").await;
    assert_eq!(status, 403);
    let (status, _) = send_webhook(&server, "/webhooks/voice", &params, "").await;
    assert_eq!(status, 403);
    // Signed for another address.
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let other = signature(TOKEN, "http://evil.example/webhooks/voice", &owned);
    assert_eq!(
        send_webhook(&server, "/webhooks/voice", &params, &other)
            .await
            .0,
        403
    );
    // Signed with another token.
    let wrong = signature("not-the-token", &format!("{BASE}/webhooks/voice"), &owned);
    assert_eq!(
        send_webhook(
            &server,
            "/webhooks/sms",
            &[("MessageSid", "SM6"), ("From", "+1555"), ("Body", "x")],
            &wrong
        )
        .await
        .0,
        403
    );
    assert_eq!(count(&d, "SELECT COUNT(*) FROM contacts").await, 0);
    assert_eq!(count(&d, "SELECT COUNT(*) FROM sms_messages").await, 0);
}

#[tokio::test]
async fn outside_operating_hours_callers_reach_voicemail() {
    let (_d, server) = hotline().await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // Open only for one minute a week that is never "now" in the test: Sunday 00:00–00:01.
    let page = admin.get("/admin/settings").await;
    let t = page.csrf();
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("ring_seconds", "20"),
                ("api_base_url", "https://api.twilio.com"),
                ("open_6", "00:00"),
                ("close_6", "00:01"),
                ("open_1", "25:00"),
                ("close_1", "10:00"),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "bad hours are refused");
    assert!(p.has("The hours of Tuesday must be two times HH:MM"));
    assert!(p.body.contains("value=\"25:00\""), "typed values kept");
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("ring_seconds", "20"),
                ("api_base_url", "https://api.twilio.com"),
                ("open_6", "00:00"),
                ("close_6", "00:01"),
            ],
        )
        .await;
    assert_eq!(p.status, 303);
    webhook(
        &server,
        "/webhooks/voice",
        &[("CallSid", "CA200"), ("From", "+15550002000")],
    )
    .await;
    let (_, xml) = webhook(
        &server,
        "/webhooks/voice/language",
        &[("CallSid", "CA200"), ("Digits", "1")],
    )
    .await;
    if !xml.contains("<Dial") {
        assert!(xml.contains("<Record"));
        assert!(xml.contains("cannot take calls right now"));
    }
}

/// A stand-in for the provider's REST API: records what it is asked to send.
async fn fake_provider() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    use axum::routing::post;
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/2010-04-01/Accounts/{sid}/Messages.json",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let store = store.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let mut seen = store.lock().unwrap();
                seen.push((auth, body));
                axum::Json(
                    serde_json::json!({"sid": format!("SMout{}", seen.len()), "status": "queued"}),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn texts_thread_into_one_conversation_and_advocates_reply() {
    let (d, server) = hotline().await;
    let (provider, sent) = fake_provider().await;
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let t = admin.get("/admin/settings").await.csrf();
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("sms_number", "+15550000001"),
                ("always_open", "on"),
                ("ring_seconds", "20"),
                ("api_base_url", &provider),
                ("account_sid", "AC123"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // The first text gets the automatic reply; a repeated delivery changes nothing.
    let (status, xml) = webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM1"),
            ("From", "+15550002222"),
            ("To", "+15550000001"),
            ("Body", "I need help, I cannot leave"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(xml.contains("<Message>"));
    assert!(xml.contains(&text("en", "sms.auto_reply").replace("%{number}", "110")));
    // …and says, in each of the hotline's other languages, how to be answered in it.
    assert!(xml.contains(&text("es", "sms.language_hint").replace("%{keyword}", "AYUDA")));
    assert!(xml.contains(&text("ja", "sms.language_hint").replace("%{keyword}", "ヘルプ")));
    assert!(!xml.contains(&text("en", "sms.language_hint").replace("%{keyword}", "HELP")));
    let (_, again) = webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM1"),
            ("From", "+15550002222"),
            ("Body", "I need help, I cannot leave"),
        ],
    )
    .await;
    assert!(!again.contains("<Message>"));
    webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM2"),
            ("From", "+15550002222"),
            ("Body", "They took my passport"),
        ],
    )
    .await;
    assert_eq!(
        count(&d, "SELECT COUNT(*) FROM contacts WHERE channel = 'sms'").await,
        1
    );
    assert_eq!(count(&d, "SELECT COUNT(*) FROM sms_messages").await, 2);
    let id: i64 = count(&d, "SELECT id FROM contacts WHERE channel = 'sms'").await;
    // The advocate reads the thread and replies through the provider.
    let adv = advocate(&server).await;
    let page = adv.get(&format!("/contacts/{id}")).await;
    assert!(page.has("I need help, I cannot leave") && page.has("They took my passport"));
    let p = adv
        .submit(
            &format!("/contacts/{id}"),
            &format!("/contacts/{id}/sms"),
            &[("body", "We are here. Are you safe to talk?")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    {
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 1);
        let (auth, body) = &sent[0];
        assert!(auth.starts_with("Basic "));
        assert!(body.contains("To=%2B15550002222"));
        assert!(body.contains("From=%2B15550000001"));
        assert!(body.contains("Body=We+are+here."));
    }
    // The delivery status arrives.
    let (status, _) = webhook(
        &server,
        "/webhooks/sms/status",
        &[("MessageSid", "SMout1"), ("MessageStatus", "delivered")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(adv.get(&format!("/contacts/{id}")).await.has("delivered"));
    let (status, _) = webhook(
        &server,
        "/webhooks/sms/status",
        &[("MessageSid", "SMnope"), ("MessageStatus", "delivered")],
    )
    .await;
    assert_eq!(
        status, 404,
        "a callback for an unknown message is answered clearly"
    );
    // STOP is honoured: replies are refused, the typed text kept; START reopens.
    webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM3"),
            ("From", "+15550002222"),
            ("Body", "stop"),
        ],
    )
    .await;
    let p = adv
        .submit(
            &format!("/contacts/{id}"),
            &format!("/contacts/{id}/sms"),
            &[("body", "Are you still there?")],
        )
        .await;
    assert_eq!(p.status, 409);
    assert!(p.has("Are you still there?"));
    assert_eq!(sent.lock().unwrap().len(), 1);
    webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM4"),
            ("From", "+15550002222"),
            ("Body", "START"),
        ],
    )
    .await;
    let p = adv
        .submit(
            &format!("/contacts/{id}"),
            &format!("/contacts/{id}/sms"),
            &[("body", "Are you still there?")],
        )
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(sent.lock().unwrap().len(), 2);
    // Message bodies are encrypted at rest.
    assert_eq!(
        count(
            &d,
            "SELECT COUNT(*) FROM sms_messages WHERE body_enc LIKE '%passport%'"
        )
        .await,
        0
    );
    // Another texter asks for help in Spanish: answered in Spanish from then on, and the
    // contact is marked Spanish for the advocate.
    let (_, xml) = webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM30"),
            ("From", "+15550003333"),
            ("Body", "ayuda!"),
        ],
    )
    .await;
    assert!(
        xml.contains(&xml_text(
            &text("es", "sms.help").replace("%{number}", "110")
        )),
        "{xml}"
    );
    let (_, xml) = webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM31"),
            ("From", "+15550003333"),
            ("Body", "INFO"),
        ],
    )
    .await;
    assert!(
        xml.contains(&xml_text(
            &text("es", "sms.help").replace("%{number}", "110")
        )),
        "INFO keeps the conversation's language: {xml}"
    );
    let spanish: i64 = count(
        &d,
        "SELECT COUNT(*) FROM contacts WHERE channel = 'sms' AND language = 'es'",
    )
    .await;
    assert_eq!(spanish, 1);
    // "Stop." in a sentence's way is not the STOP keyword: replies stay possible.
    webhook(
        &server,
        "/webhooks/sms",
        &[
            ("MessageSid", "SM32"),
            ("From", "+15550003333"),
            ("Body", "Stop."),
        ],
    )
    .await;
    assert_eq!(
        count(
            &d,
            "SELECT COUNT(*) FROM sms_conversations WHERE opted_out = 1 AND language = 'es'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn only_frontline_roles_see_contacts() {
    let (_d, server) = hotline().await;
    for (email, password, allowed) in [
        ("adv@example.org", "frontline-pass-1", true),
        ("sup@example.org", "frontline-pass-1", true),
        ("cm@example.org", "frontline-pass-1", true),
        ("trainer@example.org", "frontline-pass-1", false),
        (ADMIN_EMAIL, ADMIN_PASSWORD, false),
    ] {
        let c = server.client();
        c.login(email, password).await;
        let expected = if allowed { 200 } else { 403 };
        assert_eq!(
            c.get("/contacts").await.status,
            expected,
            "{email} /contacts"
        );
        assert_eq!(c.get("/console").await.status, expected, "{email} /console");
    }
}

#[tokio::test]
async fn admins_edit_the_numbers_shown_to_the_public() {
    let (d, server) = hotline().await;
    // Before a backup number is set, the fallback gives the emergency number in each of the
    // hotline's languages, each in its own voice.
    let fallback = std::fs::read_to_string(d.dir.join("telephony-fallback.xml")).unwrap();
    for (locale, voice) in [("en", "en-US"), ("ja", "ja-JP"), ("es", "es-MX")] {
        let said = xml_text(&text(locale, "ivr.emergency").replace("%{number}", "110"));
        assert!(
            fallback.contains(&format!("<Say language=\"{voice}\">{said}</Say>")),
            "{locale}: {fallback}"
        );
    }
    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let t = admin.get("/admin/settings").await.csrf();
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("phone_number", "0120-111-222"),
                ("sms_number", "0120-333-444"),
                ("backup_number", "+81 3 0000 0000"),
                ("always_open", "on"),
                ("ring_seconds", "20"),
                ("api_base_url", "https://api.twilio.com"),
                (
                    "regions",
                    "north = Northern district | ja = 北部地区 | es = Distrito norte",
                ),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    // The tip form offers the region in the reader's language.
    let tip = Browser::with_language(&server.url, "ja").get("/tip").await;
    assert!(tip.has("北部地区"), "{}", tip.body);
    let tip = Browser::with_language(&server.url, "es").get("/tip").await;
    assert!(tip.has("Distrito norte"));
    // The settings page gives the same lines back.
    assert!(admin
        .get("/admin/settings")
        .await
        .has("north = Northern district | ja = 北部地区 | es = Distrito norte"));
    let home = server.client().get("/").await;
    assert!(home.has("0120-111-222") && home.has("0120-333-444"));
    // The fallback document dials the backup number.
    let fallback = std::fs::read_to_string(d.dir.join("telephony-fallback.xml")).unwrap();
    assert!(fallback.contains("<Dial>+81 3 0000 0000</Dial>"));
    // The added region is offered to advocates.
    assert!(advocate(&server)
        .await
        .get("/contacts")
        .await
        .has("Northern district"));
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("phone_number", "call us"),
                ("ring_seconds", "20"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("value=\"call us\""));
    // A label for a language given twice is refused, nothing stored.
    let p = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &t),
                ("ring_seconds", "20"),
                ("regions", "north = Northern | ja = 北部 | ja = 北"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(Browser::with_language(&server.url, "ja")
        .get("/tip")
        .await
        .has("北部地区"));
}
