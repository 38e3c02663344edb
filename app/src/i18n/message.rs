//! A message to show later, in whichever language the reader has: a locale key and its
//! `%{name}` arguments. Problems found in files (configuration, playbooks) carry one, so the
//! command line and the pages can each say it in their reader's language.

/// A locale key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
    /// A message of its own that fills `%{error}`, in the same language (the reason
    /// behind "cannot write the secret key …: %{error}").
    pub detail: Option<Box<Message>>,
}

impl Message {
    pub fn new(key: &'static str, args: &[(&'static str, &str)]) -> Message {
        Message {
            key,
            args: args.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            detail: None,
        }
    }

    /// The same message, its `%{error}` said by `detail`.
    pub fn because(mut self, detail: Message) -> Message {
        self.detail = Some(Box::new(detail));
        self
    }

    /// The message in `locale`.
    pub fn text(&self, locale: &str) -> String {
        let detail = self.detail.as_ref().map(|d| d.text(locale));
        let mut args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(d) = &detail {
            args.push(("error", d));
        }
        super::tr_with(locale, self.key, &args)
    }
}

/// Why a file, a folder or a network address could not be used, without the operating
/// system's English.
pub fn io_problem(e: &std::io::Error) -> Message {
    use std::io::ErrorKind as K;
    let key = match e.kind() {
        K::NotFound => "problem.io.not_found",
        K::PermissionDenied => "problem.io.permission_denied",
        K::AlreadyExists => "problem.io.already_exists",
        K::AddrInUse => "problem.io.addr_in_use",
        K::AddrNotAvailable => "problem.io.addr_not_available",
        K::ConnectionRefused => "problem.io.connection_refused",
        K::TimedOut => "problem.io.timed_out",
        K::StorageFull | K::QuotaExceeded => "problem.io.storage_full",
        K::ReadOnlyFilesystem => "problem.io.read_only",
        K::IsADirectory => "problem.io.is_a_directory",
        K::NotADirectory => "problem.io.not_a_directory",
        K::InvalidData | K::UnexpectedEof => "problem.io.damaged",
        _ => match e.raw_os_error() {
            Some(code) => return Message::new("problem.io.other", &[("code", &code.to_string())]),
            None => "problem.io.unknown",
        },
    };
    Message::new(key, &[])
}

/// What is wrong with a JSON text, with its line and column.
pub fn json_problem(e: &serde_json::Error) -> Message {
    use serde_json::error::Category;
    let line = e.line().to_string();
    let column = e.column().to_string();
    match e.classify() {
        Category::Io => Message::new("problem.io.damaged", &[]),
        Category::Eof => Message::new("problem.json.eof", &[("line", &line)]),
        Category::Syntax => Message::new(
            "problem.json.syntax",
            &[("line", &line), ("column", &column)],
        ),
        Category::Data => {
            Message::new("problem.json.data", &[("line", &line), ("column", &column)])
        }
    }
}

/// What is wrong with a YAML text: where, and what to look at.
pub fn yaml_problem(e: &serde_yaml::Error) -> Message {
    match e.location() {
        Some(l) => Message::new(
            "problem.yaml",
            &[
                ("line", &l.line().to_string()),
                ("column", &l.column().to_string()),
            ],
        ),
        None => Message::new("problem.yaml_nowhere", &[]),
    }
}

impl std::fmt::Display for Message {
    /// English, for logs and for errors that go up through `?` (pages and the CLI say it
    /// in their reader's language with [`Message::text`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text("en"))
    }
}

/// What is wrong with a TOML text, said without the parser's English: the 1-based line
/// (within `source`) where it is, when known, and the message.
pub fn toml_problem(source: &str, e: &toml::de::Error) -> (Option<usize>, Message) {
    let (line, column) = match e.span() {
        Some(span) => {
            let start = span.start.min(source.len());
            let before = source.get(..start).unwrap_or(source);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            (
                Some(before.matches('\n').count() + 1),
                Some(before.get(line_start..).unwrap_or_default().chars().count() + 1),
            )
        }
        None => (None, None),
    };
    let detail = e.message();
    // The first `quoted` name in the parser's message: the field or key it is about.
    let quoted = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let message = if let Some(rest) = detail.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let name = names.first().cloned().unwrap_or_default();
        let known = names.get(1..).unwrap_or_default().join(", ");
        Message::new("toml.unknown_field", &[("name", &name), ("known", &known)])
    } else if let Some(rest) = detail.strip_prefix("missing field ") {
        let name = quoted(rest).first().cloned().unwrap_or_default();
        Message::new("toml.missing_field", &[("name", &name)])
    } else if detail.starts_with("duplicate key ") {
        let name = quoted(detail).first().cloned().unwrap_or_default();
        Message::new("toml.duplicate", &[("name", &name)])
    } else if detail.starts_with("invalid type: ") || detail.starts_with("invalid value: ") {
        let expected = detail.rsplit("expected ").next().unwrap_or_default();
        let number = expected.contains("integer")
            || expected.contains("float")
            || (expected.len() > 1
                && expected.starts_with(['u', 'i', 'f'])
                && expected[1..].chars().all(|c| c.is_ascii_digit()));
        let key = if expected.contains("string") {
            "toml.expected_text"
        } else if number {
            "toml.expected_number"
        } else if expected.contains("bool") {
            "toml.expected_boolean"
        } else if expected.contains("sequence") {
            "toml.expected_list"
        } else if expected.contains("map") || expected.contains("struct") {
            "toml.expected_table"
        } else {
            "toml.wrong_value"
        };
        Message::new(key, &[])
    } else if let Some(rest) = detail.strip_prefix("unknown variant ") {
        let names = quoted(rest);
        let value = names.first().cloned().unwrap_or_default();
        let known = names.get(1..).unwrap_or_default().join(", ");
        Message::new(
            "toml.unknown_value",
            &[("value", &value), ("known", &known)],
        )
    } else if let Some(column) = column {
        Message::new("toml.syntax", &[("column", &column.to_string())])
    } else {
        Message::new("toml.wrong_value", &[])
    };
    (line, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Conf {
        name: String,
        port: u16,
        #[serde(default)]
        on: bool,
    }

    fn problem(src: &str) -> (Option<usize>, String) {
        match toml::from_str::<Conf>(src) {
            Ok(_) => (None, "ok".into()),
            Err(e) => {
                let (line, m) = toml_problem(src, &e);
                (line, m.text("en"))
            }
        }
    }

    #[test]
    fn says_what_is_wrong_and_where_without_the_parsers_english() {
        let (line, m) = problem("name = \"x\"\nport = 1\nprot = 2\n");
        assert_eq!(line, Some(3));
        assert!(
            m.contains("\"prot\"") && m.contains("name, port, on"),
            "{m}"
        );
        let (_, m) = problem("port = 1\n");
        assert!(m.contains("\"name\""), "{m}");
        let (line, m) = problem("name = \"x\"\nport = \"eighty\"\n");
        assert_eq!(line, Some(2));
        assert!(m.contains("whole number"), "{m}");
        let (_, m) = problem("name = 1\nport = 1\n");
        assert!(m.contains("text in quotes"), "{m}");
        let (_, m) = problem("name = \"x\"\nport = 1\non = \"yes\"\n");
        assert!(m.contains("true or false"), "{m}");
        let (line, m) = problem("name = \"x\"\nname = \"y\"\nport = 1\n");
        assert_eq!(line, Some(2));
        assert!(m.contains("twice"), "{m}");
        let (line, m) = problem("name = \"x\"\nport = 1\nname x\n");
        assert_eq!(line, Some(3));
        assert!(m.contains("column 6"), "{m}");
        // The message is there in every bundled language, never the parser's English.
        let e = toml::from_str::<Conf>("name = \"x\nport=1\n").err();
        let (_, m) = toml_problem("name = \"x\nport=1\n", &e.unwrap_or_else(|| panic!()));
        assert!(!m.text("ja").contains("invalid"), "{}", m.text("ja"));
        assert!(m.text("ja").contains("TOML"));
    }
}
