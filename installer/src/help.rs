//! The command line's own words in the admin's language: every command's and option's
//! help, the headings, the `help` command, and the mistakes clap finds on the command line.
//!
//! The structure (commands, options, types) comes from the derive in [`crate::cli`]; the
//! words come from the `cli.help.*` locale keys (`locales/help/`), looked up by the command's
//! path: `cli.help.cmd.user.add.about` for what `hotline user add` does,
//! `cli.help.cmd.user.add.email` for its `--email`, `cli.help.arg.dir` for an option many
//! commands share. A unit test checks that every command and option has its text.

use std::process::ExitCode;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, ArgMatches, Command, CommandFactory};
use hotline_app::i18n;

use crate::cli::Cli;

/// The key prefix of command and option texts.
const CMD: &str = "cli.help.cmd";

/// The whole command tree, its texts in `locale`.
pub fn command(locale: &str) -> Command {
    // Named "hotline" in usage lines whatever the file is called (e.g. a test build).
    localize(Cli::command(), locale, "", true).bin_name("hotline")
}

/// What the command line asked for: a command to run, or help that has been printed
/// (or a mistake that has been explained) with the exit code to end with.
pub enum Parsed {
    Run(Box<Cli>),
    Done(ExitCode),
}

/// Reads the command line (`args`, the program name first) in the admin's `locale`.
pub fn parse<I, T>(locale: &str, args: I) -> Parsed
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let root = command(locale);
    let matches = match root.clone().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return Parsed::Done(report(locale, &e)),
    };
    if let Some(names) = help_request(&matches) {
        return Parsed::Done(print_help_of(locale, root, &names));
    }
    use clap::FromArgMatches;
    match Cli::from_arg_matches(&matches) {
        Ok(cli) => Parsed::Run(Box::new(cli)),
        Err(e) => Parsed::Done(report(locale, &e)),
    }
}

fn text(locale: &str, key: &str) -> String {
    i18n::tr(locale, key)
}

/// The key of an option's text: the command's own, else the shared one.
fn arg_key(path: &str, id: &str) -> String {
    let own = format!("{CMD}{path}.{id}");
    if i18n::has_key(&own) {
        own
    } else {
        format!("cli.help.arg.{id}")
    }
}

fn localize(cmd: Command, locale: &str, path: &str, root: bool) -> Command {
    let options = text(locale, "cli.help.options");
    let arguments = text(locale, "cli.help.arguments");
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        text(locale, "cli.help.usage")
    );
    let mut cmd = cmd
        .about(text(locale, &format!("{CMD}{path}.about")))
        .help_template(template.clone())
        .subcommand_help_heading(text(locale, "cli.help.commands"))
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .mut_args(|a| {
            let key = arg_key(path, a.get_id().as_str());
            let heading = if a.is_positional() {
                &arguments
            } else {
                &options
            };
            let a = a
                .help(text(locale, &key))
                .help_heading(heading.clone())
                .hide_env(true);
            // The texts say the defaults and choices in the admin's language.
            if a.get_action().takes_values() {
                a.hide_default_value(true).hide_possible_values(true)
            } else {
                a
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(text(locale, "cli.help.flag_help"))
                .help_heading(options.clone()),
        );
    let after = format!("{CMD}{path}.after");
    if i18n::has_key(&after) {
        cmd = cmd.after_help(text(locale, &after));
    }
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(text(locale, "cli.help.flag_version"))
                .help_heading(options),
        );
    }
    if cmd.has_subcommands() {
        cmd = cmd.mut_subcommands(|sub| {
            let key = sub.get_name().replace('-', "_");
            localize(sub, locale, &format!("{path}.{key}"), false)
        });
        cmd = cmd.subcommand(
            Command::new("help")
                .about(text(locale, "cli.help.help_command"))
                .help_template(template)
                .disable_help_flag(true)
                .arg(
                    Arg::new("command")
                        .num_args(0..)
                        .action(ArgAction::Append)
                        .value_name("COMMAND")
                        .help(text(locale, "cli.help.help_command_arg"))
                        .help_heading(arguments),
                ),
        );
    }
    cmd
}

/// `hotline user help add` → `["user", "add"]`: the command path whose help was asked for.
fn help_request(matches: &ArgMatches) -> Option<Vec<String>> {
    let mut path = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        if name == "help" {
            path.extend(
                sub.get_many::<String>("command")
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            return Some(path);
        }
        path.push(name.to_string());
        m = sub;
    }
    None
}

fn print_help_of(locale: &str, mut root: Command, names: &[String]) -> ExitCode {
    // Built once so that every command knows its full name ("hotline user add").
    root.build();
    let mut cmd = &mut root;
    for name in names {
        match cmd.find_subcommand_mut(name) {
            Some(sub) => cmd = sub,
            None => {
                eprintln!(
                    "{} {}\n\n{}",
                    text(locale, "cli.error_prefix"),
                    i18n::tr_with(locale, "cli.help.error.unknown_command", &[("name", name)]),
                    text(locale, "cli.help.more")
                );
                return ExitCode::from(2);
            }
        }
    }
    let help = cmd.render_help().to_string();
    println!("{}", help.trim_end());
    ExitCode::SUCCESS
}

fn context_str(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(StyledStr::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The sentence saying what is wrong with the command line, in `locale`.
fn explain(locale: &str, e: &clap::Error) -> String {
    let get = |k| context_str(e, k).unwrap_or_default();
    let arg = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let tw = |key: &str, args: &[(&str, &str)]| i18n::tr_with(locale, key, args);
    let mut lines = vec![match e.kind() {
        ErrorKind::InvalidValue if value.is_empty() => {
            tw("cli.help.error.value_required", &[("arg", &arg)])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => tw(
            "cli.help.error.invalid_value",
            &[("arg", &arg), ("value", &value)],
        ),
        ErrorKind::UnknownArgument => tw("cli.help.error.unknown_argument", &[("arg", &arg)]),
        ErrorKind::InvalidSubcommand => tw(
            "cli.help.error.unknown_command",
            &[("name", &get(ContextKind::InvalidSubcommand))],
        ),
        ErrorKind::NoEquals => tw("cli.help.error.no_equals", &[("arg", &arg)]),
        ErrorKind::TooManyValues => tw(
            "cli.help.error.too_many_values",
            &[("arg", &arg), ("value", &value)],
        ),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            tw("cli.help.error.wrong_number", &[("arg", &arg)])
        }
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            if prior == arg || prior.is_empty() {
                tw("cli.help.error.repeated", &[("arg", &arg)])
            } else {
                tw(
                    "cli.help.error.conflict",
                    &[("arg", &arg), ("other", &prior)],
                )
            }
        }
        ErrorKind::MissingRequiredArgument => {
            tw("cli.help.error.missing_argument", &[("args", &arg)])
        }
        ErrorKind::MissingSubcommand => tw(
            "cli.help.error.missing_command",
            &[
                ("name", &get(ContextKind::InvalidSubcommand)),
                ("commands", &get(ContextKind::ValidSubcommand)),
            ],
        ),
        ErrorKind::InvalidUtf8 => text(locale, "cli.help.error.invalid_utf8"),
        _ => text(locale, "cli.help.error.other"),
    }];
    if let Some(valid) = context_str(e, ContextKind::ValidValue).filter(|v| !v.is_empty()) {
        lines.push(tw("cli.help.error.possible_values", &[("values", &valid)]));
    }
    for kind in [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ] {
        if let Some(s) = context_str(e, kind) {
            lines.push(tw("cli.help.error.did_you_mean", &[("suggestion", &s)]));
        }
    }
    lines.join("\n")
}

/// Prints help or version (exit 0), or explains a mistake on the command line (exit 2).
fn report(locale: &str, e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let mut out = format!(
        "{} {}",
        text(locale, "cli.error_prefix"),
        explain(locale, e)
    );
    if let Some(usage) = context_str(e, ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        out.push_str(&format!("\n\n{} {usage}", text(locale, "cli.help.usage")));
    }
    out.push_str(&format!("\n\n{}", text(locale, "cli.help.more")));
    eprintln!("{out}");
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(cmd: &Command, path: &str, out: &mut Vec<String>) {
        if cmd.get_name() != "help" {
            out.push(format!("{CMD}{path}.about"));
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id != "help" && id != "version" {
                    out.push(arg_key(path, id));
                }
            }
        }
        for sub in cmd.get_subcommands() {
            let key = sub.get_name().replace('-', "_");
            all(sub, &format!("{path}.{key}"), out);
        }
    }

    #[test]
    fn every_command_and_option_has_its_text() {
        let mut keys = Vec::new();
        all(&Cli::command(), "", &mut keys);
        assert!(keys.len() > 60, "only {} texts", keys.len());
        for key in keys {
            assert!(i18n::has_key(&key), "{key} is not in locales/help/en.yml");
        }
    }

    #[test]
    fn the_tree_is_valid_in_every_language() {
        for locale in hotline_app::config::BUNDLED_LOCALES {
            command(locale).debug_assert();
        }
    }

    #[test]
    fn mistakes_and_help_requests() {
        let cmd = || command("en");
        let e = cmd()
            .try_get_matches_from(["hotline", "user", "ad"])
            .err()
            .map(|e| explain("en", &e));
        let e = e.unwrap_or_default();
        assert!(e.contains("\"ad\""), "{e}");
        assert!(e.contains("add"), "{e}");
        let m = cmd()
            .try_get_matches_from(["hotline", "user", "help", "add"])
            .ok();
        assert_eq!(
            m.as_ref().and_then(help_request),
            Some(vec!["user".to_string(), "add".to_string()])
        );
    }
}
