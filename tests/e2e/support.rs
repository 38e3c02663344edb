//! The harness: deployments made by the real CLI, servers spawned from it, and a browser-like
//! HTTP client. With `HOTLINE_TEST_DATABASE_URL=postgres://…` every deployment gets its own
//! fresh PostgreSQL database; otherwise SQLite.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

pub const BIN: &str = env!("CARGO_BIN_EXE_hotline-under-test");
pub const ADMIN_EMAIL: &str = "admin@example.org";
pub const ADMIN_PASSWORD: &str = "correct-horse-battery-staple";

/// Runs the CLI with `args`, English messages, no terminal.
pub fn hotline(args: &[&str]) -> Output {
    hotline_env(args, &[])
}

pub fn hotline_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env("HOTLINE_LANG", "en")
        .env_remove("HOTLINE_DIR")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the CLI runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The password a command printed on its `Password …: xxxx` line.
pub fn printed_password(text: &str) -> String {
    text.lines()
        .find(|l| l.starts_with("Password"))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or_else(|| panic!("no password printed in {text}"))
        .to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The PostgreSQL server to test against, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("HOTLINE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn random_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}{:x}", nanos, std::process::id())
}

/// A fresh PostgreSQL database, dropped when this value is.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin_url: &str) -> PgDatabase {
        let name = format!("hb_test_{}", random_suffix());
        run_sql(admin_url, &format!("CREATE DATABASE {name}"));
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
        PgDatabase {
            admin_url: admin_url.to_string(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        run_sql(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Runs one statement on its own runtime (usable from Drop and from async tests alike).
fn run_sql(url: &str, sql: &str) {
    let url = url.to_string();
    let sql = sql.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let db = hotline_app::Db::connect(&url)
                .await
                .expect("postgres reachable");
            sqlx::raw_sql(&sql)
                .execute(&db.pool)
                .await
                .expect("statement runs");
            db.close().await;
        });
    })
    .join()
    .expect("thread");
}

/// A deployment provisioned by `hotline init` in a temporary folder.
pub struct Deployment {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub pg: Option<PgDatabase>,
}

impl Deployment {
    /// `hotline init` with an admin password from a file, English and Japanese, and the
    /// backend under test. `extra` flags are appended.
    pub fn init(extra: &[&str]) -> Deployment {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("hotline");
        let pw_file = tmp.path().join("admin-password");
        std::fs::write(&pw_file, format!("{ADMIN_PASSWORD}\n")).expect("write");
        let pg = postgres_url().map(|u| PgDatabase::create(&u));
        let mut args: Vec<String> = vec![
            "init".into(),
            dir.display().to_string(),
            "--name".into(),
            "Test Hotline".into(),
            "--country".into(),
            "JP".into(),
            "--locales".into(),
            "en,ja,es".into(),
            "--timezone".into(),
            "Asia/Tokyo".into(),
            "--admin-email".into(),
            ADMIN_EMAIL.into(),
            "--admin-password-file".into(),
            pw_file.display().to_string(),
        ];
        if let Some(pg) = &pg {
            args.push("--database-url".into());
            args.push(pg.url.clone());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = hotline(&refs);
        assert!(
            out.status.success(),
            "init failed: {}{}",
            stdout(&out),
            stderr(&out)
        );
        Deployment { _tmp: tmp, dir, pg }
    }

    /// `hotline init DIR` with only the given flags (plus the backend under test); the
    /// caller checks the outcome.
    pub fn init_with(flags: &[&str]) -> (Deployment, Output) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("hotline");
        let pg = postgres_url().map(|u| PgDatabase::create(&u));
        let d = dir.display().to_string();
        let mut args = vec!["init", d.as_str()];
        args.extend_from_slice(flags);
        if let Some(pg) = &pg {
            args.extend(["--database-url", pg.url.as_str()]);
        }
        let out = hotline(&args);
        (Deployment { _tmp: tmp, dir, pg }, out)
    }

    /// A file in the deployment's temporary folder (outside the deployment) holding `text`.
    pub fn scratch_file(&self, name: &str, text: &str) -> PathBuf {
        let p = self._tmp.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Adds accounts `(email, role)` with `password`, each named by its email.
    pub fn add_users(&self, password: &str, users: &[(&str, &str)]) {
        let pw = self.scratch_file("pw", &format!("{password}\n"));
        for (email, role) in users {
            let out = self.cli(&[
                "user",
                "add",
                "--email",
                email,
                "--name",
                email,
                "--role",
                role,
                "--password-file",
                pw.to_str().unwrap(),
            ]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }

    pub fn dir_str(&self) -> String {
        self.dir.display().to_string()
    }

    /// Runs a CLI command against this deployment (`--dir` appended).
    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_env(args, &[])
    }

    /// [`Deployment::cli`] with more environment variables (e.g. `HOTLINE_LANG`).
    pub fn cli_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut v: Vec<&str> = args.to_vec();
        let d = self.dir_str();
        v.push("--dir");
        v.push(&d);
        hotline_env(&v, env)
    }

    /// Opens the deployment's database directly, as an auditor with shell access would.
    pub async fn db(&self) -> hotline_app::Db {
        let cfg = hotline_app::Config::load(&self.dir).expect("config");
        hotline_app::Db::connect(&cfg.resolved_database_url(&self.dir))
            .await
            .expect("db")
    }

    /// Rewrites one line of hotline.toml.
    pub fn edit_config(&self, from: &str, to: &str) {
        let p = self.dir.join("hotline.toml");
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(text.contains(from), "hotline.toml has no {from}");
        std::fs::write(&p, text.replacen(from, to, 1)).expect("write");
    }

    pub async fn serve(&self) -> Server {
        Server::start(
            &["serve", "--dir", &self.dir_str(), "--listen", "127.0.0.1:0"],
            &[],
        )
        .await
    }
}

/// A running `hotline` process that serves HTTP; killed when dropped.
pub struct Server {
    pub child: tokio::process::Child,
    pub url: String,
    pub output: Vec<String>,
}

impl Server {
    pub async fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(args)
            .env("HOTLINE_LANG", "en")
            .env_remove("HOTLINE_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut output = Vec::new();
        let found = tokio::time::timeout(Duration::from_secs(120), async {
            while let Ok(Some(line)) = lines.next_line().await {
                output.push(line.clone());
                if let Some(i) = line.find("http://127.0.0.1:") {
                    let url = line[i..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('/')
                        .to_string();
                    return Some(url);
                }
            }
            None
        })
        .await;
        let url = match found {
            Ok(Some(u)) => u,
            _ => panic!("server did not start; output: {output:?}"),
        };
        // Keep draining stdout so the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server { child, url, output }
    }

    pub fn client(&self) -> Browser {
        Browser::new(&self.url)
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("pid");
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("exits in time")
            .expect("wait")
    }
}

/// A browser: keeps cookies, does not follow redirects (so tests see them), sends a
/// language preference.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let i = self
            .body
            .find(marker)
            .expect("page has a form with a CSRF token")
            + marker.len();
        self.body[i..].split('"').next().unwrap_or("").to_string()
    }

    /// The one-time password shown on the page.
    pub fn shown_password(&self) -> String {
        let i = self.body.find("<code>").expect("a password is shown") + "<code>".len();
        self.body[i..].split('<').next().unwrap_or("").to_string()
    }

    pub fn has(&self, text: &str) -> bool {
        self.body.contains(&html_escape(text))
    }
}

/// The HTML-escaped form of `s`, as askama writes text.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser::with_language(base, "en")
    }

    pub fn with_language(base: &str, accept_language: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            accept_language.parse().expect("header"),
        );
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .expect("client"),
            base: base.to_string(),
        }
    }

    async fn page(resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.text().await.expect("body");
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Self::page(
            self.http
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// Loads `form_page`, then posts `form` to `action` with the page's CSRF token.
    pub async fn submit(&self, form_page: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let token = self.get(form_page).await.csrf();
        let mut fields: Vec<(&str, &str)> = vec![("_csrf", &token)];
        fields.extend_from_slice(form);
        self.post(action, &fields).await
    }

    /// Logs in and asserts it worked (a redirect to the staff home).
    pub async fn login(&self, email: &str, password: &str) {
        let p = self.try_login(email, password).await;
        assert_eq!(p.status, 303, "login of {email} failed: {}", p.body);
        assert_eq!(p.location.as_deref(), Some("/staff"));
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/login",
            "/login",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// Every string of a bundled locale, `dotted.key -> text`, merged from all of its files
/// (`locales/<locale>.yml`, `locales/<feature>/<locale>.yml`).
pub fn locale_file(locale: &str) -> std::collections::BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales");
    let mut out = std::collections::BTreeMap::new();
    let mut files = vec![root.join(format!("{locale}.yml"))];
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("locales folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let p = d.join(format!("{locale}.yml"));
        if p.exists() {
            files.push(p);
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).expect("locale file");
        let value: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut one = std::collections::BTreeMap::new();
        flatten("", &value, &mut one);
        for (k, v) in one {
            assert!(
                out.insert(k.clone(), v).is_none(),
                "{}: key {k} is defined twice",
                path.display()
            );
        }
    }
    out
}

fn flatten(
    prefix: &str,
    v: &serde_yaml::Value,
    out: &mut std::collections::BTreeMap<String, String>,
) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                let k = k.as_str().expect("string keys");
                let key = if prefix.is_empty() {
                    k.to_string()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        serde_yaml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!("{prefix}: not a string: {other:?}"),
    }
}

/// The text of `key` in `locale`, as a page would show it.
pub fn text(locale: &str, key: &str) -> String {
    locale_file(locale)
        .get(key)
        .cloned()
        .unwrap_or_else(|| panic!("{locale}: no key {key}"))
}
