//! The coded vocabularies of a contact. Codes are stored; labels are locale keys
//! `contact.<list>.<code>`.

pub const CHANNELS: &[&str] = &[
    "phone", "sms", "chat", "email", "web_form", "walk_in", "other",
];

pub const TYPES: &[&str] = &[
    "crisis",
    "tip",
    "tta",
    "referral",
    "general_information",
    "high_risk",
    "non_substantive",
];

pub const NON_SUBSTANTIVE: &[&str] = &["hang_up", "wrong_number", "silent", "prank"];

pub const SIGNALER_ROLES: &[&str] = &[
    "victim_survivor",
    "family_friend",
    "community_member",
    "law_enforcement",
    "service_provider",
    "government",
    "media",
    "other",
];

/// Red flags from the domain brief.
pub const RED_FLAGS: &[&str] = &[
    "not_free_to_leave",
    "minor_commercial_sex",
    "controlled_by_manager",
    "unpaid_or_tips_only",
    "excessive_hours",
    "quotas",
    "unpayable_debt",
    "false_promises",
    "high_security",
    "lives_at_work",
    "fearful_scripted",
    "signs_of_abuse",
    "no_id_or_money",
    "monitored",
];

pub const CALL_OUTCOMES: &[&str] = &["answered", "missed", "abandoned", "voicemail"];

pub const STATUSES: &[&str] = &["queued", "open", "closed"];

/// Languages commonly needing interpretation (ISO 639-1), offered in the contact form besides
/// the hotline's own; labels are locale keys `language_name.<code>`.
pub const INTERPRETER_LANGUAGES: &[&str] = &[
    "ar", "bn", "en", "es", "fr", "hi", "id", "ja", "ko", "ne", "pt", "ru", "th", "tl", "uk", "vi",
    "zh",
];

pub fn is_one_of(list: &[&str], code: &str) -> bool {
    list.contains(&code)
}
