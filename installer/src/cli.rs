//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  hotline demo                                  a sandbox hotline with fictional data
  hotline init ./my-hotline --country JP --name \"Anti-Trafficking Hotline\" --locales ja,en \\
      --timezone Asia/Tokyo --emergency-number 110 --admin-email admin@example.org
  cd my-hotline && hotline serve                run it (or: hotline serve --dir ./my-hotline)
  hotline user add --email ana@example.org --name \"Ana\" --role advocate
  hotline doctor                                check a deployment
  hotline completions bash > /etc/bash_completion.d/hotline

Commands that work on an existing deployment find it by --dir, else $HOTLINE_DIR,
else the current directory.";

#[derive(Parser, Debug)]
#[command(
    name = "hotline",
    version,
    about = "Provision and run a national anti-trafficking hotline",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// How a command finds an existing deployment.
#[derive(Args, Debug, Clone)]
pub struct DirArg {
    /// The deployment directory [default: $HOTLINE_DIR, else the current directory]
    #[arg(long, env = "HOTLINE_DIR", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl DirArg {
    pub fn resolve(&self) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Provision a new hotline deployment in DIR
    #[command(
        after_help = "In a terminal, values not given as flags are asked for; \
without a terminal the defaults are used.\n\nExample:\n  hotline init ./jp-hotline --country JP \
--locales ja,en --timezone Asia/Tokyo --emergency-number 110 --admin-email admin@example.org"
    )]
    Init(InitArgs),
    /// Run the hotline web app
    Serve {
        #[command(flatten)]
        dir: DirArg,
        /// Address and port to listen on, overriding hotline.toml (e.g. 0.0.0.0:8080)
        #[arg(long)]
        listen: Option<String>,
    },
    /// Run a throwaway sandbox hotline with fictional data (for trainers and evaluation)
    Demo {
        /// Where to create the sandbox [default: a temporary folder, removed on exit]
        dir: Option<PathBuf>,
        /// Address and port to listen on [default: 127.0.0.1:8080, or a free port]
        #[arg(long)]
        listen: Option<String>,
        /// Create and seed the sandbox in DIR, print the logins, but do not serve
        #[arg(long, requires = "dir")]
        no_serve: bool,
    },
    /// Manage staff accounts
    #[command(subcommand)]
    User(UserCommand),
    /// Import or export the referral directory (Open Referral HSDS 3.0)
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Share the resource library and roundtable best practices with another deployment
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// The consultation playbooks: list, read, export as HTML handouts
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// The hotline's languages: add one of your own, coverage of each, checks
    #[command(subcommand)]
    Locale(LocaleCommand),
    /// Apply pending database migrations
    Migrate {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Check a deployment: configuration, secrets, database, migrations, disk
    Doctor {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Print shell completions
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug, Default, Clone)]
pub struct InitArgs {
    /// The directory to create (it must not exist, or be empty)
    pub dir: PathBuf,
    /// The hotline's name, as callers and staff see it
    #[arg(long)]
    pub name: Option<String>,
    /// ISO 3166-1 alpha-2 country code, e.g. JP
    #[arg(long)]
    pub country: Option<String>,
    /// Comma-separated languages, the first is the default (bundled: en, ja, es, fr, ar, pt,
    /// zh-Hans, vi, th, tl)
    #[arg(long)]
    pub locales: Option<String>,
    /// IANA time zone, e.g. Asia/Tokyo
    #[arg(long)]
    pub timezone: Option<String>,
    /// The number to call in immediate danger [default: the country's]
    #[arg(long)]
    pub emergency_number: Option<String>,
    /// The hotline's public phone number
    #[arg(long)]
    pub phone_number: Option<String>,
    /// The hotline's public SMS number
    #[arg(long)]
    pub sms_number: Option<String>,
    /// Email (login) of the first administrator
    #[arg(long)]
    pub admin_email: Option<String>,
    /// File holding the first administrator's password [default: generate one]
    #[arg(long)]
    pub admin_password_file: Option<PathBuf>,
    /// postgres://user:password@host/db [default: SQLite in DIR/data]
    #[arg(long)]
    pub database_url: Option<String>,
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long)]
    pub listen: Option<String>,
    /// The public address, e.g. https://hotline.example.org
    #[arg(long)]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (a strong password is generated unless --password-file is given)
    Add {
        #[command(flatten)]
        dir: DirArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, supervisor, advocate, case_manager, trainer or analyst
        #[arg(long)]
        role: String,
        /// The account's language (one of the hotline's)
        #[arg(long)]
        locale: Option<String>,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
    /// List accounts
    List {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Disable an account and end its sessions
    Disable {
        #[command(flatten)]
        dir: DirArg,
        email: String,
    },
    /// Enable a disabled account
    Enable {
        #[command(flatten)]
        dir: DirArg,
        email: String,
    },
    /// Lift a login lockout after too many failed attempts
    Unlock {
        #[command(flatten)]
        dir: DirArg,
        email: String,
    },
    /// Set a new password (generated unless --password-file is given) and end its sessions
    ResetPassword {
        #[command(flatten)]
        dir: DirArg,
        email: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// Write the library (with its documents) and the shareable best practices to a zip file
    Export {
        #[command(flatten)]
        dir: DirArg,
        /// The .zip file to write
        #[arg(long)]
        out: PathBuf,
    },
    /// Read a bundle from another deployment; adds what is new, all checked first
    Import {
        #[command(flatten)]
        dir: DirArg,
        /// The bundle's .zip file
        path: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum DirectoryCommand {
    /// Write the directory as HSDS: a JSON file, or a tabular package folder
    /// (datapackage.json and CSV files)
    Export {
        #[command(flatten)]
        dir: DirArg,
        /// json or csv (the tabular package)
        #[arg(long, default_value = "json")]
        format: String,
        /// The file (json) or folder (csv) to write
        #[arg(long)]
        out: PathBuf,
    },
    /// Read HSDS from a JSON file or a package folder; updates partners by id
    Import {
        #[command(flatten)]
        dir: DirArg,
        /// A .json file, or a folder with datapackage.json
        path: PathBuf,
        /// Show what would change, change nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlaybookCommand {
    /// List the playbooks (bundled, and the deployment's own or adapted ones)
    List {
        #[command(flatten)]
        dir: DirArg,
        /// The language: one of the kit's (playbooks are written in en, ja and es; others get
        /// the English version with their own labels). Default: yours
        #[arg(long)]
        locale: Option<String>,
    },
    /// Print a playbook's Markdown
    Show {
        #[command(flatten)]
        dir: DirArg,
        /// The playbook's id, e.g. contact-handling
        id: String,
        #[arg(long)]
        locale: Option<String>,
        /// The whole file with its front matter, to save under DIR/playbooks/<locale>/ and adapt
        #[arg(long)]
        source: bool,
    },
    /// Write self-contained HTML handouts: one file (--out NAME.html) or a folder with one
    /// file per playbook and an index
    Export {
        #[command(flatten)]
        dir: DirArg,
        /// The playbooks to export (all of them if none is named)
        ids: Vec<String>,
        #[arg(long)]
        locale: Option<String>,
        /// A file ending in .html, or a folder
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum LocaleCommand {
    /// Start a language of your own: writes DIR/locales/CODE.yml with every key, the English
    /// text beside each as a comment
    Add {
        #[command(flatten)]
        dir: DirArg,
        /// A language code such as sw, km or pt-BR
        code: String,
    },
    /// Each language: bundled or added, offered or not, how many texts are translated, and
    /// the changes made in files and on the Translations page
    List {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Like list, and exits with 1 when an offered language is incomplete, a file is broken,
    /// or a change is outdated or not used
    Check {
        #[command(flatten)]
        dir: DirArg,
    },
    /// Write a language's texts for translators: YAML, or XLIFF 2.0 (.xlf) for translation
    /// tools; every key, with the English original
    Export {
        #[command(flatten)]
        dir: DirArg,
        /// The language, e.g. sw or ja
        code: String,
        /// The file to write: ending in .xlf or .xliff for XLIFF, otherwise YAML
        #[arg(long)]
        out: PathBuf,
    },
    /// Read a translated file back (YAML or XLIFF 2.0) into DIR/locales/<code>.yml; checked
    /// first, nothing is written on a problem
    Import {
        #[command(flatten)]
        dir: DirArg,
        /// The translated file
        path: PathBuf,
        /// The language, when the file does not say (XLIFF names it in trgLang)
        #[arg(long)]
        locale: Option<String>,
    },
}
