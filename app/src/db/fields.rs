//! How some values are stored in columns, shared by the stores: optional text encrypted
//! under a context (see [`crate::crypto`]), and lists of codes kept comma-separated.

use super::DbError;
use crate::crypto::Keys;

/// `v` encrypted under `ctx`, or `None` when it is absent or blank (after trimming).
pub fn enc(keys: &Keys, ctx: &str, v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| keys.fields.encrypt_text(ctx, s))
}

/// A stored value from [`enc`] decrypted; a value that does not decrypt is an error.
pub fn dec(keys: &Keys, ctx: &str, v: Option<String>) -> Result<Option<String>, DbError> {
    match v {
        None => Ok(None),
        Some(c) => keys.fields.decrypt_text(ctx, &c).map(Some).map_err(|_| {
            DbError::Sqlx(sqlx::Error::Decode("a field could not be decrypted".into()))
        }),
    }
}

/// A comma-separated list of codes as stored (empty items dropped).
pub fn split(s: String) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values_are_not_stored_and_others_round_trip() {
        let dir = tempfile::tempdir().expect("temporary folder");
        crate::crypto::generate_secrets(dir.path()).expect("keys written");
        let keys = Keys::load(dir.path()).expect("keys read");
        assert_eq!(enc(&keys, "t.x", &None), None);
        assert_eq!(enc(&keys, "t.x", &Some("  ".into())), None);
        let stored = enc(&keys, "t.x", &Some(" Aiko ".into()));
        assert_eq!(
            dec(&keys, "t.x", stored.clone()).ok(),
            Some(Some("Aiko".into()))
        );
        assert!(dec(&keys, "t.y", stored).is_err(), "bound to its context");
        assert_eq!(split("a,,b".into()), ["a", "b"]);
        assert!(split(String::new()).is_empty());
    }
}
