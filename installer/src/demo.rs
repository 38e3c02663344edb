//! `hotline demo`: a sandbox hotline with fictional people, for trainers and evaluation.

use std::path::PathBuf;
use std::process::ExitCode;

use hotline_app::audit::Actor;
use hotline_app::auth::users::{self, NewUser};
use hotline_app::auth::{password, Role};
use hotline_app::config;
use hotline_app::crypto;

use crate::msg::{t, tw};
use crate::provision::{provision, Plan};
use crate::Failure;

/// The fictional staff of the sandbox: one account per role.
const STAFF: &[(&str, &str, Role)] = &[
    ("admin@demo.hotline.test", "Dana Reyes", Role::Admin),
    (
        "supervisor@demo.hotline.test",
        "Kenji Sato",
        Role::Supervisor,
    ),
    ("advocate@demo.hotline.test", "María López", Role::Advocate),
    (
        "casemanager@demo.hotline.test",
        "Amara Okafor",
        Role::CaseManager,
    ),
    ("trainer@demo.hotline.test", "Li Wei", Role::Trainer),
    ("analyst@demo.hotline.test", "Sam Patel", Role::Analyst),
];

const LOGINS_FILE: &str = "demo-logins.txt";

pub async fn run(
    dir: Option<PathBuf>,
    listen: Option<String>,
    no_serve: bool,
) -> Result<ExitCode, Failure> {
    let (dir, throwaway) = match dir {
        Some(d) => (d, false),
        None => (
            std::env::temp_dir().join(format!("hotline-demo-{}", &crypto::random_token()[..8])),
            true,
        ),
    };
    let reuse = dir.join(config::CONFIG_FILE).exists()
        && config::Config::load(&dir).is_ok_and(|c| c.hotline.demo);
    if !reuse {
        create(&dir).await?;
    }
    let logins = std::fs::read_to_string(dir.join(LOGINS_FILE)).unwrap_or_default();
    println!(
        "{}",
        tw("cli.demo.ready", &[("dir", &dir.display().to_string())])
    );
    println!("{}", t("cli.demo.logins"));
    print!("{logins}");
    if no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    let state = crate::open(&dir).await?;
    let addr = listen
        .clone()
        .unwrap_or_else(|| state.config.server.listen.clone());
    let served = crate::serve(state, &addr, listen.is_none()).await;
    if throwaway {
        let _ = std::fs::remove_dir_all(&dir);
    }
    served.map(|()| ExitCode::SUCCESS)
}

async fn create(dir: &std::path::Path) -> Result<(), Failure> {
    let mut cfg = config::default_config();
    cfg.hotline.name = t("cli.demo.name");
    cfg.hotline.demo = true;
    cfg.hotline.locales = config::BUNDLED_LOCALES
        .iter()
        .map(|s| s.to_string())
        .collect();
    cfg.hotline.timezone = "America/New_York".into();
    let pw = password::generate();
    let (admin_email, admin_name, _) = STAFF[0];
    provision(
        dir,
        Plan {
            config: cfg.clone(),
            operations: hotline_app::settings::Operations {
                phone_number: "+1 555 0100 200".into(),
                sms_number: "+1 555 0100 201".into(),
                backup_number: "+1 555 0100 299".into(),
                ..Default::default()
            },
            admin_email: admin_email.into(),
            admin_name: admin_name.into(),
            admin_password: Some(pw.clone()),
        },
    )
    .await?;
    let db = hotline_app::Db::connect(&cfg.resolved_database_url(dir))
        .await
        .map_err(|e| crate::db_failure(&cfg, &e))?;
    let mut frontline = Vec::new();
    for (email, name, role) in &STAFF[1..] {
        let u = users::create(
            &db,
            &Actor::cli(),
            NewUser {
                email,
                display_name: name,
                role: *role,
                locale: None,
                password: &pw,
            },
        )
        .await
        .map_err(|e| Failure(t(e.key())))?;
        if matches!(role, Role::Advocate | Role::Supervisor | Role::CaseManager) {
            frontline.push((u.id, *role));
        }
    }
    // A roster around the clock: the advocate answers, the supervisor is on call.
    for (id, role) in &frontline {
        let phone = match role {
            Role::Advocate => "+1 555 0100 301",
            Role::Supervisor => "+1 555 0100 302",
            _ => continue,
        };
        for day in 0..7 {
            hotline_app::settings::add_shift(&db, &Actor::cli(), *id, day, 0, 1440, phone)
                .await
                .map_err(crate::db_error)?;
        }
    }
    let keys = hotline_app::crypto::Keys::load(dir).map_err(crate::secrets_failure)?;
    let advocates: Vec<i64> = frontline.iter().map(|(id, _)| *id).collect();
    hotline_app::intake::demo::seed(
        &db,
        &keys,
        &advocates,
        &hotline_app::settings::bundled_regions(&cfg.hotline.country),
        &cfg.hotline.locales,
        300,
    )
    .await
    .map_err(crate::db_error)?;
    let case_managers: Vec<(i64, String)> = users::list(&db)
        .await
        .map_err(crate::db_error)?
        .into_iter()
        .filter(|u| u.role == Role::CaseManager)
        .map(|u| (u.id, u.display_name))
        .collect();
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get(&cfg.hotline.timezone).unwrap_or(jiff::tz::TimeZone::UTC))
        .date()
        .to_string();
    let partner_services = hotline_app::directory::demo::seed(&db, &today)
        .await
        .map_err(crate::db_error)?;
    hotline_app::cases::demo::seed(
        &db,
        &keys,
        &cfg.hotline.country,
        &cfg.hotline.timezone,
        &case_managers,
        &partner_services,
        40,
    )
    .await
    .map_err(crate::db_error)?;
    hotline_app::outreach::demo::seed(&db, &keys, &cfg.hotline.country, &cfg.hotline.timezone)
        .await
        .map_err(crate::db_error)?;
    hotline_app::playbooks::demo::seed(&db, &keys, cfg.default_locale(), &cfg.hotline.timezone)
        .await
        .map_err(crate::db_error)?;
    db.close().await;
    let mut text = String::new();
    for (email, _, role) in STAFF {
        text.push_str(&format!("  {:<14} {email}\n", role.as_str()));
    }
    text.push_str(&format!(
        "  {}\n",
        tw("cli.demo.password", &[("password", &pw)])
    ));
    crypto::write_private(&dir.join(LOGINS_FILE), text.as_bytes())
        .map_err(crate::secrets_failure)?;
    Ok(())
}
