//! Every bundled locale is complete, and pages speak the visitor's language.

use crate::support::*;

use hotline_app::config::BUNDLED_LOCALES as BUNDLED;

/// The texts that count (`key.one`, `key.other`, …) as `(group, form)`; `None` for others.
fn plural_form<'a>(
    key: &'a str,
    _en: &std::collections::BTreeMap<String, String>,
) -> Option<(&'a str, &'a str)> {
    hotline_app::i18n::plural_form_of(key)
}

#[test]
fn every_bundled_locale_has_every_key_with_the_same_placeholders() {
    let en = locale_file("en");
    // Texts that count need exactly the plural forms of each language.
    let en_plain: Vec<&String> = en
        .keys()
        .filter(|k| plural_form(k, &en).is_none())
        .collect();
    let groups: std::collections::BTreeSet<&str> = en
        .keys()
        .filter_map(|k| plural_form(k, &en))
        .map(|(g, _)| g)
        .collect();
    assert!(groups.contains("cli.doctor.problems"));
    for locale in BUNDLED {
        let other = locale_file(locale);
        let forms = hotline_app::i18n::plural::forms(locale);
        let missing: Vec<_> = en_plain
            .iter()
            .filter(|k| !other.contains_key(**k))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|k| !en.contains_key(*k) && plural_form(k, &en).is_none())
            .collect();
        assert!(missing.is_empty(), "{locale} lacks {missing:?}");
        assert!(extra.is_empty(), "{locale} has unknown keys {extra:?}");
        for group in &groups {
            let have: std::collections::BTreeSet<&str> = other
                .keys()
                .filter_map(|k| plural_form(k, &en))
                .filter(|(g, _)| g == group)
                .map(|(_, f)| f)
                .collect();
            assert_eq!(have, forms, "{locale}: the plural forms of {group}");
        }
        for (key, value) in &other {
            assert!(!value.trim().is_empty(), "{locale}: {key} is empty");
            let english = match plural_form(key, &en) {
                Some((group, _)) => &en[&format!("{group}.other")],
                None => &en[key],
            };
            // A plural form may say its number in words ("one problem").
            assert!(
                hotline_app::i18n::placeholders_fit(locale, key, value, english),
                "{locale}: {key} has other placeholders than English"
            );
        }
        if *locale != "en" {
            // Place names are often spelled alike (Alabama, Osaka).
            let same = other
                .iter()
                .filter(|(k, v)| !k.starts_with("region.") && en.get(*k) == Some(*v))
                .count();
            assert!(
                same * 20 < other.len(),
                "{locale}: {same} of {} strings are identical to English",
                other.len()
            );
        }
    }
}

#[test]
fn every_key_the_code_uses_exists() {
    let en = locale_file("en");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["app/src", "app/templates", "installer/src"] {
        collect(&root.join(dir), &mut files);
    }
    let prefixes = [
        "console.",
        "contact.",
        "tip.",
        "sms.",
        "ivr.",
        "settings.",
        "roster.",
        "crisis.",
        "nav.",
        "quick_exit.",
        "demo.",
        "emergency.",
        "public.",
        "login.",
        "staff.",
        "admin.",
        "notice.",
        "form.",
        "account.",
        "user.error.",
        "password.error.",
        "error.",
        "config.error.",
        "cli.",
        "outreach.",
        "goals.",
        "playbook_topic.",
        "training.",
        "roundtable.",
        "quiz.",
        "library.",
        "playbook.",
        "launch.",
        "workshop.",
        "practice.",
        "translation.",
        "directory.problem.",
        "toml.",
        "problem.",
        "size.",
        "generated.",
        "number.",
        "list.",
    ];
    let mut checked = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for piece in text.split('"').skip(1).step_by(2) {
            // Audit actions (`contact.view`) look like keys but are codes, never shown.
            if hotline_app::audit::ACTIONS.contains(&piece) {
                continue;
            }
            let looks_like_key = prefixes.iter().any(|p| piece.starts_with(p))
                && piece
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
                && !piece.ends_with('.')
                && !piece.ends_with(".html");
            if looks_like_key {
                checked += 1;
                let prefix = format!("{piece}.");
                assert!(
                    en.contains_key(piece) || en.keys().any(|k| k.starts_with(&prefix)),
                    "{}: key {piece} is not in en.yml",
                    f.display()
                );
            }
        }
    }
    assert!(checked > 100, "found only {checked} keys");
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[tokio::test]
async fn pages_follow_preference_then_accept_language_then_default() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    // Accept-Language among the deployment's locales.
    for (accept, locale) in [
        ("ja-JP,ja;q=0.9", "ja"),
        ("es-MX", "es"),
        ("en", "en"),
        ("fr, de", "en"),
    ] {
        let p = Browser::with_language(&server.url, accept).get("/").await;
        assert!(
            p.body.contains(&format!("<html lang=\"{locale}\"")),
            "{accept}"
        );
        assert!(p.has(&text(locale, "public.danger_title")), "{accept}");
        assert!(p.has(&text(locale, "public.intro")), "{accept}");
        assert!(
            p.has(&text(locale, "emergency.call").replace("%{number}", "110")),
            "{accept}"
        );
    }
    // The switcher offers every enabled language by its own name, and ?lang= wins.
    let c = Browser::with_language(&server.url, "en");
    let p = c.get("/").await;
    for name in ["English", "日本語", "Español"] {
        assert!(p.has(name));
    }
    let p = c.get("/?lang=es").await;
    assert!(p.body.contains("<html lang=\"es\""));
    assert!(
        p.body.contains("href=\"/login?lang=es\""),
        "the choice follows public links"
    );
    assert!(c
        .get("/login?lang=es")
        .await
        .has(&text("es", "login.title")));

    // A logged-in user's saved preference beats the browser's.
    c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c
        .submit(
            "/staff",
            "/language",
            &[("locale", "ja"), ("next", "/staff")],
        )
        .await;
    assert_eq!(p.status, 303);
    let p = c.get("/staff").await;
    assert!(p.body.contains("<html lang=\"ja\""));
    assert!(p.has(&text("ja", "staff.title")));
    assert!(p.has(&text("ja", "role.admin")));
    // Not an enabled language: refused, nothing saved.
    let p = c
        .submit(
            "/staff",
            "/language",
            &[("locale", "xx"), ("next", "/staff")],
        )
        .await;
    assert_eq!(p.status, 400);
    assert!(c.get("/staff").await.body.contains("<html lang=\"ja\""));
}

#[tokio::test]
async fn the_default_is_the_first_configured_locale() {
    let (d, out) = Deployment::init_with(&["--locales", "es,en", "--country", "MX"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let server = d.serve().await;
    let p = Browser::with_language(&server.url, "ja").get("/").await;
    assert!(p.body.contains("<html lang=\"es\""));
    assert!(p.has(&text("es", "emergency.call").replace("%{number}", "911")));
    assert!(!p.has("日本語"), "only enabled languages are offered");
}

#[tokio::test]
async fn local_overrides_replace_bundled_wording() {
    let d = Deployment::init(&[]);
    std::fs::write(
        d.dir.join("locales/en.yml"),
        "public:\n  intro: \"Our own words for the home page.\"\nno:\n  such_key: \"ignored\"\n\
         emergency:\n  call: \"Call the police.\"\n",
    )
    .unwrap();
    std::fs::write(d.dir.join("locales/es.yml"), "public: [broken\n").unwrap();
    let server = d.serve().await;
    let p = server.client().get("/").await;
    assert!(p.has("Our own words for the home page."));
    assert!(!p.has(&text("en", "public.intro")));
    // An override that drops the emergency number is refused; the bundled text stays.
    assert!(p.has("If you are in immediate danger, call 110."));
    assert!(!p.has("Call the police."));
    let doctor = stdout(&d.cli(&["doctor"]));
    assert!(
        doctor.contains(
            &text("en", "translation.problem.placeholders")
                .replace("%{key}", "emergency.call")
                .replace("%{placeholders}", "%{number}")
        ),
        "{doctor}"
    );
    assert!(
        doctor.contains(
            &text("en", "translation.problem.unknown_key").replace("%{key}", "no.such_key")
        ),
        "{doctor}"
    );
    // A broken file is named with its line.
    assert!(
        doctor.contains("es.yml: not valid YAML (line 2)"),
        "{doctor}"
    );
    // The same problems in the admin's language (HOTLINE_LANG=ja).
    let ja = stdout(&d.cli_env(&["doctor"], &[("HOTLINE_LANG", "ja")]));
    assert!(
        ja.contains(
            &text("ja", "translation.problem.unknown_key").replace("%{key}", "no.such_key")
        ),
        "{ja}"
    );
    // The broken Spanish file is skipped; the bundled Spanish still serves.
    let p = Browser::with_language(&server.url, "es").get("/").await;
    assert!(p.has(&text("es", "public.intro")));
}

const PW_ADVOCATE: &str = "advocate-password-1";

/// Adds a translation override row directly, as an earlier version of the kit would have
/// left it.
async fn stored_override(d: &Deployment, locale: &str, key: &str, text: &str, original: &str) {
    let db = d.db().await;
    sqlx::query(
        "INSERT INTO translation_overrides (locale, key, text, original, updated_at)
         VALUES ($1, $2, $3, $4, 0)",
    )
    .bind(locale)
    .bind(key)
    .bind(text)
    .bind(original)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE translation_state SET generation = generation + 1")
        .execute(&db.pool)
        .await
        .unwrap();
    db.close().await;
}

#[tokio::test]
async fn translation_overrides_take_effect_at_once_with_outdated_and_invalid_ones_flagged() {
    let d = Deployment::init(&[]);
    // Left by an earlier version: one whose original has changed since (outdated, still
    // used), one whose placeholders no longer match (invalid, not used).
    stored_override(
        &d,
        "en",
        "public.languages",
        "Interpreters in 20 languages, free.",
        "We can arrange an interpreter.",
    )
    .await;
    stored_override(
        &d,
        "en",
        "emergency.call",
        "In danger? Call the police.",
        &text("en", "emergency.call"),
    )
    .await;
    // A file override in the deployment's locales folder.
    std::fs::create_dir_all(d.dir.join("locales")).unwrap();
    std::fs::write(
        d.dir.join("locales/en.yml"),
        "public:\n  intro: \"From the file: we help everyone affected by trafficking.\"\n",
    )
    .unwrap();
    let server = d.serve().await;
    let public = server.client();
    let home = public.get("/").await;
    assert!(home.has("From the file: we help everyone affected by trafficking."));
    assert!(
        home.has("Interpreters in 20 languages, free."),
        "outdated: still used"
    );
    assert!(
        !home.has("In danger? Call the police."),
        "invalid: not used"
    );
    let bundled_call = text("en", "emergency.call");
    assert!(home.has(bundled_call.split("%{number}").next().unwrap()));

    let admin = server.client();
    admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let outdated = admin.get("/admin/translations?only=outdated").await;
    assert!(outdated.body.contains("<code>public.languages</code>"));
    assert!(!outdated.body.contains("<code>emergency.call</code>"));
    let invalid = admin.get("/admin/translations?only=invalid").await;
    assert!(invalid.body.contains("<code>emergency.call</code>"));
    let page = admin
        .get("/admin/translations/edit?locale=en&key=public.languages")
        .await;
    assert!(page.has(&text("en", "translation.saved_note.outdated")));

    // Search finds a key by its English words.
    let found = admin
        .get("/admin/translations?q=arrange+an+interpreter")
        .await;
    assert!(found.body.contains("<code>public.languages</code>"));

    // Saved on the page: in use at once, over the file.
    let form = "/admin/translations/edit?locale=en&key=public.intro";
    let saved = admin
        .submit(
            form,
            "/admin/translations/edit",
            &[
                ("key", "public.intro"),
                ("locale", "en"),
                (
                    "text",
                    "We help anyone touched by trafficking, 24 hours a day.",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let home = public.get("/").await;
    assert!(home.has("We help anyone touched by trafficking, 24 hours a day."));
    assert!(!home.has("From the file"));

    // A preview changes nothing; placeholders that differ are refused with the reason.
    let preview = admin
        .submit(
            "/admin/translations/edit?locale=en&key=emergency.call",
            "/admin/translations/edit",
            &[
                ("key", "emergency.call"),
                ("locale", "en"),
                ("text", "Danger now? Dial %{number} at once."),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("<mark>number</mark>"));
    assert!(!public.get("/").await.has("Danger now?"));
    let refused = admin
        .submit(
            "/admin/translations/edit?locale=en&key=emergency.call",
            "/admin/translations/edit",
            &[
                ("key", "emergency.call"),
                ("locale", "en"),
                ("text", "Danger now? Dial %{phone} at once."),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.has(
        &text("en", "translation.problem.placeholders")
            .replace("%{key}", "emergency.call")
            .replace("%{placeholders}", "%{number}")
    ));
    assert!(
        refused.has("Danger now? Dial %{phone} at once."),
        "the typed text stays"
    );
    assert!(!public.get("/").await.has("Danger now?"));

    // Japanese too, for Japanese visitors only.
    admin
        .submit(
            "/admin/translations/edit?locale=ja&key=public.reach_title",
            "/admin/translations/edit",
            &[
                ("key", "public.reach_title"),
                ("locale", "ja"),
                ("text", "ご相談はこちら"),
                ("action", "save"),
            ],
        )
        .await;
    assert!(server.client().get("/?lang=ja").await.has("ご相談はこちら"));
    assert!(!public.get("/").await.has("ご相談はこちら"));

    // Revert: the file's wording is back (files come before the bundled text).
    admin
        .submit(
            form,
            "/admin/translations/edit",
            &[
                ("key", "public.intro"),
                ("locale", "en"),
                ("text", ""),
                ("action", "revert"),
            ],
        )
        .await;
    assert!(public
        .get("/")
        .await
        .has("From the file: we help everyone affected by trafficking."));

    // Saved by another server process (straight into the database): this one follows.
    stored_override(
        &d,
        "en",
        "public.reach_title",
        "Talk to us",
        &text("en", "public.reach_title"),
    )
    .await;
    let mut followed = false;
    for _ in 0..40 {
        if public.get("/").await.has("Talk to us") {
            followed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(followed, "a change made elsewhere is in use within seconds");

    // A change whose key a later version dropped: listed as not used, and can be reverted.
    stored_override(&d, "en", "old.gone_key", "Gone", "Was here").await;
    let invalid = admin.get("/admin/translations?only=invalid").await;
    assert!(invalid.body.contains("<code>old.gone_key</code>"));
    let gone = admin
        .get("/admin/translations/edit?locale=en&key=old.gone_key")
        .await;
    assert_eq!(gone.status, 200);
    let reverted = admin
        .submit(
            "/admin/translations/edit?locale=en&key=old.gone_key",
            "/admin/translations/edit",
            &[
                ("key", "old.gone_key"),
                ("locale", "en"),
                ("text", ""),
                ("action", "revert"),
            ],
        )
        .await;
    assert_eq!(reverted.status, 303);
    assert!(!admin
        .get("/admin/translations?only=invalid")
        .await
        .body
        .contains("old.gone_key"));

    // The audit trail has the changes; advocates have no translations page.
    let audit = admin.get("/admin/audit").await;
    assert!(audit.has("translation.save") && audit.has("translation.revert"));
    d.add_users(PW_ADVOCATE, &[("adv@example.org", "advocate")]);
    let advocate = server.client();
    advocate.login("adv@example.org", PW_ADVOCATE).await;
    assert_eq!(advocate.get("/admin/translations").await.status, 403);
    let refused = advocate
        .post(
            "/admin/translations/edit",
            &[
                ("key", "public.intro"),
                ("locale", "en"),
                ("text", "x"),
                ("action", "save"),
            ],
        )
        .await;
    assert!(
        refused.status == 403 || refused.status == 400,
        "{}",
        refused.status
    );
}

#[tokio::test]
async fn a_language_added_from_the_cli_appears_in_the_switcher_and_the_coverage() {
    let d = Deployment::init(&[]);
    // A bundled code or a malformed one is refused.
    let out = d.cli(&["locale", "add", "fr"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&text("en", "cli.locale.bundled").replace("%{code}", "fr")));
    let out = d.cli(&["locale", "add", "Swahili!"]);
    assert!(!out.status.success());

    let out = d.cli(&["locale", "add", "sw"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = d.dir.join("locales/sw.yml");
    let template = std::fs::read_to_string(&path).unwrap();
    // Every key, each with its English original beside it, all empty.
    let en = locale_file("en");
    for (key, english) in en.iter().take(50) {
        assert!(template.contains(&format!("\"{key}\": \"\"")), "{key}");
        assert!(template.contains(&format!("# {}", english.lines().next().unwrap_or(""))));
    }
    assert_eq!(template.matches(": \"\"\n").count(), en.len());
    // Adding it twice keeps the translator's work.
    assert!(!d.cli(&["locale", "add", "sw"]).status.success());

    // A few texts translated; the rest fall back.
    let filled = template
        .replacen(
            "\"language.name\": \"\"",
            "\"language.name\": \"Kiswahili\"",
            1,
        )
        .replacen(
            "\"public.danger_title\": \"\"",
            "\"public.danger_title\": \"Uko hatarini sasa hivi?\"",
            1,
        );
    std::fs::write(&path, filled).unwrap();
    let listed = stdout(&d.cli(&["locale", "list"]));
    let sw = listed
        .lines()
        .find(|l| l.starts_with("sw "))
        .expect("sw listed");
    // Counts in the admin's number format (1,756).
    let total = hotline_app::i18n::format_number("en", en.len() as i64);
    assert!(sw.contains(&format!("2 of {total}")), "{sw}");
    assert!(sw.contains(&text("en", "cli.locale.not_offered")), "{sw}");
    let ja = listed.lines().find(|l| l.starts_with("ja ")).unwrap();
    assert!(ja.contains("(100%)"), "{ja}");
    assert!(
        d.cli(&["locale", "check"]).status.success(),
        "not offered yet: no problem"
    );

    // Offered: in the switcher, served, and incomplete for `check`.
    d.edit_config(
        "locales = [\"en\", \"ja\", \"es\"]",
        "locales = [\"en\", \"ja\", \"es\", \"sw\"]",
    );
    let check = d.cli(&["locale", "check"]);
    assert!(
        !check.status.success(),
        "an offered language with missing texts"
    );
    let server = d.serve().await;
    let home = server.client().get("/").await;
    assert!(home.has("Kiswahili"), "the switcher offers it");
    let sw_home = server.client().get("/?lang=sw").await;
    assert!(sw_home.body.contains("<html lang=\"sw\""));
    assert!(sw_home.has("Uko hatarini sasa hivi?"));
    // Untranslated texts come in the default language.
    assert!(sw_home.has(&text("en", "public.reach_title")));
    let browser = Browser::with_language(&server.url, "sw-KE").get("/").await;
    assert!(browser.has("Uko hatarini sasa hivi?"));
    // An account may keep it as its language.
    let pw = d.scratch_file("sw-pw", "swahili-password-1\n");
    let out = d.cli(&[
        "user",
        "add",
        "--email",
        "amani@example.org",
        "--name",
        "Amani",
        "--role",
        "advocate",
        "--locale",
        "sw",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let amani = server.client();
    amani.login("amani@example.org", "swahili-password-1").await;
    assert!(amani.get("/staff").await.body.contains("<html lang=\"sw\""));
}

#[test]
fn a_language_round_trips_through_xliff_and_yaml_and_broken_files_are_refused() {
    let d = Deployment::init(&[]);
    assert!(d.cli(&["locale", "add", "sw"]).status.success());
    let path = d.dir.join("locales/sw.yml");
    let template = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        template
            .replacen(
                "\"language.name\": \"\"",
                "\"language.name\": \"Kiswahili\"",
                1,
            )
            .replacen(
                "\"emergency.call\": \"\"",
                "\"emergency.call\": \"Ukiwa hatarini, piga %{number} <sasa> & \\\"haraka\\\".\"",
                1,
            ),
    )
    .unwrap();

    // XLIFF out, into another deployment, and out again: the same file.
    let xlf = d.dir.join("sw.xlf");
    let out = d.cli(&["locale", "export", "sw", "--out", xlf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let exported = std::fs::read_to_string(&xlf).unwrap();
    assert!(exported.contains("trgLang=\"sw\""));
    assert!(exported.contains("<unit id=\"emergency.call\">"));
    assert!(
        exported.contains("&lt;sasa&gt; &amp;"),
        "escaped: {}",
        &exported[..400]
    );
    let other = Deployment::init(&[]);
    let out = other.cli(&["locale", "import", xlf.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = other.dir.join("again.xlf");
    other.cli(&["locale", "export", "sw", "--out", again.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), exported);

    // YAML too.
    let yml = d.dir.join("sw-out.yml");
    d.cli(&["locale", "export", "sw", "--out", yml.to_str().unwrap()]);
    let third = Deployment::init(&[]);
    let out = third.cli(&["locale", "import", yml.to_str().unwrap(), "--locale", "sw"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let yml_again = third.dir.join("again.yml");
    third.cli(&[
        "locale",
        "export",
        "sw",
        "--out",
        yml_again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read_to_string(&yml_again).unwrap(),
        std::fs::read_to_string(&yml).unwrap()
    );

    // A bundled language: only what differs from the bundled text is kept.
    let ja = d.dir.join("ja.xlf");
    d.cli(&["locale", "export", "ja", "--out", ja.to_str().unwrap()]);
    let whole = std::fs::read_to_string(&ja).unwrap();
    let unit = whole.find("<unit id=\"public.reach_title\">").unwrap();
    let start = unit + whole[unit..].find("<target>").unwrap() + "<target>".len();
    let end = start + whole[start..].find("</target>").unwrap();
    let changed = format!("{}ご相談窓口{}", &whole[..start], &whole[end..]);
    std::fs::write(&ja, changed).unwrap();
    assert!(other
        .cli(&["locale", "import", ja.to_str().unwrap()])
        .status
        .success());
    let kept = std::fs::read_to_string(other.dir.join("locales/ja.yml")).unwrap();
    assert!(
        kept.contains("\"public.reach_title\": \"ご相談窓口\""),
        "{kept}"
    );
    assert_eq!(kept.lines().filter(|l| l.starts_with('"')).count(), 1);

    // Broken files: named with their line, nothing written, the earlier file intact.
    let before = std::fs::read_to_string(other.dir.join("locales/sw.yml")).unwrap();
    let broken = d.dir.join("broken.xlf");
    std::fs::write(&broken, exported.replacen("</target>", "</targ>", 1)).unwrap();
    let out = other.cli(&["locale", "import", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&text("en", "cli.locale.import_refused")),
        "{err}"
    );
    assert!(err.contains("broken.xlf:"), "{err}");
    assert!(err.contains("not valid XML"), "{err}");
    // Where, and what to look at; not the XML parser's English.
    assert!(err.contains("the XML is not well-formed"), "{err}");
    assert!(!err.contains("expected `"), "{err}");
    let wrong = d.dir.join("wrong.yml");
    std::fs::write(
        &wrong,
        "\"public.intro\": \"fine\"\n\"emergency.call\": \"no number here\"\n\"no.such\": \"x\"\n",
    )
    .unwrap();
    let out = other.cli(&[
        "locale",
        "import",
        wrong.to_str().unwrap(),
        "--locale",
        "sw",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("wrong.yml:2:") && err.contains("%{number}"),
        "{err}"
    );
    assert!(
        err.contains("wrong.yml:3:") && err.contains("no.such"),
        "{err}"
    );
    let bad_yaml = d.dir.join("bad.yml");
    std::fs::write(&bad_yaml, "\"public.intro\": [unclosed\n").unwrap();
    let out = other.cli(&[
        "locale",
        "import",
        bad_yaml.to_str().unwrap(),
        "--locale",
        "sw",
    ]);
    assert!(stderr(&out).contains("bad.yml:"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(other.dir.join("locales/sw.yml")).unwrap(),
        before
    );
}
