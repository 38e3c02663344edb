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
    cfg.hotline.phone_number = "+1 555 0100 200".into();
    cfg.hotline.sms_number = "+1 555 0100 201".into();
    cfg.hotline.timezone = "America/New_York".into();
    let pw = password::generate();
    let (admin_email, admin_name, _) = STAFF[0];
    provision(
        dir,
        Plan {
            config: cfg.clone(),
            admin_email: admin_email.into(),
            admin_name: admin_name.into(),
            admin_password: Some(pw.clone()),
        },
    )
    .await?;
    let db = hotline_app::Db::connect(&cfg.resolved_database_url(dir))
        .await
        .map_err(|e| Failure(e.to_string()))?;
    for (email, name, role) in &STAFF[1..] {
        users::create(
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
    }
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
        .map_err(|e| Failure(e.to_string()))?;
    Ok(())
}
