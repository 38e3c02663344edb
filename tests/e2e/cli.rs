//! `hotline init`, `doctor`, `migrate`, `user`, `demo`, `--help`, completions, shutdown.

use std::os::unix::fs::PermissionsExt;

use crate::support::*;

#[tokio::test]
async fn init_writes_a_complete_private_deployment() {
    let d = Deployment::init(&[
        "--emergency-number",
        "110",
        "--phone-number",
        "0120-000-111",
    ]);
    let toml = std::fs::read_to_string(d.dir.join("hotline.toml")).unwrap();
    assert!(toml.contains("name = \"Test Hotline\""));
    assert!(toml.contains("country = \"JP\""));
    assert!(toml.contains("locales = [\"en\", \"ja\", \"es\"]"));
    assert!(toml.contains("timezone = \"Asia/Tokyo\""));
    assert!(toml.contains("emergency_number = \"110\""));
    assert!(toml.contains("# "), "the config is commented");
    for key in ["field-encryption.key", "blind-index.key", "csrf.key"] {
        let mode = std::fs::metadata(d.dir.join("secrets").join(key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{key}");
    }
    let mode = std::fs::metadata(d.dir.join("secrets"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    let mode = std::fs::metadata(d.dir.join("hotline.toml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "hotline.toml may hold a database password"
    );
    for sub in ["data", "backups", "locales", "playbooks"] {
        assert!(d.dir.join(sub).is_dir(), "{sub}");
    }
    // The static document a telephony provider falls back to when the app cannot answer.
    let fallback = std::fs::read_to_string(d.dir.join("telephony-fallback.xml")).unwrap();
    assert!(fallback.contains("<Response>"));
    assert!(fallback.contains("If you are in immediate danger, hang up and call 110."));
    // The first admin really exists and can log in.
    let list = d.cli(&["user", "list"]);
    assert!(list.status.success());
    assert!(stdout(&list).contains(ADMIN_EMAIL));
    assert!(stdout(&list).contains("admin"));
    // A fresh deployment passes every check.
    let doc = d.cli(&["doctor"]);
    assert!(doc.status.success(), "{}", stdout(&doc));
    assert!(stdout(&doc).contains("Everything looks fine."));
    if d.pg.is_none() {
        assert!(stdout(&doc).contains("WAL"));
    }
}

#[tokio::test]
async fn init_generates_and_prints_a_password_when_none_is_given() {
    let (d, out) = Deployment::init_with(&["--admin-email", "boss@example.org"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let password = printed_password(&stdout(&out));
    assert_eq!(password.len(), 24);
    // Defaults were used without a terminal.
    let toml = std::fs::read_to_string(d.dir.join("hotline.toml")).unwrap();
    assert!(toml.contains("listen = \"127.0.0.1:8080\""));
    let server = d.serve().await;
    server.client().login("boss@example.org", &password).await;
}

#[tokio::test]
async fn init_refuses_an_existing_deployment_and_changes_nothing() {
    let d = Deployment::init(&[]);
    let before = std::fs::read_to_string(d.dir.join("hotline.toml")).unwrap();
    let key_before = std::fs::read(d.dir.join("secrets/csrf.key")).unwrap();
    let out = hotline(&["init", &d.dir_str(), "--country", "US"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(d.dir.join("hotline.toml")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(d.dir.join("secrets/csrf.key")).unwrap(),
        key_before
    );
}

fn assert_refused_and_clean(args: &[&str], expected: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-hotline");
    let mut v = vec!["init", dir.to_str().unwrap()];
    v.extend_from_slice(args);
    let out = hotline(&v);
    assert!(!out.status.success(), "init {args:?} should fail");
    assert!(
        stderr(&out).contains(expected),
        "init {args:?}: expected {expected:?} in {}",
        stderr(&out)
    );
    assert!(!dir.exists(), "no deployment left behind");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(
        leftovers.is_empty(),
        "no half-made folder left: {leftovers:?}"
    );
}

#[test]
fn init_validates_every_value() {
    assert_refused_and_clean(&["--country", "XX"], "\"XX\" is not an ISO 3166-1");
    assert_refused_and_clean(&["--locales", "en,zz"], "\"zz\" is not a bundled language");
    assert_refused_and_clean(
        &["--timezone", "Mars/Olympus"],
        "\"Mars/Olympus\" is not a known time zone",
    );
    assert_refused_and_clean(&["--emergency-number", "call me"], "is not a phone number");
    assert_refused_and_clean(&["--listen", "localhost"], "is not an address and port");
    assert_refused_and_clean(&["--admin-email", "not-an-email"], "valid email");
    assert_refused_and_clean(
        &[
            "--database-url",
            "postgres://nobody:secret@127.0.0.1:9/none",
        ],
        "Cannot reach the database postgres://nobody:***@127.0.0.1:9/none",
    );
    assert_refused_and_clean(
        &["--database-url", "mysql://x/y"],
        "not a supported database URL",
    );
}

#[test]
fn init_rejects_a_weak_password_file() {
    let tmp = tempfile::tempdir().unwrap();
    let pw = tmp.path().join("pw");
    std::fs::write(&pw, "short\n").unwrap();
    let dir = tmp.path().join("h");
    let out = hotline(&[
        "init",
        dir.to_str().unwrap(),
        "--admin-password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("at least 12 characters"));
    assert!(!dir.exists());
}

#[test]
fn messages_follow_the_admins_language() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("h");
    let out = hotline_env(
        &["init", dir.to_str().unwrap(), "--country", "XX"],
        &[("HOTLINE_LANG", "ja")],
    );
    assert!(!out.status.success());
    let expected = text("ja", "config.error.country").replace("%{value}", "XX");
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    let out = hotline_env(
        &["doctor", "--dir", tmp.path().to_str().unwrap()],
        &[("HOTLINE_LANG", ""), ("LANG", "es_MX.UTF-8")],
    );
    assert!(!out.status.success());
    assert!(stdout(&out).contains(
        &text("es", "cli.doctor.checking").replace("%{dir}", tmp.path().to_str().unwrap())
    ));
}

#[tokio::test]
async fn commands_find_the_deployment_by_flag_variable_or_current_folder() {
    let d = Deployment::init(&[]);
    let by_env = std::process::Command::new(BIN)
        .args(["user", "list"])
        .env("HOTLINE_DIR", &d.dir)
        .env("HOTLINE_LANG", "en")
        .output()
        .unwrap();
    assert!(stdout(&by_env).contains(ADMIN_EMAIL));
    let by_cwd = std::process::Command::new(BIN)
        .args(["user", "list"])
        .current_dir(&d.dir)
        .env_remove("HOTLINE_DIR")
        .env("HOTLINE_LANG", "en")
        .output()
        .unwrap();
    assert!(stdout(&by_cwd).contains(ADMIN_EMAIL));
    let nowhere = tempfile::tempdir().unwrap();
    let none = std::process::Command::new(BIN)
        .args(["serve"])
        .current_dir(nowhere.path())
        .env_remove("HOTLINE_DIR")
        .env("HOTLINE_LANG", "en")
        .output()
        .unwrap();
    assert!(!none.status.success());
    assert!(stderr(&none).contains("No hotline deployment here"));
}

#[tokio::test]
async fn doctor_names_each_problem() {
    let d = Deployment::init(&[]);
    let key = d.dir.join("secrets/field-encryption.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(d.dir.join("locales/ja.yml"), "public: [broken\n").unwrap();
    let out = d.cli(&["doctor"]);
    assert!(!out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("field-encryption.key can be read by other users"),
        "{text}"
    );
    assert!(text.contains("locales/ja.yml"), "{text}");
    assert!(text.contains("2 problems found."), "{text}");
    // serve refuses to run with a readable key, naming the fix.
    let serve = d.cli(&["serve"]);
    assert!(!serve.status.success());
    assert!(stderr(&serve).contains("chmod 600"), "{}", stderr(&serve));
}

#[test]
fn without_a_name_the_hotline_is_named_in_its_first_language() {
    let (d, out) = Deployment::init_with(&[
        "--country",
        "JP",
        "--locales",
        "ja,en",
        "--timezone",
        "Asia/Tokyo",
        "--admin-email",
        "admin@example.org",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = std::fs::read_to_string(d.dir.join("hotline.toml")).unwrap();
    let name = text("ja", "cli.init.default_name");
    assert!(toml.contains(&format!("name = \"{name}\"")), "{toml}");
}

#[test]
fn the_files_init_writes_are_commented_in_the_admins_language() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("h");
    let out = hotline_env(
        &[
            "init",
            dir.to_str().unwrap(),
            "--country",
            "MX",
            "--locales",
            "es,en",
            "--timezone",
            "America/Mexico_City",
            "--admin-email",
            "admin@example.org",
        ],
        &[("HOTLINE_LANG", "es")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let toml = std::fs::read_to_string(dir.join("hotline.toml")).unwrap();
    let first = text("es", "generated.config.name");
    assert!(toml.contains(&format!("# {first}")), "{toml}");
    assert!(!toml.contains("The name callers and staff see"), "{toml}");
    // Still the same settings, read back as they were written.
    assert!(toml.contains("locales = [\"es\", \"en\"]"), "{toml}");
    let readme = std::fs::read_to_string(dir.join("locales/README.txt")).unwrap();
    assert!(
        readme.starts_with(
            text("es", "generated.locales_readme")
                .lines()
                .next()
                .unwrap()
        ),
        "{readme}"
    );
    // Without --name, the hotline is named in its first language.
    let name = text("es", "cli.init.default_name");
    assert!(toml.contains(&format!("name = \"{name}\"")), "{toml}");
}

#[test]
fn failures_of_files_and_addresses_are_explained_in_the_admins_language() {
    let d = Deployment::init(&[]);
    let missing = d.dir.join("no-such-bundle.zip");
    let out = d.cli_env(
        &["bundle", "import", missing.to_str().unwrap()],
        &[("HOTLINE_LANG", "ja")],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&text("ja", "problem.io.not_found")), "{err}");
    assert!(!err.contains("No such file"), "{err}");
    // A port another program holds.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = d.cli_env(&["serve", "--listen", &addr], &[("HOTLINE_LANG", "fr")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&text("fr", "problem.io.addr_in_use")), "{err}");
    assert!(!err.contains("Address already in use"), "{err}");
    // A directory export into a folder that cannot be written.
    let out = d.cli_env(
        &["directory", "export", "--out", "/proc/hotline.json"],
        &[("HOTLINE_LANG", "es")],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(!err.contains("os error"), "{err}");
}

#[tokio::test]
async fn a_malformed_config_is_named_and_refused() {
    let d = Deployment::init(&[]);
    d.edit_config("[server]", "[server\n");
    for cmd in [&["doctor"][..], &["serve"][..], &["migrate"][..]] {
        let out = d.cli(cmd);
        assert!(!out.status.success(), "{cmd:?}");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains("hotline.toml, line "), "{cmd:?}: {all}");
        assert!(
            all.contains("this line is not valid TOML"),
            "{cmd:?}: {all}"
        );
    }
    // In the admin's language, without the TOML parser's English.
    let ja = d.cli_env(&["doctor"], &[("HOTLINE_LANG", "ja")]);
    let all = format!("{}{}", stdout(&ja), stderr(&ja));
    assert!(all.contains("この行は正しい TOML ではありません"), "{all}");
    assert!(!all.contains("invalid table header"), "{all}");
    // A misspelt setting is named, with the settings known there.
    let d = Deployment::init(&[]);
    d.edit_config("country = ", "contry = ");
    let out = d.cli_env(&["serve"], &[("HOTLINE_LANG", "es")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("\"contry\" no es un ajuste conocido aquí"),
        "{err}"
    );
    assert!(err.contains("country"), "{err}");
    let d = Deployment::init(&[]);
    d.edit_config("country = \"JP\"", "country = \"Japan\"");
    let out = d.cli(&["serve"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("\"Japan\" is not an ISO 3166-1"));
}

#[tokio::test]
async fn migrate_reports_an_up_to_date_database() {
    let d = Deployment::init(&[]);
    let out = d.cli(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("The database is up to date."));
}

#[tokio::test]
async fn user_commands_manage_accounts() {
    let d = Deployment::init(&[]);
    let pw = d.scratch_file("pw", "advocate-password-1\n");
    let add = d.cli(&[
        "user",
        "add",
        "--email",
        "Ana@Example.org",
        "--name",
        "Ana",
        "--role",
        "advocate",
        "--password-file",
        pw.to_str().unwrap(),
    ]);
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(stdout(&add).contains("Created ana@example.org (Hotline advocate, advocate)."));
    let again = d.cli(&[
        "user",
        "add",
        "--email",
        "ana@example.org",
        "--name",
        "Ana 2",
        "--role",
        "advocate",
    ]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"));
    let bad = d.cli(&[
        "user",
        "add",
        "--email",
        "x@example.org",
        "--name",
        "X",
        "--role",
        "root",
    ]);
    assert!(stderr(&bad).contains("\"root\" is not a role"));

    let server = d.serve().await;
    let ana = server.client();
    ana.login("ana@example.org", "advocate-password-1").await;
    assert_eq!(ana.get("/staff").await.status, 200);

    // Disabling ends the running session and blocks new logins.
    let dis = d.cli(&["user", "disable", "ana@example.org"]);
    assert!(dis.status.success(), "{}", stderr(&dis));
    let p = ana.get("/staff").await;
    assert_eq!(p.status, 303);
    assert!(p.location.unwrap().starts_with("/login"));
    let retry = server
        .client()
        .try_login("ana@example.org", "advocate-password-1")
        .await;
    assert_eq!(retry.status, 401);

    // Enabling and resetting the password: the new one works, the old one does not.
    assert!(d
        .cli(&["user", "enable", "ana@example.org"])
        .status
        .success());
    let reset = d.cli(&["user", "reset-password", "ana@example.org"]);
    assert!(reset.status.success());
    let new_pw = printed_password(&stdout(&reset));
    assert_eq!(
        server
            .client()
            .try_login("ana@example.org", "advocate-password-1")
            .await
            .status,
        401
    );
    server.client().login("ana@example.org", &new_pw).await;

    let list = stdout(&d.cli(&["user", "list"]));
    assert!(list.contains("ana@example.org"));
    let missing = d.cli(&["user", "disable", "nobody@example.org"]);
    assert!(stderr(&missing).contains("There is no account nobody@example.org."));
}

#[tokio::test]
async fn serve_stops_gracefully_on_sigterm() {
    let d = Deployment::init(&[]);
    let server = d.serve().await;
    assert_eq!(server.client().get("/healthz").await.body, "ok");
    let status = server.terminate().await;
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn demo_seeds_every_role_and_serves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let server = Server::start(
        &["demo", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"],
        &[],
    )
    .await;
    let out = server.output.join("\n");
    let password = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("password for all: "))
        .expect("the demo prints its password")
        .to_string();
    for role in [
        "admin",
        "supervisor",
        "advocate",
        "case_manager",
        "trainer",
        "analyst",
    ] {
        assert!(out.contains(role), "{role} login printed: {out}");
    }
    let home = server.client().get("/").await;
    assert!(home.has("Demo hotline: every person and record here is fictional."));
    assert!(home.has("Demo Anti-Trafficking Hotline"));
    let sup = server.client();
    sup.login("supervisor@demo.hotline.test", &password).await;
    assert_eq!(sup.get("/admin/audit").await.status, 200);
    // Fictional contacts and cases to work with.
    let contacts = sup.get("/contacts").await;
    assert!(contacts.body.matches("href=\"/contacts/").count() >= 50);
    let cases = sup.get("/cases").await;
    assert!(
        cases.body.matches("US-20").count() >= 30,
        "demo cases are listed"
    );
    assert_eq!(sup.get("/admin/users").await.status, 403);
    // Outreach to show on the program goals page.
    let trainer = server.client();
    trainer.login("trainer@demo.hotline.test", &password).await;
    let page = trainer.get("/outreach/consultations").await;
    assert!(page.has("Demo Hotline Partners, Manila"), "{}", page.body);
    let trainings = trainer.get("/training").await;
    assert!(trainings.has("Recognising trafficking: police first responders"));
    let roundtables = trainer.get("/roundtables").await;
    assert!(roundtables.has("Identifying victims in hospitals"));
    let library = trainer.get("/library").await;
    assert!(
        library.has("Joint visits with labour inspectors")
            && library.has("Demo referral protocol for hospitals (draft)")
    );
    let resources = server.client().get("/resources").await;
    assert!(resources.has("UNODC Global Report on Trafficking in Persons"));
    assert!(!resources.has("Demo referral protocol for hospitals (draft)"));
    let goals = trainer.get("/goals").await;
    assert!(goals.has(&text("en", "goals.metric.international_organizations")));
    assert!(!goals
        .body
        .contains("International organisations reached</th><td>0</td>"));
    // A workshop to present, launch-plan progress, and practice calls to take.
    let workshops = trainer.get("/workshops").await;
    assert!(workshops.has("Launching a national hotline: first consultation"));
    let launch = trainer.get("/launch").await;
    assert!(launch.has("Dana Reyes"), "an overdue item and its owner");
    assert!(launch.has(&text("en", "launch.overdue_title")));
    let marker = "max=\"100\" value=\"";
    let at = launch.body.find(marker).unwrap() + marker.len();
    let overall: usize = launch.body[at..]
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(overall > 0, "some launch items are done");
    let advocate = server.client();
    advocate
        .login("advocate@demo.hotline.test", &password)
        .await;
    let practice = advocate.get("/practice").await;
    assert!(practice
        .body
        .contains("/practice/scenarios/crisis-locked-in/start"));
}

#[test]
fn help_version_and_completions() {
    let help = hotline(&["--help"]);
    assert!(help.status.success());
    let text = stdout(&help);
    for word in [
        "init",
        "serve",
        "demo",
        "user",
        "migrate",
        "doctor",
        "playbook",
        "locale",
        "Examples:",
    ] {
        assert!(text.contains(word), "--help mentions {word}");
    }
    let version = hotline(&["--version"]);
    assert!(stdout(&version).contains(env!("CARGO_PKG_VERSION")));
    let comp = hotline(&["completions", "bash"]);
    assert!(comp.status.success());
    assert!(stdout(&comp).contains("_hotline"));
}

#[test]
fn help_and_command_line_mistakes_in_the_admins_language() {
    // Every bundled language: the overview names each command in that language.
    for locale in hotline_app::config::BUNDLED_LOCALES {
        let out = hotline_env(&["--help"], &[("HOTLINE_LANG", locale)]);
        assert!(out.status.success(), "{locale}");
        let help = stdout(&out);
        for key in [
            "cli.help.cmd.about",
            "cli.help.usage",
            "cli.help.commands",
            "cli.help.cmd.user.about",
            "cli.help.cmd.locale.about",
            "cli.help.flag_help",
        ] {
            let want = text(locale, key);
            // Long lines may be wrapped at the terminal's width: compare the first words.
            let start: String = want.chars().take(12).collect();
            assert!(help.contains(&start), "{locale}: {key} ({want}) in\n{help}");
        }
    }
    let ja = stdout(&hotline_env(&["--help"], &[("HOTLINE_LANG", "ja")]));
    assert!(!ja.contains("Manage staff accounts"), "{ja}");
    // `help COMMAND` and `COMMAND --help` say the same, in French here.
    let a = hotline_env(&["help", "user", "add"], &[("HOTLINE_LANG", "fr")]);
    let b = hotline_env(&["user", "add", "--help"], &[("HOTLINE_LANG", "fr")]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(stdout(&a), stdout(&b));
    let fr = stdout(&a);
    let about: String = text("fr", "cli.help.cmd.user.add.about")
        .chars()
        .take(20)
        .collect();
    assert!(fr.contains(&about), "{fr}");
    assert!(fr.contains("--role"), "{fr}");
    // A mistyped command: refused with exit code 2, the nearest command suggested.
    let out = hotline_env(&["user", "ad"], &[("HOTLINE_LANG", "es")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&text("es", "cli.help.error.unknown_command").replace("%{name}", "ad")),
        "{err}"
    );
    assert!(
        err.contains(&text("es", "cli.help.error.did_you_mean").replace("%{suggestion}", "add")),
        "{err}"
    );
    assert!(!err.contains("unrecognized"), "{err}");
    // A mistyped option and a missing value, in Arabic and Japanese.
    let out = hotline_env(&["user", "add", "--emial", "x"], &[("HOTLINE_LANG", "ar")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("--email"), "{err}");
    assert!(err.contains(&text("ar", "cli.help.usage")), "{err}");
    let out = hotline_env(&["demo", "--no-serve"], &[("HOTLINE_LANG", "ja")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&text("ja", "cli.help.error.missing_argument").replace("%{args}", "<DIR>")),
        "{err}"
    );
    let out = hotline_env(&["help", "nothing"], &[("HOTLINE_LANG", "en")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"nothing\" is not a command."));
    // Shell completions describe the commands in the admin's language too.
    let zsh = stdout(&hotline_env(
        &["completions", "zsh"],
        &[("HOTLINE_LANG", "ja")],
    ));
    assert!(
        zsh.contains(&text("ja", "cli.help.cmd.doctor.about")),
        "{zsh}"
    );
}

#[test]
fn init_in_a_terminal_asks_for_each_value_and_re_asks_on_mistakes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("h");
    let pg = postgres_url().map(|u| PgDatabase::create(&u));
    let db_flag = pg
        .as_ref()
        .map(|p| format!(" --database-url {}", p.url))
        .unwrap_or_default();
    // `script` gives the CLI a terminal; the answers arrive on it line by line.
    let answers = "Línea Nacional\nXX\nMX\nes,en\nAmerica/Mexico_City\n\n800 123 4567\n\n\n\n\nadmin@example.org\n";
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{BIN} init {}{db_flag}", dir.display()),
            "/dev/null",
        ])
        .env("HOTLINE_LANG", "en")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux is available");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Hotline name [National Anti-Trafficking Hotline]:"));
    assert!(
        text.contains("\"XX\" is not an ISO 3166-1"),
        "a bad answer is explained: {text}"
    );
    assert!(
        text.contains("Emergency number [911]:"),
        "the default follows the country"
    );
    let toml = std::fs::read_to_string(dir.join("hotline.toml")).unwrap();
    assert!(toml.contains("name = \"Línea Nacional\""));
    assert!(toml.contains("country = \"MX\""));
    assert!(toml.contains("locales = [\"es\", \"en\"]"));
    assert!(toml.contains("timezone = \"America/Mexico_City\""));
    assert!(toml.contains("emergency_number = \"911\""));
    // The public numbers are operational settings, kept in the database.
    let cfg = hotline_app::Config::load(&dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ops = rt.block_on(async {
        let db = hotline_app::Db::connect(&cfg.resolved_database_url(&dir))
            .await
            .unwrap();
        hotline_app::settings::load(&db).await.unwrap()
    });
    assert_eq!(ops.phone_number, "800 123 4567");
    assert_eq!(ops.sms_number, "");
    assert!(toml.contains("listen = \"127.0.0.1:8080\""));
}

#[tokio::test]
async fn a_lost_database_file_is_reported_not_replaced() {
    let d = Deployment::init(&[]);
    if d.pg.is_some() {
        return; // SQLite only: PostgreSQL databases are not files.
    }
    std::fs::remove_file(d.dir.join("data/hotline.db")).unwrap();
    for cmd in [&["serve"][..], &["doctor"][..], &["user", "list"][..]] {
        let out = d.cli(cmd);
        assert!(!out.status.success(), "{cmd:?}");
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains("hotline.db does not exist"), "{cmd:?}: {all}");
        assert!(
            all.contains("restore data/ from a backup"),
            "{cmd:?}: {all}"
        );
    }
    assert!(
        !d.dir.join("data/hotline.db").exists(),
        "no empty database was created"
    );
}

#[test]
fn demo_without_serving_needs_a_folder() {
    let out = hotline(&["demo", "--no-serve"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[DIR]") || stderr(&out).contains("<DIR>"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn numbers_from_an_early_hotline_toml_move_into_the_settings() {
    let d = Deployment::init(&[]);
    d.edit_config(
        "emergency_number = \"110\"",
        "emergency_number = \"110\"\nphone_number = \"0120-999-000\"",
    );
    // A deployment from before the settings existed has no settings saved.
    let db = d.db().await;
    sqlx::query("DELETE FROM settings")
        .execute(&db.pool)
        .await
        .unwrap();
    db.close().await;
    let server = d.serve().await;
    assert!(server.client().get("/").await.has("0120-999-000"));
}
