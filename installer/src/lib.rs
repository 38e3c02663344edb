//! `hotline`: provisions and runs a national anti-trafficking hotline.
//!
//! The binary is a thin `main` around [`run`]; the end-to-end tests build the same entry
//! point so they drive exactly the CLI that ships.

mod cli;
mod demo;
mod doctor;
mod help;
mod msg;
mod provision;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hotline_app::audit::Actor;
use hotline_app::auth::users::{self, Changes, NewUser};
use hotline_app::auth::{password, Role};
use hotline_app::db::DbError;
use hotline_app::{AppState, Db};

use crate::cli::{
    BundleCommand, Command, DirectoryCommand, LocaleCommand, PlaybookCommand, UserCommand,
};
use crate::msg::{t, tn, tw, Reason};
use hotline_app::i18n::Message;

/// A failure already explained in the admin's language.
#[derive(Debug)]
pub struct Failure(pub String);

/// Parses the command line, runs the command and returns the process exit code.
pub fn run() -> ExitCode {
    quiet_on_closed_pipe(true);
    let cli = match help::parse(msg::locale(), std::env::args_os()) {
        help::Parsed::Run(cli) => cli,
        help::Parsed::Done(code) => return code,
    };
    // Servers log their progress; one-shot commands speak through their own messages.
    let serving = matches!(cli.command, Command::Serve { .. } | Command::Demo { .. });
    if serving {
        quiet_on_closed_pipe(false);
    }
    init_logging(if serving {
        "info,sqlx=warn,tower_http=warn"
    } else {
        "warn"
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "{} {}",
                t("cli.error_prefix"),
                tw("cli.start_failed", &[("error", &e.reason())])
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("{} {msg}", t("cli.error_prefix"));
            ExitCode::FAILURE
        }
    }
}

/// `hotline playbook list | head`: when the reader of the output goes away, end quietly as
/// other command-line tools do, instead of a panic about a broken pipe (`quiet`). Servers
/// get Rust's usual setting back (`!quiet`): a closed connection stays an error, never a
/// signal that ends them.
fn quiet_on_closed_pipe(quiet: bool) {
    #[cfg(unix)]
    // SAFETY: sets the disposition of one signal to the default or to ignored, before any
    // other thread is started; no handler code runs.
    unsafe {
        libc::signal(
            libc::SIGPIPE,
            if quiet { libc::SIG_DFL } else { libc::SIG_IGN },
        );
    }
    #[cfg(not(unix))]
    let _ = quiet;
}

fn init_logging(default_filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("HOTLINE_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    // HOTLINE_LOG_FORMAT=json gives one JSON object per line, for log collectors.
    let _ = if std::env::var("HOTLINE_LOG_FORMAT").is_ok_and(|v| v == "json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn dispatch(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Init(args) => {
            let plan = provision::plan_from_args(&args)?;
            let email = plan.admin_email.clone();
            let listen = plan.config.server.listen.clone();
            let name = plan.config.hotline.name.clone();
            let done = provision::provision(&args.dir, plan).await?;
            let dir = args.dir.display().to_string();
            println!("{}", tw("cli.init.done", &[("name", &name), ("dir", &dir)]));
            println!("{}", tw("cli.init.admin", &[("email", &email)]));
            if let Some(pw) = done.generated_password {
                println!("{}", tw("cli.init.password", &[("password", &pw)]));
            }
            println!();
            println!("{}", t("cli.init.next_steps"));
            println!("  cd {dir} && hotline serve");
            println!(
                "  {}",
                tw(
                    "cli.init.next_open",
                    &[("url", &format!("http://{listen}/login"))]
                )
            );
            println!("  hotline doctor --dir {dir}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { dir, listen } => {
            let dir = dir.resolve();
            let state = open(&dir).await?;
            let addr = listen.unwrap_or_else(|| state.config.server.listen.clone());
            serve(state, &addr, false).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            dir,
            listen,
            no_serve,
        } => demo::run(dir, listen, no_serve).await,
        Command::User(cmd) => user(cmd).await,
        Command::Directory(cmd) => directory(cmd).await,
        Command::Bundle(cmd) => bundle(cmd).await,
        Command::Playbook(cmd) => playbook(cmd),
        Command::Locale(cmd) => locale(cmd).await,
        Command::Migrate { dir } => {
            let dir = dir.resolve();
            let config = load_config(&dir)?;
            let db = connect(&dir, &config).await?;
            let applied = db
                .migrate()
                .await
                .map_err(|e| Failure(tw("cli.db.migrate_failed", &[("error", &e.reason())])))?;
            if applied.is_empty() {
                println!("{}", t("cli.migrate.up_to_date"));
            } else {
                let list = applied
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                println!("{}", tw("cli.migrate.applied", &[("versions", &list)]));
            }
            db.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor { dir } => Ok(doctor::run(&dir.resolve()).await),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut help::command(msg::locale()),
                "hotline",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_config(dir: &Path) -> Result<hotline_app::Config, Failure> {
    hotline_app::Config::load(dir).map_err(|e| Failure(config_problem(&e)))
}

/// Why the deployment's configuration cannot be used, in the admin's language.
pub(crate) fn config_problem(e: &hotline_app::config::ConfigError) -> String {
    use hotline_app::config::ConfigError;
    match e {
        ConfigError::Read { path, .. } => tw(
            "cli.no_deployment",
            &[("file", &path.display().to_string())],
        ),
        ConfigError::Parse {
            path,
            line: Some(line),
            problem,
        } => tw(
            "cli.config_invalid_at",
            &[
                ("file", &path.display().to_string()),
                ("line", &line.to_string()),
                ("error", &problem.text(msg::locale())),
            ],
        ),
        ConfigError::Parse { path, problem, .. } => tw(
            "cli.config_invalid",
            &[
                ("file", &path.display().to_string()),
                ("error", &problem.text(msg::locale())),
            ],
        ),
        ConfigError::Invalid { path, problem } => format!(
            "{}: {}",
            path.display(),
            tw(problem.key, &[("value", &problem.value)])
        ),
    }
}

async fn connect(dir: &Path, config: &hotline_app::Config) -> Result<Db, Failure> {
    Db::connect(&config.resolved_database_url(dir))
        .await
        .map_err(|e| db_failure(config, &e))
}

/// A secret key that cannot be used, in the admin's language.
pub(crate) fn secrets_failure(e: hotline_app::crypto::CryptoError) -> Failure {
    Failure(tw("cli.secrets_problem", &[("error", &e.reason())]))
}

/// A failed database operation, in the admin's language.
pub(crate) fn db_error(e: DbError) -> Failure {
    Failure(tw("cli.db.failed", &[("error", &e.reason())]))
}

/// A database problem in the admin's language (never showing a password).
pub(crate) fn db_failure(config: &hotline_app::Config, e: &DbError) -> Failure {
    match e {
        DbError::SqliteMissing(path) => Failure(tw("cli.db.sqlite_missing", &[("path", path)])),
        other => Failure(tw(
            "cli.db.unreachable",
            &[
                (
                    "url",
                    &hotline_app::config::redact_url(&config.database_url),
                ),
                ("error", &other.reason()),
            ],
        )),
    }
}

/// Opens a deployment for serving, explaining any problem in the admin's language.
async fn open(dir: &Path) -> Result<AppState, Failure> {
    let config = load_config(dir)?;
    match hotline_app::open(dir).await {
        Ok(s) => Ok(s),
        Err(hotline_app::OpenError::Secrets(e)) => Err(secrets_failure(e)),
        Err(hotline_app::OpenError::Db(e)) => Err(db_failure(&config, &e)),
        Err(hotline_app::OpenError::Config(e)) => Err(Failure(config_problem(&e))),
    }
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM. With `fallback_port`, a busy port is
/// replaced by a free one.
async fn serve(state: AppState, addr: &str, fallback_port: bool) -> Result<(), Failure> {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) if fallback_port && e.kind() == std::io::ErrorKind::AddrInUse => {
            let host = addr.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            tokio::net::TcpListener::bind(format!("{host}:0"))
                .await
                .map_err(|e| {
                    Failure(tw(
                        "cli.serve.bind_failed",
                        &[("addr", addr), ("error", &e.reason())],
                    ))
                })?
        }
        Err(e) => {
            return Err(Failure(tw(
                "cli.serve.bind_failed",
                &[("addr", addr), ("error", &e.reason())],
            )))
        }
    };
    let local = listener.local_addr().map_err(|e| {
        Failure(tw(
            "cli.serve.bind_failed",
            &[("addr", addr), ("error", &e.reason())],
        ))
    })?;
    println!(
        "{}",
        tw(
            "cli.serve.listening",
            &[("url", &format!("http://{local}/"))]
        )
    );
    println!("{}", t("cli.serve.stop_hint"));
    let shutdown = shutdown_signal();
    hotline_app::serve(state, listener, shutdown)
        .await
        .map_err(|e| Failure(tw("cli.serve.failed", &[("error", &e.reason())])))?;
    println!("{}", t("cli.serve.stopped"));
    Ok(())
}

/// Waits for Ctrl-C or SIGTERM. The handlers are installed here, before the server starts
/// (not when the returned future is first polled), so that a signal that comes early still
/// stops the server gracefully instead of killing it.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (mut interrupt, mut terminate) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = wait_for(interrupt.as_mut()) => {},
                _ = wait_for(terminate.as_mut()) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

/// The next signal on `s` (never, without a handler).
#[cfg(unix)]
async fn wait_for(s: Option<&mut tokio::signal::unix::Signal>) {
    match s {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

fn password_from(file: &Option<PathBuf>) -> Result<(String, bool), Failure> {
    match file {
        Some(p) => Ok((provision::read_password_file(p)?, false)),
        None => Ok((password::generate(), true)),
    }
}

async fn user(cmd: UserCommand) -> Result<ExitCode, Failure> {
    let dir = match &cmd {
        UserCommand::Add { dir, .. }
        | UserCommand::List { dir }
        | UserCommand::Disable { dir, .. }
        | UserCommand::Enable { dir, .. }
        | UserCommand::Unlock { dir, .. }
        | UserCommand::ResetPassword { dir, .. } => dir.resolve(),
    };
    let config = load_config(&dir)?;
    let db = connect(&dir, &config).await?;
    let status = db.migration_status().await.map_err(db_error)?;
    if !status.pending.is_empty() {
        return Err(Failure(t("cli.db.pending")));
    }
    let actor = Actor::cli();
    let user_err = |e: users::UserError| Failure(t(e.key()));
    let find = |email: String| {
        let db = db.clone();
        async move {
            users::find_by_email(&db, &email)
                .await
                .map_err(db_error)?
                .ok_or_else(|| Failure(tw("cli.user.not_found", &[("email", &email)])))
        }
    };
    match cmd {
        UserCommand::Add {
            email,
            name,
            role,
            locale,
            password_file,
            ..
        } => {
            let role = Role::parse(&role)
                .ok_or_else(|| Failure(tw("cli.user.bad_role", &[("role", &role)])))?;
            if let Some(l) = &locale {
                if !config.hotline.locales.contains(l) {
                    return Err(Failure(t("user.error.locale_invalid")));
                }
            }
            let (pw, generated) = password_from(&password_file)?;
            let u = users::create(
                &db,
                &actor,
                NewUser {
                    email: &email,
                    display_name: &name,
                    role,
                    locale: locale.as_deref(),
                    password: &pw,
                },
            )
            .await
            .map_err(user_err)?;
            println!(
                "{}",
                tw(
                    "cli.user.created",
                    &[
                        ("email", &u.email),
                        (
                            "role",
                            &format!("{}, {}", t(&role.label_key()), role.as_str())
                        )
                    ]
                )
            );
            if generated {
                println!("{}", tw("cli.init.password", &[("password", &pw)]));
            }
        }
        UserCommand::List { .. } => {
            let list = users::list(&db).await.map_err(db_error)?;
            println!(
                "{:<5} {:<32} {:<13} {:<9} {}",
                t("cli.user.col_id"),
                t("cli.user.col_email"),
                t("cli.user.col_role"),
                t("cli.user.col_active"),
                t("cli.user.col_name")
            );
            for u in list {
                println!(
                    "{:<5} {:<32} {:<13} {:<9} {}",
                    u.id,
                    u.email,
                    u.role.as_str(),
                    if u.active {
                        t("cli.user.yes")
                    } else {
                        t("cli.user.no")
                    },
                    u.display_name
                );
            }
        }
        UserCommand::Disable { email, .. } => {
            let u = find(email).await?;
            users::disable(&db, &actor, u.id).await.map_err(user_err)?;
            println!("{}", tw("cli.user.disabled", &[("email", &u.email)]));
        }
        UserCommand::Enable { email, .. } => {
            let u = find(email).await?;
            users::update(
                &db,
                &actor,
                u.id,
                Changes {
                    display_name: &u.display_name,
                    role: u.role,
                    locale: u.locale.as_deref(),
                    active: true,
                },
            )
            .await
            .map_err(user_err)?;
            println!("{}", tw("cli.user.enabled", &[("email", &u.email)]));
        }
        UserCommand::Unlock { email, .. } => {
            let u = find(email).await?;
            let keys = hotline_app::crypto::Keys::load(&dir).map_err(secrets_failure)?;
            users::unlock(&db, &keys.index, &actor, u.id)
                .await
                .map_err(user_err)?;
            println!("{}", tw("cli.user.unlocked", &[("email", &u.email)]));
        }
        UserCommand::ResetPassword {
            email,
            password_file,
            ..
        } => {
            let u = find(email).await?;
            let (pw, generated) = password_from(&password_file)?;
            users::set_password(&db, &actor, u.id, &pw)
                .await
                .map_err(user_err)?;
            println!("{}", tw("cli.user.password_reset", &[("email", &u.email)]));
            if generated {
                println!("{}", tw("cli.init.password", &[("password", &pw)]));
            }
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Playbooks work without a deployment (bundled ones only); inside one, its local playbooks
/// count too.
fn playbook(cmd: PlaybookCommand) -> Result<ExitCode, Failure> {
    use hotline_app::config::{default_config, BUNDLED_LOCALES, CONFIG_FILE};
    use hotline_app::playbooks::{export, Catalog};
    let (dir, locale) = match &cmd {
        PlaybookCommand::List { dir, locale }
        | PlaybookCommand::Show { dir, locale, .. }
        | PlaybookCommand::Export { dir, locale, .. } => (dir.resolve(), locale.clone()),
    };
    let locale = locale.unwrap_or_else(|| msg::locale().to_string());
    if !BUNDLED_LOCALES.contains(&locale.as_str()) {
        return Err(Failure(tw(
            "cli.playbook.unknown_locale",
            &[("locale", &locale), ("known", &BUNDLED_LOCALES.join(", "))],
        )));
    }
    let deployment = dir.join(CONFIG_FILE).exists().then_some(dir.as_path());
    let hotline = match deployment {
        Some(d) => load_config(d)?.hotline,
        None => default_config().hotline,
    };
    // Today in the hotline's time zone (outside a deployment: this computer's).
    let date = jiff::tz::TimeZone::get(&hotline.timezone)
        .map(|tz| jiff::Timestamp::now().to_zoned(tz).date())
        .unwrap_or_else(|_| jiff::Zoned::now().date())
        .to_string();
    let by = export::Exporter {
        hotline: &hotline.name,
        date,
    };
    let catalog = Catalog::load(deployment);
    for p in &catalog.problems {
        eprintln!(
            "{}",
            tw(
                "cli.playbook.skipped",
                &[("file", &p.file), ("error", &p.message(msg::locale()))]
            )
        );
    }
    let find = |id: &str| {
        catalog
            .get(id, &locale)
            .ok_or_else(|| Failure(tw("cli.playbook.not_found", &[("id", id)])))
    };
    match cmd {
        PlaybookCommand::List { .. } => {
            for p in catalog.list(&locale) {
                let mut notes = vec![
                    hotline_app::i18n::tr(&locale, &format!("playbook.phase.{}", p.phase)),
                    p.estimated_time.clone(),
                ];
                if p.is_local() {
                    notes.push(if catalog.bundled_version(&p.id, &p.locale).is_some() {
                        t("cli.playbook.adapted")
                    } else {
                        t("cli.playbook.local")
                    });
                }
                println!(
                    "{:<36} {} ({})",
                    p.id,
                    p.title,
                    hotline_app::i18n::join_list(&locale, &notes)
                );
            }
        }
        PlaybookCommand::Show { ref id, source, .. } => {
            let p = find(id)?;
            if source {
                print!("{}", p.source);
            } else {
                println!("# {}\n", p.title);
                println!("{}", p.body);
            }
        }
        PlaybookCommand::Export {
            ref ids, ref out, ..
        } => {
            let chosen: Vec<_> = if ids.is_empty() {
                catalog.list(&locale)
            } else {
                ids.iter().map(|id| find(id)).collect::<Result<_, _>>()?
            };
            let shown = out.display().to_string();
            if out.extension().is_some_and(|x| x == "html" || x == "htm") {
                let html = export::handout(&catalog, &chosen, &locale, &by)
                    .map_err(|_| write_failed(&shown, Message::new("problem.template", &[])))?;
                std::fs::write(out, html).map_err(|e| write_failed(&shown, e))?;
                println!(
                    "{}",
                    tw(
                        "cli.playbook.exported_file",
                        &[("file", &out.display().to_string())]
                    )
                );
            } else {
                let written = export::write_folder(&catalog, &chosen, &locale, &by, out)
                    .map_err(|e| write_failed(&shown, e))?;
                println!(
                    "{}",
                    tn(
                        "cli.playbook.exported_folder",
                        written.len(),
                        &[("dir", &out.display().to_string())]
                    )
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn locale(cmd: LocaleCommand) -> Result<ExitCode, Failure> {
    use hotline_app::config::{is_locale_code, BUNDLED_LOCALES};
    use hotline_app::i18n::coverage;
    match cmd {
        LocaleCommand::Add { dir, code } => {
            let dir = dir.resolve();
            let config = load_config(&dir)?;
            if !is_locale_code(&code) {
                return Err(Failure(tw("cli.locale.bad_code", &[("code", &code)])));
            }
            if BUNDLED_LOCALES.contains(&code.as_str()) {
                return Err(Failure(tw("cli.locale.bundled", &[("code", &code)])));
            }
            let folder = dir.join("locales");
            let path = folder.join(format!("{code}.yml"));
            let shown = path.display().to_string();
            if path.exists() {
                return Err(Failure(tw("cli.locale.exists", &[("file", &shown)])));
            }
            let text = coverage::template(&code, &config.hotline.name, msg::locale());
            std::fs::create_dir_all(&folder)
                .and_then(|()| std::fs::write(&path, text))
                .map_err(|e| write_failed(&shown, e))?;
            println!(
                "{}",
                tw("cli.locale.added", &[("file", &shown), ("code", &code)])
            );
            Ok(ExitCode::SUCCESS)
        }
        LocaleCommand::Export { dir, code, out } => {
            let dir = dir.resolve();
            let config = load_config(&dir)?;
            let known = BUNDLED_LOCALES.contains(&code.as_str())
                || hotline_app::config::is_local_locale(&dir, &code);
            if !known {
                return Err(Failure(tw("cli.locale.bad_code", &[("code", &code)])));
            }
            let entries = page_changes(&dir, &config).await;
            let texts = hotline_app::i18n::exchange::texts_of(&dir, &code, &entries);
            let name = out.display().to_string();
            let body = if hotline_app::i18n::exchange::is_xliff(&name) {
                hotline_app::i18n::exchange::to_xliff(&code, &texts)
                    .map_err(|_| write_failed(&name, Message::new("problem.io.unknown", &[])))?
            } else {
                hotline_app::i18n::exchange::to_yaml(&code, &texts, msg::locale())
            };
            std::fs::write(&out, body).map_err(|e| write_failed(&name, e))?;
            println!(
                "{}",
                tn("cli.locale.exported", texts.len(), &[("file", &name)])
            );
            Ok(ExitCode::SUCCESS)
        }
        LocaleCommand::Import { dir, path, locale } => {
            let dir = dir.resolve();
            load_config(&dir)?;
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| read_failed(&name, e))?;
            match hotline_app::i18n::exchange::parse(&name, &text, locale.as_deref()) {
                Err(problems) => {
                    eprintln!("{}", t("cli.locale.import_refused"));
                    for p in problems {
                        eprintln!("  {}", p.text(&name, msg::locale()));
                    }
                    Ok(ExitCode::FAILURE)
                }
                Ok((code, texts)) => {
                    let target = dir.join("locales").display().to_string();
                    let written = hotline_app::i18n::exchange::write_local(
                        &dir,
                        &code,
                        &texts,
                        msg::locale(),
                    )
                    .map_err(|e| write_failed(&target, e))?;
                    println!(
                        "{}",
                        tn(
                            "cli.locale.imported",
                            texts.len(),
                            &[("code", &code), ("file", &written.display().to_string())]
                        )
                    );
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        LocaleCommand::List { dir } => locale_report(&dir.resolve(), false).await,
        LocaleCommand::Check { dir } => locale_report(&dir.resolve(), true).await,
    }
}

/// A file that could not be written, in the admin's language.
pub(crate) fn write_failed(path: &str, e: impl msg::Reason) -> Failure {
    Failure(tw(
        "cli.write_failed",
        &[("path", path), ("error", &e.reason())],
    ))
}

/// A file that could not be read, in the admin's language.
pub(crate) fn read_failed(path: &str, e: impl msg::Reason) -> Failure {
    Failure(tw(
        "cli.read_failed",
        &[("path", path), ("error", &e.reason())],
    ))
}

/// The Translations page's changes, when the database can be reached (none otherwise).
async fn page_changes(
    dir: &Path,
    config: &hotline_app::Config,
) -> Vec<hotline_app::i18n::overrides::Entry> {
    match connect(dir, config).await {
        Ok(db) => {
            let list = hotline_app::i18n::overrides::list(&db)
                .await
                .unwrap_or_default();
            db.close().await;
            list
        }
        Err(_) => Vec::new(),
    }
}

/// Prints each language's coverage. With `check`, an offered language that is not complete,
/// a broken file, or an outdated or unused change makes the exit code 1.
async fn locale_report(dir: &Path, check: bool) -> Result<ExitCode, Failure> {
    use hotline_app::i18n::coverage;
    let config = load_config(dir)?;
    let entries = page_changes(dir, &config).await;
    let (report, warnings) = coverage::report(dir, &config.hotline.locales, &entries);
    let mut problems = 0;
    for c in &report {
        let kind = t(if c.bundled {
            "cli.locale.kind_bundled"
        } else {
            "cli.locale.kind_added"
        });
        let number = |n: usize| {
            hotline_app::i18n::format_number(msg::locale(), i64::try_from(n).unwrap_or(i64::MAX))
        };
        let percent = hotline_app::i18n::format_percent(
            msg::locale(),
            i64::try_from(c.percent()).unwrap_or(100),
        );
        let offered = t(if c.enabled {
            "cli.locale.offered"
        } else {
            "cli.locale.not_offered"
        });
        println!(
            "{:<8} {}",
            c.locale,
            tw(
                "cli.locale.line",
                &[
                    ("kind", &kind),
                    ("offered", &offered),
                    ("translated", &number(c.translated)),
                    ("total", &number(c.total)),
                    ("percent", &percent),
                    ("file", &number(c.file_texts)),
                    ("page", &number(c.page_texts)),
                    ("outdated", &number(c.outdated)),
                    ("invalid", &number(c.invalid)),
                ]
            )
        );
        // Only the languages the hotline offers need to be right.
        if c.enabled {
            problems += usize::from(c.translated < c.total) + c.outdated + c.invalid;
        }
    }
    for w in &warnings {
        problems += 1;
        eprintln!(
            "{}",
            tw(
                "cli.doctor.override_problem",
                &[("file", &w.file), ("error", &w.message(msg::locale()))]
            )
        );
    }
    if check && problems > 0 {
        println!("{}", tn("cli.doctor.problems", problems, &[]));
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

async fn bundle(cmd: BundleCommand) -> Result<ExitCode, Failure> {
    use hotline_app::library::bundle;
    let dir = match &cmd {
        BundleCommand::Export { dir, .. } | BundleCommand::Import { dir, .. } => dir.resolve(),
    };
    let config = load_config(&dir)?;
    let db = connect(&dir, &config).await?;
    let status = db.migration_status().await.map_err(db_error)?;
    if !status.pending.is_empty() {
        return Err(Failure(t("cli.db.pending")));
    }
    match cmd {
        BundleCommand::Export { out, .. } => {
            let bytes = bundle::export(&db, &dir, &config.hotline)
                .await
                .map_err(db_error)?;
            std::fs::write(&out, &bytes)
                .map_err(|e| write_failed(&out.display().to_string(), e))?;
            println!(
                "{}",
                tw(
                    "cli.bundle.exported",
                    &[("path", &out.display().to_string())]
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        BundleCommand::Import { path, .. } => {
            let shown = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|e| read_failed(&shown, e))?;
            match bundle::read(&bytes) {
                Err(problems) => {
                    eprintln!("{}", t("library.bundle.refused"));
                    for p in problems {
                        eprintln!("  {}", p.text(msg::locale()));
                    }
                    Ok(ExitCode::FAILURE)
                }
                Ok((manifest, files)) => {
                    let done = bundle::import(
                        &db,
                        &Actor::cli(),
                        &dir,
                        &format!("{} ({})", config.hotline.name, config.hotline.country),
                        &manifest,
                        &files,
                    )
                    .await
                    .map_err(db_error)?;
                    let source =
                        format!("{} ({})", manifest.source.hotline, manifest.source.country);
                    println!(
                        "{}",
                        tw(
                            "library.bundle.imported",
                            &[
                                ("added", &done.added.to_string()),
                                ("skipped", &done.skipped.to_string()),
                                ("source", &source),
                            ],
                        )
                    );
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
    }
}

async fn directory(cmd: DirectoryCommand) -> Result<ExitCode, Failure> {
    use hotline_app::directory::hsds;
    let dir = match &cmd {
        DirectoryCommand::Export { dir, .. } | DirectoryCommand::Import { dir, .. } => {
            dir.resolve()
        }
    };
    let config = load_config(&dir)?;
    let db = connect(&dir, &config).await?;
    let status = db.migration_status().await.map_err(db_error)?;
    if !status.pending.is_empty() {
        return Err(Failure(t("cli.db.pending")));
    }
    let code = match cmd {
        DirectoryCommand::Export { format, out, .. } => {
            if format != "json" && format != "csv" {
                return Err(Failure(tw(
                    "cli.directory.bad_format",
                    &[("format", &format)],
                )));
            }
            let package = hsds::load(&db).await.map_err(db_error)?;
            let unwritable = |e: std::io::Error| write_failed(&out.display().to_string(), e);
            if format == "csv" {
                std::fs::create_dir_all(&out).map_err(unwritable)?;
                for (name, text) in hsds::to_tabular(&package) {
                    std::fs::write(out.join(name), text).map_err(unwritable)?;
                }
            } else {
                std::fs::write(&out, hsds::to_json(&package)).map_err(unwritable)?;
            }
            println!(
                "{}",
                tw(
                    "cli.directory.exported",
                    &[
                        ("orgs", &package.organizations.len().to_string()),
                        ("services", &package.services.len().to_string()),
                        ("path", &out.display().to_string()),
                    ],
                )
            );
            ExitCode::SUCCESS
        }
        DirectoryCommand::Import { path, dry_run, .. } => {
            let shown = path.display().to_string();
            let unreadable = |e: std::io::Error| read_failed(&shown, e);
            let parsed = if path.is_dir() {
                if !path.join("datapackage.json").exists() {
                    return Err(Failure(tw(
                        "cli.directory.not_a_package",
                        &[("path", &shown)],
                    )));
                }
                let mut files = std::collections::BTreeMap::new();
                for entry in std::fs::read_dir(&path).map_err(unreadable)? {
                    let p = entry.map_err(unreadable)?.path();
                    if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                        if name.ends_with(".csv") || name == "datapackage.json" {
                            files.insert(name.to_string(), std::fs::read(&p).map_err(unreadable)?);
                        }
                    }
                }
                hsds::from_tabular(&files)
            } else {
                let bytes = std::fs::read(&path).map_err(unreadable)?;
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("directory.json");
                hsds::from_json(name, &bytes)
            };
            match parsed {
                Err(problems) => {
                    eprintln!("{}", t("cli.directory.import_refused"));
                    for p in problems {
                        eprintln!("  {}", p.text(msg::locale()));
                    }
                    ExitCode::FAILURE
                }
                Ok(package) => {
                    let changes = hsds::import(&db, &Actor::cli(), &package, !dry_run)
                        .await
                        .map_err(db_error)?;
                    let head = if dry_run {
                        t("cli.directory.dry_run")
                    } else {
                        t("cli.directory.imported")
                    };
                    println!(
                        "{head} {}",
                        hotline_app::directory::pages::summary(msg::locale(), &changes)
                    );
                    ExitCode::SUCCESS
                }
            }
        }
    };
    db.close().await;
    Ok(code)
}
