//! Open Referral HSDS 3.0 exchange: the tabular data package (`datapackage.json` and CSV
//! files) and JSON. Export is deterministic (ids of derived rows are name-based UUIDs, rows
//! are sorted), so export → import → export gives identical files. Import checks everything
//! first and then writes in one transaction: a package with any error imports nothing.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::store::{self, format_uuid, is_uuid, Organization, Service, CATEGORIES, POPULATIONS};
use crate::audit::{self, Actor, Event};
use crate::db::{Db, DbError};

/// Our taxonomy's name in HSDS `taxonomy_term.taxonomy`.
pub const TAXONOMY: &str = "hotline-in-a-box";

/// A directory as exchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    pub organizations: Vec<Organization>,
    pub services: Vec<Service>,
}

/// One problem found in an import, naming where it is. What is wrong is a locale key with
/// its arguments, rendered in the reader's language by [`Problem::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line in the file (the header is line 1), 0 when not known.
    pub line: u64,
    pub field: String,
    /// What is wrong: a `directory.problem.*` key and its arguments.
    pub problem: crate::i18n::Message,
}

impl Problem {
    fn new(
        file: impl Into<String>,
        line: u64,
        field: impl Into<String>,
        key: &'static str,
    ) -> Problem {
        Problem {
            file: file.into(),
            line,
            field: field.into(),
            problem: crate::i18n::Message::new(key, &[]),
        }
    }

    fn arg(mut self, name: &'static str, value: impl Into<String>) -> Problem {
        self.problem.args.push((name, value.into()));
        self
    }

    /// The same problem, its `%{error}` said by `detail`.
    fn because(mut self, detail: crate::i18n::Message) -> Problem {
        self.problem = self.problem.because(detail);
        self
    }

    /// What is wrong, in `locale`.
    pub fn message(&self, locale: &str) -> String {
        self.problem.text(locale)
    }

    /// `file:line: field: message`, in `locale`.
    pub fn text(&self, locale: &str) -> String {
        format!(
            "{}:{}: {}: {}",
            self.file,
            self.line,
            self.field,
            self.message(locale)
        )
    }
}

/// A name-based UUID (version 5 layout over SHA-256), stable across exports.
fn derived_uuid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(b"hotline-in-a-box:");
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    format_uuid(&b)
}

fn term_id(code: &str) -> String {
    derived_uuid(&["term", code])
}

/// Every taxonomy term this kit uses: `category:<c>`, `population:<p>`, and the organisation
/// facts `vetting_tier`, `accepts_warm_transfers`, `last_verified`.
fn terms() -> Vec<String> {
    let mut t: Vec<String> = CATEGORIES.iter().map(|c| format!("category:{c}")).collect();
    t.extend(POPULATIONS.iter().map(|p| format!("population:{p}")));
    t.extend(["vetting_tier", "accepts_warm_transfers", "last_verified"].map(String::from));
    t
}

/// Reads the whole directory.
pub async fn load(db: &Db) -> Result<Package, DbError> {
    Ok(Package {
        organizations: store::organizations(db).await?,
        services: store::services(db).await?,
    })
}

fn csv_text(header: &[&str], mut rows: Vec<Vec<String>>) -> String {
    rows.sort();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The tables written: our name for each, HSDS 3.0's file name, and the columns filled.
const FILES: &[(&str, &str, &[&str])] = &[
    (
        "organization",
        "organizations",
        &["id", "name", "description", "email", "website"],
    ),
    (
        "service",
        "services",
        &[
            "id",
            "organization_id",
            "name",
            "description",
            "status",
            "email",
            "url",
        ],
    ),
    (
        "phone",
        "phones",
        &["id", "organization_id", "service_id", "number"],
    ),
    (
        "language",
        "languages",
        &["id", "service_id", "name", "code"],
    ),
    (
        "schedule",
        "schedules",
        &["id", "service_id", "description"],
    ),
    (
        "service_area",
        "service_areas",
        &["id", "service_id", "name"],
    ),
    (
        "taxonomy_term",
        "taxonomy_terms",
        &["id", "code", "name", "description", "taxonomy"],
    ),
    (
        "attribute",
        "attributes",
        &[
            "id",
            "link_id",
            "taxonomy_term_id",
            "link_type",
            "link_entity",
            "value",
        ],
    ),
];

/// The tabular data package: file name → contents.
pub fn to_tabular(p: &Package) -> BTreeMap<String, String> {
    let mut tables: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
    let mut add = |t: &'static str, row: Vec<String>| tables.entry(t).or_default().push(row);
    let s = |x: &str| x.to_string();
    for o in &p.organizations {
        add(
            "organization",
            vec![
                s(&o.id),
                s(&o.name),
                s(&o.description),
                s(&o.email),
                s(&o.website),
            ],
        );
        let mut facts = Vec::new();
        if let Some(t) = o.vetting_tier {
            facts.push(("vetting_tier", t.to_string()));
        }
        if o.accepts_warm_transfers {
            facts.push(("accepts_warm_transfers", "true".into()));
        }
        if let Some(d) = &o.last_verified {
            facts.push(("last_verified", d.clone()));
        }
        for (code, value) in facts {
            add(
                "attribute",
                vec![
                    derived_uuid(&["attr", &o.id, code]),
                    s(&o.id),
                    term_id(code),
                    String::new(),
                    s("organization"),
                    value,
                ],
            );
        }
    }
    for v in &p.services {
        add(
            "service",
            vec![
                s(&v.id),
                s(&v.organization_id),
                s(&v.name),
                s(&v.description),
                s(&v.status),
                s(&v.email),
                s(&v.url),
            ],
        );
        if !v.phone.is_empty() {
            add(
                "phone",
                vec![
                    derived_uuid(&["phone", &v.id, &v.phone]),
                    String::new(),
                    s(&v.id),
                    s(&v.phone),
                ],
            );
        }
        for l in &v.languages {
            add(
                "language",
                vec![
                    derived_uuid(&["language", &v.id, l]),
                    s(&v.id),
                    String::new(),
                    s(l),
                ],
            );
        }
        if !v.hours.is_empty() {
            add(
                "schedule",
                vec![derived_uuid(&["schedule", &v.id]), s(&v.id), s(&v.hours)],
            );
        }
        for a in v.area.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            add(
                "service_area",
                vec![derived_uuid(&["area", &v.id, a]), s(&v.id), s(a)],
            );
        }
        let coded = v
            .categories
            .iter()
            .map(|c| format!("category:{c}"))
            .chain(v.populations.iter().map(|p| format!("population:{p}")));
        for code in coded {
            add(
                "attribute",
                vec![
                    derived_uuid(&["attr", &v.id, &code]),
                    s(&v.id),
                    term_id(&code),
                    String::new(),
                    s("service"),
                    String::new(),
                ],
            );
        }
    }
    for code in terms() {
        add(
            "taxonomy_term",
            vec![
                term_id(&code),
                code.clone(),
                code.clone(),
                String::new(),
                s(TAXONOMY),
            ],
        );
    }
    let mut out = BTreeMap::new();
    let mut resources = Vec::new();
    for (table, file, header) in FILES {
        let rows = tables.remove(table).unwrap_or_default();
        out.insert(format!("{file}.csv"), csv_text(header, rows));
        resources.push(serde_json::json!({
            "name": file,
            "path": format!("{file}.csv"),
            "profile": "tabular-data-resource",
            "schema": {"fields": header.iter().map(|f| serde_json::json!({"name": f, "type": "string"})).collect::<Vec<_>>()},
        }));
    }
    let package = serde_json::json!({
        "name": "hotline-directory",
        "profile": "tabular-data-package",
        "title": "Referral directory (Open Referral HSDS 3.0)",
        "resources": resources,
    });
    out.insert(
        "datapackage.json".into(),
        serde_json::to_string_pretty(&package).unwrap_or_default() + "\n",
    );
    out
}

/// Rows of one CSV file as header → value maps, with line numbers; problems for unreadable
/// rows (bad encoding, ragged rows).
fn read_csv(
    file: &str,
    bytes: &[u8],
    problems: &mut Vec<Problem>,
) -> Vec<(u64, BTreeMap<String, String>)> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h
            .iter()
            .map(|x| x.trim().trim_start_matches('\u{feff}').to_string())
            .collect(),
        Err(e) => {
            problems.push(csv_problem(file, 1, &e));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                // The reader counts the lines before a record; people count from 1.
                let line = r.position().map_or(0, |p| p.line() + 1);
                out.push((
                    line,
                    header
                        .iter()
                        .cloned()
                        .zip(r.iter().map(str::to_string))
                        .collect(),
                ));
            }
            Err(e) => problems.push(csv_problem(
                file,
                e.position().map_or(0, |p| p.line() + 1),
                &e,
            )),
        }
    }
    out
}

fn csv_problem(file: &str, line: u64, e: &csv::Error) -> Problem {
    let at = |key| Problem::new(file, line, "", key);
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => at("directory.problem.not_utf8"),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => at("directory.problem.ragged")
            .arg("fields", len.to_string())
            .arg("expected", expected_len.to_string()),
        csv::ErrorKind::Io(io) => {
            at("directory.problem.unreadable").because(crate::i18n::message::io_problem(io))
        }
        _ => at("directory.problem.unreadable").because(crate::i18n::Message::new(
            "problem.csv",
            &[("line", &line.to_string())],
        )),
    }
}

/// Reads a tabular package (file name → bytes), checking every row.
pub fn from_tabular(files: &BTreeMap<String, Vec<u8>>) -> Result<Package, Vec<Problem>> {
    let mut problems = Vec::new();
    if !files.contains_key("datapackage.json") {
        problems.push(Problem::new(
            "datapackage.json",
            0,
            "",
            "directory.problem.missing",
        ));
    } else if serde_json::from_slice::<serde_json::Value>(&files["datapackage.json"]).is_err() {
        problems.push(Problem::new(
            "datapackage.json",
            0,
            "",
            "directory.problem.not_json",
        ));
    }
    // HSDS 3.0 names files in the plural; drafts and some tools use the singular.
    let table = |name: &str, required: bool, problems: &mut Vec<Problem>| {
        let plural = FILES
            .iter()
            .find(|(t, _, _)| *t == name)
            .map_or(name, |(_, f, _)| *f);
        let file = format!("{plural}.csv");
        let alt = format!("{name}.csv");
        let found = files
            .get(&file)
            .map(|b| (file.clone(), b))
            .or_else(|| files.get(&alt).map(|b| (alt.clone(), b)));
        match found {
            Some((found_name, b)) => read_csv(&found_name, b, problems),
            None => {
                if required {
                    problems.push(Problem::new(
                        file.clone(),
                        0,
                        "",
                        "directory.problem.missing",
                    ));
                }
                Vec::new()
            }
        }
    };
    let orgs_rows = table("organization", true, &mut problems);
    let service_rows = table("service", true, &mut problems);
    let phone_rows = table("phone", false, &mut problems);
    let language_rows = table("language", false, &mut problems);
    let schedule_rows = table("schedule", false, &mut problems);
    let area_rows = table("service_area", false, &mut problems);
    let term_rows = table("taxonomy_term", false, &mut problems);
    let attr_rows = table("attribute", false, &mut problems);

    let get = |row: &BTreeMap<String, String>, k: &str| {
        row.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
    };
    let check_id = |file: &str,
                    line: u64,
                    field: &str,
                    value: &str,
                    required: bool,
                    problems: &mut Vec<Problem>|
     -> bool {
        if value.is_empty() {
            if required {
                problems.push(Problem::new(
                    file,
                    line,
                    field,
                    "directory.problem.required",
                ));
            }
            return false;
        }
        if !is_uuid(value) {
            problems.push(
                Problem::new(file, line, field, "directory.problem.not_uuid").arg("value", value),
            );
            return false;
        }
        true
    };

    let mut organizations = Vec::new();
    for (line, r) in &orgs_rows {
        let id = get(r, "id");
        check_id("organizations.csv", *line, "id", &id, true, &mut problems);
        let name = get(r, "name");
        if name.is_empty() {
            problems.push(Problem::new(
                "organizations.csv",
                *line,
                "name",
                "directory.problem.required",
            ));
        }
        organizations.push(Organization {
            id,
            name,
            description: get(r, "description"),
            email: get(r, "email"),
            website: get(r, "website"),
            ..Organization::default()
        });
    }
    let org_ids: BTreeSet<String> = organizations.iter().map(|o| o.id.clone()).collect();
    let mut services = Vec::new();
    for (line, r) in &service_rows {
        let id = get(r, "id");
        check_id("services.csv", *line, "id", &id, true, &mut problems);
        let org = get(r, "organization_id");
        if check_id(
            "services.csv",
            *line,
            "organization_id",
            &org,
            true,
            &mut problems,
        ) && !org_ids.contains(&org)
        {
            problems.push(
                Problem::new(
                    "services.csv",
                    *line,
                    "organization_id",
                    "directory.problem.unknown_organization",
                )
                .arg("id", &org),
            );
        }
        let name = get(r, "name");
        if name.is_empty() {
            problems.push(Problem::new(
                "services.csv",
                *line,
                "name",
                "directory.problem.required",
            ));
        }
        let status = match get(r, "status").as_str() {
            "" | "active" => "active".to_string(),
            "inactive" | "defunct" | "temporarily closed" => "inactive".to_string(),
            other => {
                problems.push(
                    Problem::new(
                        "services.csv",
                        *line,
                        "status",
                        "directory.problem.unknown_status",
                    )
                    .arg("value", other),
                );
                String::new()
            }
        };
        services.push(Service {
            id,
            organization_id: org,
            name,
            description: get(r, "description"),
            status,
            email: get(r, "email"),
            url: get(r, "url"),
            ..Service::default()
        });
    }
    let service_index: BTreeMap<String, usize> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let service_of = |file: &str,
                      line: u64,
                      r: &BTreeMap<String, String>,
                      problems: &mut Vec<Problem>|
     -> Option<usize> {
        let sid = get(r, "service_id");
        if !check_id(file, line, "service_id", &sid, true, problems) {
            return None;
        }
        match service_index.get(&sid) {
            Some(i) => Some(*i),
            None => {
                problems.push(
                    Problem::new(
                        file,
                        line,
                        "service_id",
                        "directory.problem.unknown_service",
                    )
                    .arg("id", &sid),
                );
                None
            }
        }
    };
    for (line, r) in &phone_rows {
        let oid = get(r, "organization_id");
        if !get(r, "service_id").is_empty() {
            if let Some(i) = service_of("phones.csv", *line, r, &mut problems) {
                services[i].phone = get(r, "number");
            }
        } else if !oid.is_empty() && !org_ids.contains(&oid) {
            problems.push(
                Problem::new(
                    "phones.csv",
                    *line,
                    "organization_id",
                    "directory.problem.unknown_organization",
                )
                .arg("id", &oid),
            );
        }
    }
    for (line, r) in &language_rows {
        if let Some(i) = service_of("languages.csv", *line, r, &mut problems) {
            let code = get(r, "code");
            if !code.is_empty() {
                services[i].languages.push(code);
            }
        }
    }
    for (line, r) in &schedule_rows {
        if let Some(i) = service_of("schedules.csv", *line, r, &mut problems) {
            services[i].hours = get(r, "description");
        }
    }
    for (line, r) in &area_rows {
        if let Some(i) = service_of("service_areas.csv", *line, r, &mut problems) {
            let name = get(r, "name");
            if !name.is_empty() {
                let area = &mut services[i].area;
                if !area.is_empty() {
                    area.push(',');
                }
                area.push_str(&name);
            }
        }
    }
    // Taxonomy terms: ours are understood; others are kept out without complaint.
    let mut term_codes: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (line, r) in &term_rows {
        let id = get(r, "id");
        if check_id("taxonomy_terms.csv", *line, "id", &id, true, &mut problems) {
            let ours = get(r, "taxonomy") == TAXONOMY;
            term_codes.insert(id, ours.then(|| get(r, "code")));
        }
    }
    for (line, r) in &attr_rows {
        let link = get(r, "link_id");
        let term = get(r, "taxonomy_term_id");
        let ok_link = check_id(
            "attributes.csv",
            *line,
            "link_id",
            &link,
            true,
            &mut problems,
        );
        let ok_term = check_id(
            "attributes.csv",
            *line,
            "taxonomy_term_id",
            &term,
            true,
            &mut problems,
        );
        if !(ok_link && ok_term) {
            continue;
        }
        let Some(code) = term_codes.get(&term) else {
            problems.push(
                Problem::new(
                    "attributes.csv",
                    *line,
                    "taxonomy_term_id",
                    "directory.problem.unknown_term",
                )
                .arg("id", &term),
            );
            continue;
        };
        let Some(code) = code else { continue };
        let value = get(r, "value");
        // HSDS 3.0 names the linked table in link_entity (older files used link_type).
        let entity = match get(r, "link_entity") {
            e if e.is_empty() => get(r, "link_type"),
            e => e,
        };
        match entity.as_str() {
            "organization" => {
                let Some(o) = organizations.iter_mut().find(|o| o.id == link) else {
                    problems.push(
                        Problem::new(
                            "attributes.csv",
                            *line,
                            "link_id",
                            "directory.problem.no_organization",
                        )
                        .arg("id", &link),
                    );
                    continue;
                };
                match code.as_str() {
                    "vetting_tier" => match value.parse::<i64>() {
                        Ok(t) if (1..=4).contains(&t) => o.vetting_tier = Some(t),
                        _ => problems.push(Problem::new(
                            "attributes.csv",
                            *line,
                            "value",
                            "directory.problem.vetting_tier",
                        )),
                    },
                    "accepts_warm_transfers" => o.accepts_warm_transfers = value == "true",
                    "last_verified" => {
                        if value.parse::<jiff::civil::Date>().is_ok() {
                            o.last_verified = Some(value);
                        } else {
                            problems.push(
                                Problem::new(
                                    "attributes.csv",
                                    *line,
                                    "value",
                                    "directory.problem.not_date",
                                )
                                .arg("value", &value),
                            );
                        }
                    }
                    _ => {}
                }
            }
            "service" => {
                let Some(i) = service_index.get(&link) else {
                    problems.push(
                        Problem::new(
                            "attributes.csv",
                            *line,
                            "link_id",
                            "directory.problem.no_service",
                        )
                        .arg("id", &link),
                    );
                    continue;
                };
                if let Some(c) = code
                    .strip_prefix("category:")
                    .filter(|c| CATEGORIES.contains(c))
                {
                    services[*i].categories.push(c.to_string());
                } else if let Some(p) = code
                    .strip_prefix("population:")
                    .filter(|p| POPULATIONS.contains(p))
                {
                    services[*i].populations.push(p.to_string());
                }
            }
            other => problems.push(
                Problem::new(
                    "attributes.csv",
                    *line,
                    "link_entity",
                    "directory.problem.unknown_link_entity",
                )
                .arg("value", other),
            ),
        }
    }
    duplicates(&organizations, &services, &mut problems);
    if problems.is_empty() {
        Ok(normalized(Package {
            organizations,
            services,
        }))
    } else {
        Err(problems)
    }
}

fn duplicates(orgs: &[Organization], services: &[Service], problems: &mut Vec<Problem>) {
    let mut seen = BTreeSet::new();
    for o in orgs {
        if !seen.insert(&o.id) {
            problems.push(
                Problem::new("organizations.csv", 0, "id", "directory.problem.twice")
                    .arg("id", &o.id),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for s in services {
        if !seen.insert(&s.id) {
            problems.push(
                Problem::new("services.csv", 0, "id", "directory.problem.twice").arg("id", &s.id),
            );
        }
    }
}

/// Sorted lists, so equal directories compare equal.
fn normalized(mut p: Package) -> Package {
    for s in &mut p.services {
        s.categories.sort();
        s.categories.dedup();
        s.populations.sort();
        s.populations.dedup();
        s.languages.sort();
        s.languages.dedup();
    }
    p
}

// ---------------------------------------------------------------- JSON

/// The directory as HSDS 3.0 JSON: organisations with their services nested.
pub fn to_json(p: &Package) -> String {
    let attr = |code: String, value: String| serde_json::json!({"taxonomy_term": {"id": term_id(&code), "code": code, "taxonomy": TAXONOMY}, "value": value});
    let orgs: Vec<serde_json::Value> = p
        .organizations
        .iter()
        .map(|o| {
            let mut attributes = Vec::new();
            if let Some(t) = o.vetting_tier {
                attributes.push(attr("vetting_tier".into(), t.to_string()));
            }
            if o.accepts_warm_transfers {
                attributes.push(attr("accepts_warm_transfers".into(), "true".into()));
            }
            if let Some(d) = &o.last_verified {
                attributes.push(attr("last_verified".into(), d.clone()));
            }
            let services: Vec<serde_json::Value> = p
                .services
                .iter()
                .filter(|s| s.organization_id == o.id)
                .map(|s| {
                    let attributes: Vec<serde_json::Value> = s
                        .categories
                        .iter()
                        .map(|c| attr(format!("category:{c}"), String::new()))
                        .chain(s.populations.iter().map(|x| attr(format!("population:{x}"), String::new())))
                        .collect();
                    serde_json::json!({
                        "id": s.id, "organization_id": s.organization_id, "name": s.name,
                        "description": s.description, "status": s.status, "email": s.email, "url": s.url,
                        "phones": if s.phone.is_empty() { vec![] } else { vec![serde_json::json!({"number": s.phone})] },
                        "languages": s.languages.iter().map(|l| serde_json::json!({"code": l})).collect::<Vec<_>>(),
                        "schedules": if s.hours.is_empty() { vec![] } else { vec![serde_json::json!({"description": s.hours})] },
                        "service_areas": s.area.split(',').map(str::trim).filter(|a| !a.is_empty()).map(|a| serde_json::json!({"name": a})).collect::<Vec<_>>(),
                        "attributes": attributes,
                    })
                })
                .collect();
            serde_json::json!({
                "id": o.id, "name": o.name, "description": o.description, "email": o.email,
                "website": o.website, "attributes": attributes, "services": services,
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({"organizations": orgs})).unwrap_or_default()
        + "\n"
}

/// Reads HSDS JSON written by [`to_json`] (or by another tool in the same shape).
pub fn from_json(file: &str, bytes: &[u8]) -> Result<Package, Vec<Problem>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Problem::new(file, 0, "", "directory.problem.not_utf8_at")
            .arg("byte", e.valid_up_to().to_string())]
    })?;
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        vec![
            Problem::new(file, e.line() as u64, "", "directory.problem.bad_json")
                .because(crate::i18n::message::json_problem(&e)),
        ]
    })?;
    // Turn the nested JSON into the tabular rows, then reuse the tabular checks.
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut tables: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
    let empty = Vec::new();
    let list = |x: &serde_json::Value, k: &str| {
        x.get(k)
            .and_then(|a| a.as_array())
            .cloned()
            .unwrap_or_default()
    };
    let orgs = v
        .get("organizations")
        .and_then(|a| a.as_array())
        .unwrap_or(&empty);
    if v.get("organizations").and_then(|a| a.as_array()).is_none() {
        return Err(vec![Problem::new(
            file,
            0,
            "organizations",
            "directory.problem.required_array",
        )]);
    }
    for o in orgs {
        let oid = s(&o["id"]);
        tables.entry("organization").or_default().push(vec![
            oid.clone(),
            s(&o["name"]),
            s(&o["description"]),
            s(&o["email"]),
            s(&o["website"]),
        ]);
        for a in list(o, "attributes") {
            let t = &a["taxonomy_term"];
            let code = s(&t["code"]);
            tables.entry("taxonomy_term").or_default().push(vec![
                s(&t["id"]),
                code.clone(),
                code,
                String::new(),
                s(&t["taxonomy"]),
            ]);
            tables.entry("attribute").or_default().push(vec![
                derived_uuid(&["json", &oid, &s(&t["id"])]),
                oid.clone(),
                s(&t["id"]),
                String::new(),
                "organization".into(),
                s(&a["value"]),
            ]);
        }
        for svc in list(o, "services") {
            let sid = s(&svc["id"]);
            let org_ref = if svc.get("organization_id").is_some() {
                s(&svc["organization_id"])
            } else {
                oid.clone()
            };
            tables.entry("service").or_default().push(vec![
                sid.clone(),
                org_ref,
                s(&svc["name"]),
                s(&svc["description"]),
                s(&svc["status"]),
                s(&svc["email"]),
                s(&svc["url"]),
            ]);
            for ph in list(&svc, "phones") {
                tables.entry("phone").or_default().push(vec![
                    derived_uuid(&["phone", &sid, &s(&ph["number"])]),
                    String::new(),
                    sid.clone(),
                    s(&ph["number"]),
                ]);
            }
            for l in list(&svc, "languages") {
                tables.entry("language").or_default().push(vec![
                    derived_uuid(&["language", &sid, &s(&l["code"])]),
                    sid.clone(),
                    String::new(),
                    s(&l["code"]),
                ]);
            }
            for sc in list(&svc, "schedules") {
                tables.entry("schedule").or_default().push(vec![
                    derived_uuid(&["schedule", &sid]),
                    sid.clone(),
                    s(&sc["description"]),
                ]);
            }
            for ar in list(&svc, "service_areas") {
                tables.entry("service_area").or_default().push(vec![
                    derived_uuid(&["area", &sid, &s(&ar["name"])]),
                    sid.clone(),
                    s(&ar["name"]),
                ]);
            }
            for a in list(&svc, "attributes") {
                let t = &a["taxonomy_term"];
                let code = s(&t["code"]);
                tables.entry("taxonomy_term").or_default().push(vec![
                    s(&t["id"]),
                    code.clone(),
                    code,
                    String::new(),
                    s(&t["taxonomy"]),
                ]);
                tables.entry("attribute").or_default().push(vec![
                    derived_uuid(&["json", &sid, &s(&t["id"])]),
                    sid.clone(),
                    s(&t["id"]),
                    String::new(),
                    "service".into(),
                    s(&a["value"]),
                ]);
            }
        }
    }
    if let Some(rows) = tables.get_mut("taxonomy_term") {
        rows.sort();
        rows.dedup();
    }
    for (table, file, header) in FILES {
        let rows = tables.remove(table).unwrap_or_default();
        files.insert(format!("{file}.csv"), csv_text(header, rows).into_bytes());
    }
    files.insert("datapackage.json".into(), b"{}".to_vec());
    // Problems point into the JSON by object, not by CSV line.
    from_tabular(&files).map_err(|ps| {
        ps.into_iter()
            .map(|p| Problem {
                file: file.into(),
                line: 0,
                field: format!("{}.{}", p.file.trim_end_matches(".csv"), p.field),
                ..p
            })
            .collect()
    })
}

// ---------------------------------------------------------------- applying

/// What an import changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub new_organizations: usize,
    pub updated_organizations: usize,
    pub unchanged_organizations: usize,
    pub new_services: usize,
    pub updated_services: usize,
    pub unchanged_services: usize,
}

/// Compares a package with the directory; with `apply`, writes it in one transaction
/// (updating by id, never duplicating).
pub async fn import(db: &Db, actor: &Actor, p: &Package, apply: bool) -> Result<Changes, DbError> {
    let current = load(db).await?;
    let mut c = Changes::default();
    for o in &p.organizations {
        match current.organizations.iter().find(|x| x.id == o.id) {
            None => c.new_organizations += 1,
            Some(x) if x == o => c.unchanged_organizations += 1,
            Some(_) => c.updated_organizations += 1,
        }
    }
    for s in &p.services {
        match current.services.iter().find(|x| x.id == s.id) {
            None => c.new_services += 1,
            Some(x) if x == s => c.unchanged_services += 1,
            Some(_) => c.updated_services += 1,
        }
    }
    if apply {
        let mut tx = db.begin().await?;
        for o in &p.organizations {
            store::upsert_organization(&mut tx, o).await?;
        }
        for s in &p.services {
            store::upsert_service(&mut tx, s).await?;
        }
        audit::record(
            &mut tx,
            actor,
            Event::new("directory.import").detail(format!(
                "organizations=+{},~{} services=+{},~{}",
                c.new_organizations, c.updated_organizations, c.new_services, c.updated_services
            )),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(c)
}

// ---------------------------------------------------------------- the package as one file

/// Largest package accepted from the web, unpacked.
const MAX_UNPACKED: u64 = 50 * 1024 * 1024;

/// The tabular package as a zip file (for downloading from the web).
pub fn to_zip(p: &Package) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, text) in to_tabular(p) {
        zip.start_file(name, options).map_err(|e| e.to_string())?;
        zip.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// True when `bytes` start like a zip file.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The package files inside an uploaded zip (only `datapackage.json` and `*.csv`, by their
/// base names; a bomb or a broken archive is refused).
pub fn files_from_zip(file: &str, bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Vec<Problem>> {
    use crate::i18n::{message::io_problem, Message};
    use std::io::Read;
    let problem =
        |key: &'static str, detail: Message| vec![Problem::new(file, 0, "", key).because(detail)];
    let damaged = |e: zip::result::ZipError| match e {
        zip::result::ZipError::Io(io) => io_problem(&io),
        _ => Message::new("problem.zip", &[]),
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| problem("directory.problem.not_zip", damaged(e)))?;
    let mut out = BTreeMap::new();
    let mut total = 0u64;
    for i in 0..archive.len().min(200) {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| problem("directory.problem.unreadable", damaged(e)))?;
        let name = entry
            .name()
            .map(|n| n.rsplit('/').next().unwrap_or("").to_string())
            .unwrap_or_default();
        if !(name.ends_with(".csv") || name == "datapackage.json") {
            continue;
        }
        total = total.saturating_add(entry.size());
        if total > MAX_UNPACKED {
            return Err(vec![Problem::new(
                file,
                0,
                "",
                "directory.problem.too_large",
            )]);
        }
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(MAX_UNPACKED)
            .read_to_end(&mut data)
            .map_err(|e| problem("directory.problem.unreadable", io_problem(&e)))?;
        out.insert(name, data);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Package {
        Package {
            organizations: vec![Organization {
                id: "ac148810-d857-441c-9675-631a5f1ade93".into(),
                name: "Harbor Legal Aid, \"HLA\"".into(),
                description: "Free legal help,\nincluding visas".into(),
                email: "intake@hla.example".into(),
                website: "https://hla.example".into(),
                vetting_tier: Some(2),
                accepts_warm_transfers: true,
                last_verified: Some("2026-03-01".into()),
            }],
            services: vec![Service {
                id: "0b1a7c3e-5d0f-4c5e-9a1b-2c3d4e5f6a7b".into(),
                organization_id: "ac148810-d857-441c-9675-631a5f1ade93".into(),
                name: "Immigration relief".into(),
                description: "T visas".into(),
                status: "active".into(),
                categories: vec!["legal".into()],
                populations: vec!["adults".into(), "migrants".into()],
                languages: vec!["en".into(), "es".into()],
                area: "CA,NV".into(),
                hours: "Mon–Fri 9–17".into(),
                phone: "+1 555 0100 400".into(),
                email: String::new(),
                url: "https://hla.example/visas".into(),
            }],
        }
    }

    fn bytes(m: BTreeMap<String, String>) -> BTreeMap<String, Vec<u8>> {
        m.into_iter().map(|(k, v)| (k, v.into_bytes())).collect()
    }

    #[test]
    fn tabular_and_json_round_trip_exactly() {
        let p = sample();
        let files = to_tabular(&p);
        let back = from_tabular(&bytes(files.clone())).expect("reads back");
        assert_eq!(back, p);
        assert_eq!(to_tabular(&back), files);
        let json = to_json(&p);
        let back = from_json("directory.json", json.as_bytes()).expect("reads back");
        assert_eq!(back, p);
        assert_eq!(to_json(&back), json);
    }

    #[test]
    fn the_zipped_package_reads_back() {
        let p = sample();
        let zipped = to_zip(&p).expect("zips");
        assert!(is_zip(&zipped));
        let files = files_from_zip("d.zip", &zipped).expect("unzips");
        assert_eq!(from_tabular(&files).expect("reads"), p);
        assert!(files_from_zip("x.zip", b"PK\x03\x04garbage").is_err());
    }

    #[test]
    fn problems_name_file_line_and_field() {
        let mut files = bytes(to_tabular(&sample()));
        files.insert(
            "services.csv".into(),
            b"id,organization_id,name,description,status,email,url\r\nnot-a-uuid,ac148810-d857-441c-9675-631a5f1ade93,X,,active,,\r\n0b1a7c3e-5d0f-4c5e-9a1b-2c3d4e5f6a7b,11111111-2222-4333-8444-555555555555,,,active,,\r\n".to_vec(),
        );
        files.insert(
            "languages.csv".into(),
            b"id,service_id,code\r\n\xff\xfe,x,y\r\n".to_vec(),
        );
        let problems = from_tabular(&files).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.text("en")).collect();
        assert!(
            text.contains(&"services.csv:2: id: \"not-a-uuid\" is not a UUID".to_string()),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("services.csv:3: organization_id: no organization")),
            "{text:?}"
        );
        assert!(
            text.contains(&"services.csv:3: name: required".to_string()),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("languages.csv:2: : not UTF-8")),
            "{text:?}"
        );
        // The same problems in the reader's language, with the same arguments.
        let ja: Vec<String> = problems.iter().map(|p| p.text("ja")).collect();
        assert!(
            ja.contains(&"services.csv:2: id: 「not-a-uuid」は UUID ではありません".to_string()),
            "{ja:?}"
        );
        assert!(
            ja.contains(&"services.csv:3: name: 必須項目です".to_string()),
            "{ja:?}"
        );
        let es: Vec<String> = problems.iter().map(|p| p.text("es")).collect();
        assert!(
            es.contains(&"services.csv:2: id: «not-a-uuid» no es un UUID".to_string()),
            "{es:?}"
        );
    }
}
