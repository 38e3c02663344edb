//! The command line's structure: commands, options and their types.
//!
//! The words (what each command and option is for, the examples) are not here but in the
//! `cli.help.*` locale keys (`locales/help/`), so that `--help` speaks the admin's language;
//! [`crate::help`] puts them on this tree.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "hotline", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// How a command finds an existing deployment: --dir, else $HOTLINE_DIR, else the current
// directory.
#[derive(Args, Debug, Clone)]
pub struct DirArg {
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
    Init(InitArgs),
    Serve {
        #[arg(long)]
        listen: Option<String>,
        #[command(flatten)]
        dir: DirArg,
    },
    Demo {
        dir: Option<PathBuf>,
        #[arg(long)]
        listen: Option<String>,
        #[arg(long, requires = "dir")]
        no_serve: bool,
    },
    #[command(subcommand)]
    User(UserCommand),
    #[command(subcommand)]
    Directory(DirectoryCommand),
    #[command(subcommand)]
    Bundle(BundleCommand),
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    #[command(subcommand)]
    Locale(LocaleCommand),
    Migrate {
        #[command(flatten)]
        dir: DirArg,
    },
    Doctor {
        #[command(flatten)]
        dir: DirArg,
    },
    Completions {
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug, Default, Clone)]
pub struct InitArgs {
    pub dir: PathBuf,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub locales: Option<String>,
    #[arg(long)]
    pub timezone: Option<String>,
    #[arg(long)]
    pub emergency_number: Option<String>,
    #[arg(long)]
    pub phone_number: Option<String>,
    #[arg(long)]
    pub sms_number: Option<String>,
    #[arg(long)]
    pub admin_email: Option<String>,
    #[arg(long)]
    pub admin_password_file: Option<PathBuf>,
    #[arg(long)]
    pub database_url: Option<String>,
    #[arg(long)]
    pub listen: Option<String>,
    #[arg(long)]
    pub public_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        locale: Option<String>,
        #[arg(long)]
        password_file: Option<PathBuf>,
        #[command(flatten)]
        dir: DirArg,
    },
    List {
        #[command(flatten)]
        dir: DirArg,
    },
    Disable {
        email: String,
        #[command(flatten)]
        dir: DirArg,
    },
    Enable {
        email: String,
        #[command(flatten)]
        dir: DirArg,
    },
    Unlock {
        email: String,
        #[command(flatten)]
        dir: DirArg,
    },
    ResetPassword {
        email: String,
        #[arg(long)]
        password_file: Option<PathBuf>,
        #[command(flatten)]
        dir: DirArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    Export {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        dir: DirArg,
    },
    Import {
        path: PathBuf,
        #[command(flatten)]
        dir: DirArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum DirectoryCommand {
    Export {
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        dir: DirArg,
    },
    Import {
        path: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        dir: DirArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlaybookCommand {
    List {
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        dir: DirArg,
    },
    Show {
        id: String,
        #[arg(long)]
        locale: Option<String>,
        #[arg(long)]
        source: bool,
        #[command(flatten)]
        dir: DirArg,
    },
    Export {
        ids: Vec<String>,
        #[arg(long)]
        locale: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        dir: DirArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum LocaleCommand {
    Add {
        code: String,
        #[command(flatten)]
        dir: DirArg,
    },
    List {
        #[command(flatten)]
        dir: DirArg,
    },
    Check {
        #[command(flatten)]
        dir: DirArg,
    },
    Export {
        code: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        dir: DirArg,
    },
    Import {
        path: PathBuf,
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        dir: DirArg,
    },
}
