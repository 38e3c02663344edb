//! Dates and times as each language writes them (ICU4X with CLDR data): "Nov 29, 2026",
//! "2026年11月29日", "29 nov. 2026". Forms and stored values keep `YYYY-MM-DD`.

use icu_calendar::{Date, Iso};
use icu_datetime::fieldsets;
use icu_datetime::options::TimePrecision;
use icu_datetime::DateTimeFormatter;
use icu_time::{DateTime, Time};

use super::icu_locale;

/// A stored `YYYY-MM-DD` date as `locale` writes it (as given if it is not a date).
pub fn iso_day(locale: &str, date: &str) -> String {
    date.parse::<jiff::civil::Date>()
        .map(|d| day(locale, d))
        .unwrap_or_else(|_| date.to_string())
}

fn iso(date: jiff::civil::Date) -> Option<Date<Iso>> {
    Date::try_new_iso(
        i32::from(date.year()),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
    .ok()
}

/// A calendar day, e.g. "Nov 29, 2026"; the ISO form if it cannot be formatted.
pub fn day(locale: &str, date: jiff::civil::Date) -> String {
    let formatted = iso(date).and_then(|d| {
        DateTimeFormatter::try_new(icu_locale(locale).into(), fieldsets::YMD::medium())
            .ok()
            .map(|f| f.format(&d).to_string())
    });
    formatted.unwrap_or_else(|| date.to_string())
}

/// A day and a time to the minute, e.g. "Nov 29, 2026, 2:05 PM".
pub fn day_time(locale: &str, at: jiff::civil::DateTime) -> String {
    let formatted = iso(at.date()).and_then(|date| {
        let time = Time::try_new(
            u8::try_from(at.hour()).ok()?,
            u8::try_from(at.minute()).ok()?,
            0,
            0,
        )
        .ok()?;
        let fields = fieldsets::YMDT::medium().with_time_precision(TimePrecision::Minute);
        DateTimeFormatter::try_new(icu_locale(locale).into(), fields)
            .ok()
            .map(|f| f.format(&DateTime { date, time }).to_string())
    });
    formatted.unwrap_or_else(|| at.strftime("%Y-%m-%d %H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_writes_dates_its_way() {
        let d = jiff::civil::date(2026, 11, 29);
        assert_eq!(day("en", d), "Nov 29, 2026");
        assert_eq!(day("ja", d), "2026/11/29");
        assert_eq!(day("zh-Hans", d), "2026年11月29日");
        assert_eq!(day("fr", d), "29 nov. 2026");
        assert!(day("tl", d).contains("2026") && !day("tl", d).contains("M11"));
        let t = d.at(14, 5, 0, 0);
        assert_eq!(day_time("es", t), "29 nov 2026, 14:05");
        assert!(day_time("en", t).contains("2:05"));
    }
}
