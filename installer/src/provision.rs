//! Provisioning: `hotline init` and the sandbox of `hotline demo`.
//!
//! A deployment is built in a hidden sibling folder and renamed into place only when
//! everything succeeded, so a failure never leaves a half-made deployment behind.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use hotline_app::audit::Actor;
use hotline_app::auth::users::{self, NewUser};
use hotline_app::auth::{password, Role};
use hotline_app::config::{self, Config, ConfigProblem};
use hotline_app::crypto;
use hotline_app::Db;

use crate::cli::InitArgs;
use crate::msg::{t, tw, Reason};
use crate::Failure;

/// What `provision` creates.
pub struct Plan {
    pub config: Config,
    /// The operational settings to start with (public numbers…).
    pub operations: hotline_app::settings::Operations,
    pub admin_email: String,
    pub admin_name: String,
    /// `None`: generate one and report it.
    pub admin_password: Option<String>,
}

/// The result of a successful provisioning.
pub struct Provisioned {
    pub generated_password: Option<String>,
}

fn problem(p: &ConfigProblem) -> Failure {
    Failure(tw(p.key, &[("value", &p.value)]))
}

/// Refuses an existing deployment or any non-empty path.
pub fn check_target(dir: &Path) -> Result<(), Failure> {
    let shown = dir.display().to_string();
    if dir.exists() {
        let empty = dir.is_dir()
            && std::fs::read_dir(dir)
                .map(|mut it| it.next().is_none())
                .unwrap_or(false);
        if !empty {
            return Err(Failure(tw("cli.init.exists", &[("dir", &shown)])));
        }
    }
    let parent = parent_of(dir);
    if !parent.is_dir() {
        return Err(Failure(tw(
            "cli.init.no_parent",
            &[("dir", &parent.display().to_string())],
        )));
    }
    Ok(())
}

fn parent_of(dir: &Path) -> PathBuf {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates the deployment described by `plan` in `dir`.
pub async fn provision(dir: &Path, plan: Plan) -> Result<Provisioned, Failure> {
    check_target(dir)?;
    plan.config.validate().map_err(|p| problem(&p))?;
    users::check_email(&plan.admin_email).map_err(|e| Failure(t(e.key())))?;
    if let Some(pw) = &plan.admin_password {
        password::check_new(pw).map_err(|k| Failure(t(k)))?;
    }

    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "hotline".into());
    let staging = parent_of(dir).join(format!(".{name}.init-{}", &crypto::random_token()[..10]));
    let result = build(&staging, &plan).await;
    match result {
        Ok(generated) => {
            if dir.exists() {
                let _ = std::fs::remove_dir(dir);
            }
            std::fs::rename(&staging, dir).map_err(|e| {
                let _ = std::fs::remove_dir_all(&staging);
                crate::write_failed(&dir.display().to_string(), e)
            })?;
            Ok(Provisioned {
                generated_password: generated,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

async fn build(staging: &Path, plan: &Plan) -> Result<Option<String>, Failure> {
    let io = |e: std::io::Error| crate::write_failed(&staging.display().to_string(), e);
    std::fs::create_dir(staging).map_err(io)?;
    for sub in ["data", "backups", "locales", "playbooks"] {
        std::fs::create_dir(staging.join(sub)).map_err(io)?;
    }
    // The database and backups are readable by the hotline's own user only.
    #[cfg(unix)]
    for sub in ["data", "backups"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(staging.join(sub), std::fs::Permissions::from_mode(0o700))
            .map_err(io)?;
    }
    // In the admin's language, like the comments of hotline.toml.
    let readme = |key: &str| format!("{}\n", t(key));
    std::fs::write(
        staging.join("locales/README.txt"),
        readme("generated.locales_readme"),
    )
    .map_err(io)?;
    std::fs::write(
        staging.join("playbooks/README.txt"),
        readme("generated.playbooks_readme"),
    )
    .map_err(io)?;
    // Owner-only: with PostgreSQL the file holds the database password.
    crypto::write_private(
        &staging.join(config::CONFIG_FILE),
        config::render_config(&plan.config, crate::msg::locale()).as_bytes(),
    )
    .map_err(crate::secrets_failure)?;
    crypto::generate_secrets(staging).map_err(crate::secrets_failure)?;

    hotline_app::intake::voice::write_fallback_in(
        staging,
        &plan.operations.backup_number,
        &plan.config.hotline.emergency_number,
        &plan.config.hotline.locales,
    )
    .map_err(io)?;

    let url = plan.config.resolved_database_url(staging);
    let db = Db::create(&url).await.map_err(|e| {
        Failure(tw(
            "cli.db.unreachable",
            &[
                ("url", &config::redact_url(&plan.config.database_url)),
                ("error", &e.reason()),
            ],
        ))
    })?;
    let outcome = populate(&db, plan).await;
    db.close().await;
    outcome
}

async fn populate(db: &Db, plan: &Plan) -> Result<Option<String>, Failure> {
    // A database that already serves a hotline is never taken over.
    if users::count(db).await.is_ok_and(|n| n > 0) {
        return Err(Failure(t("cli.init.db_in_use")));
    }
    db.migrate()
        .await
        .map_err(|e| Failure(tw("cli.db.migrate_failed", &[("error", &e.reason())])))?;
    let generated = plan.admin_password.is_none().then(password::generate);
    let pw = plan
        .admin_password
        .clone()
        .or_else(|| generated.clone())
        .unwrap_or_default();
    users::create(
        db,
        &Actor::cli(),
        NewUser {
            email: &plan.admin_email,
            display_name: &plan.admin_name,
            role: Role::Admin,
            locale: plan.config.hotline.locales.first().map(String::as_str),
            password: &pw,
        },
    )
    .await
    .map_err(|e| Failure(t(e.key())))?;
    hotline_app::settings::save(db, &Actor::cli(), &plan.operations)
        .await
        .map_err(crate::db_error)?;
    Ok(generated)
}

/// Reads a password from a file (the first line, without its line ending).
pub fn read_password_file(path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure(tw(
            "cli.password_file_unreadable",
            &[
                ("file", &path.display().to_string()),
                ("error", &e.reason()),
            ],
        ))
    })?;
    let pw = text.lines().next().unwrap_or("").to_string();
    password::check_new(&pw).map_err(|k| Failure(t(k)))?;
    Ok(pw)
}

/// Asks for a value in a terminal, offering `default`, until `check` accepts it.
fn ask(
    label_key: &str,
    default: &str,
    check: &dyn Fn(&str) -> Result<(), String>,
) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    loop {
        if default.is_empty() {
            print!("{}: ", t(label_key));
        } else {
            print!("{} [{}]: ", t(label_key), default);
        }
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        let n = stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure(tw("cli.init.read_failed", &[("error", &e.reason())])))?;
        if n == 0 {
            return Err(Failure(t("cli.init.aborted")));
        }
        let v = line.trim();
        let v = if v.is_empty() { default } else { v };
        match check(v) {
            Ok(()) => return Ok(v.to_string()),
            Err(msg) => eprintln!("{msg}"),
        }
    }
}

/// Turns `hotline init` flags (and, in a terminal, answers) into a plan.
pub fn plan_from_args(args: &InitArgs) -> Result<Plan, Failure> {
    let interactive = std::io::stdin().is_terminal();
    let defaults = config::default_config();
    let cp = |r: Result<(), ConfigProblem>| r.map_err(|p| tw(p.key, &[("value", &p.value)]));
    let value = |flag: &Option<String>,
                 label: &str,
                 default: &str,
                 check: &dyn Fn(&str) -> Result<(), String>|
     -> Result<String, Failure> {
        match flag {
            Some(v) => Ok(v.clone()),
            None if interactive => ask(label, default, check),
            None => Ok(default.to_string()),
        }
    };
    if interactive {
        println!("{}", t("cli.init.interactive"));
    }
    // Without --name and without a terminal, the name comes in the hotline's first
    // language once the languages are known (below).
    let name = match (&args.name, interactive) {
        (None, false) => None,
        _ => Some(value(
            &args.name,
            "cli.ask.name",
            &t("cli.init.default_name"),
            &|v| cp(config::validate_name(v)),
        )?),
    };
    let country = value(
        &args.country,
        "cli.ask.country",
        &defaults.hotline.country,
        &|v| cp(config::validate_country(&v.to_uppercase())),
    )?
    .to_uppercase();
    let locales = value(&args.locales, "cli.ask.locales", "en", &|v| {
        cp(config::validate_locales(&config::parse_locale_list(v)))
    })?;
    let timezone = value(
        &args.timezone,
        "cli.ask.timezone",
        &defaults.hotline.timezone,
        &|v| cp(config::validate_timezone(v)),
    )?;
    let emergency = value(
        &args.emergency_number,
        "cli.ask.emergency_number",
        config::default_emergency_number(&country),
        &|v| cp(config::validate_phone(v, true)),
    )?;
    let admin_password = match &args.admin_password_file {
        Some(p) => Some(read_password_file(p)?),
        None => None,
    };
    let phone = value(&args.phone_number, "cli.ask.phone_number", "", &|v| {
        cp(config::validate_phone(v, false))
    })?;
    let sms = value(&args.sms_number, "cli.ask.sms_number", "", &|v| {
        cp(config::validate_phone(v, false))
    })?;
    let database_url = value(
        &args.database_url,
        "cli.ask.database_url",
        &defaults.database_url,
        &|v| cp(config::validate_database_url(v)),
    )?;
    let listen = value(
        &args.listen,
        "cli.ask.listen",
        &defaults.server.listen,
        &|v| cp(config::validate_listen(v)),
    )?;
    let public_url = value(&args.public_url, "cli.ask.public_url", "", &|v| {
        cp(config::validate_public_url(v))
    })?;
    let admin_email = value(
        &args.admin_email,
        "cli.ask.admin_email",
        "admin@example.org",
        &|v| users::check_email(v).map_err(|e| t(e.key())),
    )?;
    let mut config = defaults;
    config.hotline.country = country;
    config.hotline.locales = config::parse_locale_list(&locales);
    config.hotline.name = name
        .unwrap_or_else(|| hotline_app::i18n::tr(config.default_locale(), "cli.init.default_name"));
    config.hotline.timezone = timezone;
    config.hotline.emergency_number = emergency;
    config.database_url = database_url;
    config.server.listen = listen;
    config.server.public_base_url = public_url;
    let operations = hotline_app::settings::Operations {
        phone_number: phone,
        sms_number: sms,
        ..Default::default()
    };
    Ok(Plan {
        config,
        operations,
        admin_email,
        admin_name: t("cli.init.admin_name"),
        admin_password,
    })
}
