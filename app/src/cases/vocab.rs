//! The coded vocabularies of a case; labels are locale keys `case.<list>.<code>`.

pub const STATUSES: &[&str] = &["open", "active", "referred", "closed", "reopened"];

/// The default workflow: which status may follow which. Admins may change it in Settings.
pub const DEFAULT_TRANSITIONS: &[(&str, &[&str])] = &[
    ("open", &["active", "referred", "closed"]),
    ("active", &["referred", "closed"]),
    ("referred", &["active", "closed"]),
    ("closed", &["reopened"]),
    ("reopened", &["active", "referred", "closed"]),
];

pub const CLOSURE_REASONS: &[&str] = &[
    "services_completed",
    "referred_elsewhere",
    "lost_contact",
    "declined_services",
    "not_trafficking",
    "other",
];

pub const CASE_TYPES: &[&str] = &["sex", "labor", "sex_and_labor", "unknown"];

/// The 25 types of the Typology of Modern Slavery (2017).
pub const VENUES: &[&str] = &[
    "escort_services",
    "illicit_massage",
    "outdoor_solicitation",
    "residential",
    "domestic_work",
    "bars_strip_clubs",
    "pornography",
    "traveling_sales_crews",
    "restaurants",
    "peddling_begging",
    "agriculture",
    "personal_sexual_servitude",
    "health_beauty",
    "construction",
    "hotels_hospitality",
    "landscaping",
    "illicit_activities",
    "arts_entertainment",
    "commercial_cleaning",
    "factories",
    "remote_sexual_acts",
    "carnivals",
    "forestry_logging",
    "health_care",
    "recreational_facilities",
];

/// Venues a country adds to the typology (labels `case.venue_country.<CC>.<code>`).
pub fn country_venues(country: &str) -> &'static [&'static str] {
    match country {
        "JP" => &[
            "coerced_adult_video",
            "jk_business",
            "host_club_debt",
            "technical_intern_training",
        ],
        _ => &[],
    }
}

/// Indicators, and whether each alone makes the indicator level high.
pub const INDICATORS: &[(&str, bool)] = &[
    ("minor_commercial_sex", true),
    ("physical_confinement", true),
    ("threats_or_violence", true),
    ("documents_confiscated", true),
    ("debt_bondage", true),
    ("sexual_violence", true),
    ("not_free_to_leave", true),
    ("excessive_hours", false),
    ("unpaid_wages", false),
    ("false_promises", false),
    ("isolated", false),
    ("monitored", false),
    ("lives_at_work", false),
    ("fearful_scripted", false),
    ("no_control_of_money", false),
    ("quotas", false),
    ("recruitment_fees", false),
];

pub const RECRUITMENT: &[&str] = &[
    "job_offer",
    "romantic_partner",
    "family_member",
    "online",
    "loan_or_debt",
    "abduction",
    "other",
];

pub const CONTROL: &[&str] = &[
    "threats",
    "violence",
    "debt",
    "documents",
    "isolation",
    "substances",
    "immigration_threats",
    "withholding_pay",
    "other",
];

pub const PERSON_KINDS: &[&str] = &["victim", "trafficker", "business"];
pub const AGE_BANDS: &[&str] = &[
    "under_12", "12_17", "18_24", "25_34", "35_49", "50_plus", "unknown",
];
pub const GENDERS: &[&str] = &[
    "female",
    "male",
    "transgender",
    "non_binary",
    "other",
    "unknown",
];

pub const SERVICE_TYPES: &[&str] = &[
    "case_management",
    "counselling",
    "shelter",
    "legal",
    "medical",
    "interpretation",
    "other",
];

pub const EMERGENCY_KINDS: &[&str] = &["shelter", "extraction", "transportation"];

/// What a consent may cover.
pub const CONSENT_SCOPES: &[&str] = &[
    "identity",
    "contact_details",
    "story",
    "location",
    "documents",
];

/// Who information may be shared with (consent recipients, report recipients).
pub const RECIPIENTS: &[&str] = &[
    "police",
    "child_protection",
    "labor_inspection",
    "immigration",
    "prosecutor",
    "service_provider",
    "other",
];

pub const LEGAL_BASES: &[&str] = &["consent", "legal_duty", "imminent_danger"];

/// Situations a reporting rule applies to.
pub const DUTY_CONDITIONS: &[&str] = &["minor", "imminent_harm", "adult"];

/// The default reporting rules (a country changes them in Settings): a minor means a
/// mandatory report to child protection; imminent harm, to the police; adults only with
/// their consent.
pub const DEFAULT_DUTIES: &[(&str, &str)] = &[
    ("minor", "child_protection"),
    ("imminent_harm", "police"),
    ("adult", "consent_only"),
];

/// The level the indicators suggest: any strong indicator, or three or more others, is high;
/// fewer is moderate; none proposes nothing.
pub fn proposed_level(indicators: &[String]) -> Option<&'static str> {
    if indicators.is_empty() {
        return None;
    }
    let strong = indicators
        .iter()
        .any(|i| INDICATORS.iter().any(|(code, s)| *s && code == i));
    if strong || indicators.len() >= 3 {
        Some("high")
    } else {
        Some("moderate")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typology_has_25_types_and_levels_follow_the_indicators() {
        assert_eq!(VENUES.len(), 25);
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(proposed_level(&[]), None);
        assert_eq!(proposed_level(&v(&["excessive_hours"])), Some("moderate"));
        assert_eq!(proposed_level(&v(&["debt_bondage"])), Some("high"));
        assert_eq!(
            proposed_level(&v(&["excessive_hours", "isolated", "quotas"])),
            Some("high")
        );
    }
}
