//! Password hashing (Argon2id), checking and generation.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 12;

/// Hashes a password with Argon2id and a random salt (PHC string format).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash. A malformed hash never matches.
pub fn verify(stored: &str, password: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, so an unknown account cannot be told apart.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(h, password);
}

/// The locale key of what is wrong with a new password, if anything.
pub fn check_new(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_LENGTH {
        return Err("password.error.too_short");
    }
    if password.chars().count() > 256 {
        return Err("password.error.too_long");
    }
    if password.trim().is_empty() || password.chars().all(|c| password.starts_with(c)) {
        return Err("password.error.too_simple");
    }
    Ok(())
}

/// A strong random password, easy to read aloud: five groups of four from an alphabet
/// without look-alike characters (about 120 bits).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..5)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&h, "correct horse battery"));
        assert!(!verify(&h, "wrong horse battery"));
        assert!(!verify("not a hash", "x"));
        assert_ne!(h, hash("correct horse battery").unwrap());
    }

    #[test]
    fn generated_passwords_are_accepted_and_distinct() {
        let a = generate();
        assert_eq!(a.len(), 24);
        assert!(check_new(&a).is_ok());
        assert_ne!(a, generate());
        assert_eq!(check_new("short"), Err("password.error.too_short"));
        assert_eq!(
            check_new("aaaaaaaaaaaaaa"),
            Err("password.error.too_simple")
        );
    }
}
