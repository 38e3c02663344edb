//! `hotline doctor`: checks a deployment and names every problem.

use std::path::Path;
use std::process::ExitCode;

use hotline_app::config::Config;
use hotline_app::crypto::{self, Keys};
use hotline_app::db::{Backend, Db};
use hotline_app::i18n;

use crate::msg::{t, tn, tw, Reason};

/// Free space below which the disk check fails (bytes).
const MIN_FREE_BYTES: u64 = 1024 * 1024 * 1024;

struct Report {
    problems: usize,
}

impl Report {
    fn ok(&self, msg: String) {
        println!("  {}  {msg}", mark("cli.doctor.mark_ok"));
    }
    fn fail(&mut self, msg: String) {
        self.problems += 1;
        println!("  {}  {msg}", mark("cli.doctor.mark_fail"));
    }
}

/// A check's mark ("ok", "FAIL"), padded so that the messages line up.
fn mark(key: &str) -> String {
    let m = t(key);
    let width = [t("cli.doctor.mark_ok"), t("cli.doctor.mark_fail")]
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    format!("{m:<width$}")
}

pub async fn run(dir: &Path) -> ExitCode {
    let mut r = Report { problems: 0 };
    println!(
        "{}",
        tw(
            "cli.doctor.checking",
            &[("dir", &dir.display().to_string())]
        )
    );

    let config = match Config::load(dir) {
        Ok(c) => {
            r.ok(t("cli.doctor.config_ok"));
            let path = dir.join(hotline_app::config::CONFIG_FILE);
            if c.database_url.contains('@') && crypto::check_private(&path).is_err() {
                r.fail(tw(
                    "cli.doctor.config_open",
                    &[("file", &path.display().to_string())],
                ));
            }
            Some(c)
        }
        Err(e) => {
            r.fail(crate::config_problem(&e));
            None
        }
    };

    let secrets = dir.join(crypto::SECRETS_DIR);
    match Keys::check(dir) {
        Ok(()) => r.ok(t("cli.doctor.secrets_ok")),
        Err(e) => r.fail(tw("cli.secrets_problem", &[("error", &e.reason())])),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&secrets) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                r.fail(tw(
                    "cli.doctor.secrets_dir_open",
                    &[
                        ("dir", &secrets.display().to_string()),
                        ("mode", &format!("{mode:o}")),
                    ],
                ));
            }
        }
    }

    if let Some(config) = &config {
        check_database(dir, config, &mut r).await;
    }

    let (_, warnings) = i18n::read_overrides(dir);
    if warnings.is_empty() {
        r.ok(t("cli.doctor.overrides_ok"));
    }
    for w in warnings {
        r.fail(tw(
            "cli.doctor.override_problem",
            &[
                ("file", &w.file),
                ("error", &w.message(crate::msg::locale())),
            ],
        ));
    }

    let playbooks = hotline_app::playbooks::Catalog::load(Some(dir));
    if playbooks.problems.is_empty() {
        r.ok(t("cli.doctor.playbooks_ok"));
    }
    for p in playbooks.problems {
        r.fail(tw(
            "cli.doctor.playbook_problem",
            &[
                ("file", &p.file),
                ("error", &p.message(crate::msg::locale())),
            ],
        ));
    }

    match rustix::fs::statvfs(dir) {
        Ok(s) => {
            let free = s.f_bavail.saturating_mul(s.f_frsize);
            let shown = i18n::format_size(crate::msg::locale(), free);
            if free >= MIN_FREE_BYTES {
                r.ok(tw("cli.doctor.disk_ok", &[("free", &shown)]));
            } else {
                r.fail(tw("cli.doctor.disk_low", &[("free", &shown)]));
            }
        }
        Err(e) => r.fail(tw(
            "cli.doctor.disk_unknown",
            &[("error", &std::io::Error::from(e).reason())],
        )),
    }

    if r.problems == 0 {
        println!("{}", t("cli.doctor.all_ok"));
        ExitCode::SUCCESS
    } else {
        println!("{}", tn("cli.doctor.problems", r.problems, &[]));
        ExitCode::FAILURE
    }
}

async fn check_database(dir: &Path, config: &Config, r: &mut Report) {
    let shown = hotline_app::config::redact_url(&config.database_url);
    let db = match Db::connect(&config.resolved_database_url(dir)).await {
        Ok(db) if db.ping().await => {
            r.ok(tw("cli.doctor.db_ok", &[("url", &shown)]));
            db
        }
        Ok(_) => {
            let reason = t("problem.db.no_answer");
            r.fail(tw(
                "cli.db.unreachable",
                &[("url", &shown), ("error", &reason)],
            ));
            return;
        }
        Err(e) => {
            r.fail(crate::db_failure(config, &e).0);
            return;
        }
    };
    match db.migration_status().await {
        Ok(s) if s.pending.is_empty() => r.ok(t("cli.doctor.migrations_ok")),
        Ok(s) => r.fail(tn("cli.doctor.migrations_pending", s.pending.len(), &[])),
        Err(e) => r.fail(tw("cli.db.migrate_failed", &[("error", &e.reason())])),
    }
    if db.backend == Backend::Sqlite {
        match db.sqlite_journal_mode().await {
            Ok(Some(mode)) if mode == "wal" => r.ok(t("cli.doctor.wal_ok")),
            Ok(mode) => r.fail(tw(
                "cli.doctor.wal_off",
                &[("mode", &mode.unwrap_or_default())],
            )),
            Err(e) => r.fail(tw("cli.db.failed", &[("error", &e.reason())])),
        }
    }
    match sqlx_admins(&db).await {
        Ok(n) if n > 0 => r.ok(t("cli.doctor.admin_ok")),
        Ok(_) => r.fail(t("cli.doctor.no_admin")),
        Err(e) => r.fail(tw("cli.db.failed", &[("error", &e.reason())])),
    }
    db.close().await;
}

async fn sqlx_admins(db: &Db) -> Result<i64, hotline_app::db::DbError> {
    let list = hotline_app::auth::users::list(db).await?;
    Ok(list
        .iter()
        .filter(|u| u.active && u.role == hotline_app::auth::Role::Admin)
        .count() as i64)
}
