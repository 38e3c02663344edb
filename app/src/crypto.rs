//! Secrets, field encryption and blind indexes.
//!
//! * Field encryption: XChaCha20-Poly1305 (AEAD) with a random 192-bit nonce per value. The
//!   stored form is `version byte ‖ nonce ‖ ciphertext+tag`; the caller's context (for
//!   example `"contacts.phone"`) is bound in as associated data, so a value copied into
//!   another column does not decrypt.
//! * Blind index: HMAC-SHA-256 under a separate key over a normalized value, so equal values
//!   (a repeat caller's phone number) can be found without decrypting anything.
//! * Keys live in `DIR/secrets/` as base64 files readable by the owner only.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

pub const SECRETS_DIR: &str = "secrets";
pub const FIELD_KEY_FILE: &str = "field-encryption.key";
pub const INDEX_KEY_FILE: &str = "blind-index.key";
pub const CSRF_KEY_FILE: &str = "csrf.key";
const ALL_KEYS: [&str; 3] = [FIELD_KEY_FILE, INDEX_KEY_FILE, CSRF_KEY_FILE];

const FORMAT_V1: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("cannot read secret {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write secret {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("secret {0} is not a base64 32-byte key")]
    Malformed(PathBuf),
    #[error("secret {path} can be read by other users (mode {mode:o}); run: chmod 600 {path}")]
    Permissions { path: PathBuf, mode: u32 },
    #[error("a value could not be decrypted (wrong key or damaged data)")]
    Decrypt,
}

impl CryptoError {
    /// What went wrong, to say in the reader's language.
    pub fn message(&self) -> crate::i18n::Message {
        use crate::i18n::message::io_problem;
        use crate::i18n::Message;
        match self {
            CryptoError::Read { path, source } => Message::new(
                "problem.crypto.read",
                &[("path", &path.display().to_string())],
            )
            .because(io_problem(source)),
            CryptoError::Write { path, source } => Message::new(
                "problem.crypto.write",
                &[("path", &path.display().to_string())],
            )
            .because(io_problem(source)),
            CryptoError::Malformed(path) => Message::new(
                "problem.crypto.malformed",
                &[("path", &path.display().to_string())],
            ),
            CryptoError::Permissions { path, mode } => Message::new(
                "problem.crypto.permissions",
                &[
                    ("path", &path.display().to_string()),
                    ("mode", &format!("{mode:o}")),
                ],
            ),
            CryptoError::Decrypt => Message::new("problem.crypto.decrypt", &[]),
        }
    }
}

/// HMAC-SHA-256 keyed with a 32-byte key (HMAC accepts keys of any length).
fn keyed_mac(key: &[u8; 32]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// 32 random bytes.
pub fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

/// An unguessable token for cookies and one-time links (256 bits, URL-safe).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_key())
}

/// SHA-256 in hex, for storing a token's fingerprint rather than the token.
pub fn sha256_hex(data: &str) -> String {
    hex::encode(Sha256::digest(data.as_bytes()))
}

/// Creates `DIR/secrets/` (0700) and every key file (0600). Existing keys are never replaced.
pub fn generate_secrets(dir: &Path) -> Result<(), CryptoError> {
    let secrets = dir.join(SECRETS_DIR);
    std::fs::create_dir_all(&secrets).map_err(|source| CryptoError::Write {
        path: secrets.clone(),
        source,
    })?;
    set_mode(&secrets, 0o700)?;
    for name in ALL_KEYS {
        let path = secrets.join(name);
        if path.exists() {
            continue;
        }
        write_private(
            &path,
            format!("{}\n", STANDARD.encode(random_key())).as_bytes(),
        )?;
    }
    Ok(())
}

/// Writes a file that only its owner can read (created with mode 0600 from the start).
pub fn write_private(path: &Path, contents: &[u8]) -> Result<(), CryptoError> {
    use std::io::Write;
    let err = |source| CryptoError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(err)?;
    f.write_all(contents).map_err(err)?;
    f.sync_all().map_err(err)?;
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|source| {
        CryptoError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), CryptoError> {
    Ok(())
}

/// Fails if a secret file can be read or written by the group or others.
pub fn check_private(path: &Path) -> Result<(), CryptoError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|source| CryptoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(CryptoError::Permissions {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    Ok(())
}

fn read_key(path: &Path) -> Result<[u8; 32], CryptoError> {
    check_private(path)?;
    let text = std::fs::read_to_string(path).map_err(|source| CryptoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| CryptoError::Malformed(path.to_path_buf()))?;
    bytes
        .try_into()
        .map_err(|_| CryptoError::Malformed(path.to_path_buf()))
}

/// Every key of a deployment, loaded once at start-up.
#[derive(Clone)]
pub struct Keys {
    pub fields: FieldCipher,
    pub index: BlindIndex,
    csrf: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

impl Keys {
    /// Loads the keys from `DIR/secrets/`, refusing files others can read.
    pub fn load(dir: &Path) -> Result<Keys, CryptoError> {
        let secrets = dir.join(SECRETS_DIR);
        Ok(Keys {
            fields: FieldCipher::new(read_key(&secrets.join(FIELD_KEY_FILE))?),
            index: BlindIndex::new(read_key(&secrets.join(INDEX_KEY_FILE))?),
            csrf: read_key(&secrets.join(CSRF_KEY_FILE))?,
        })
    }

    /// Checks every key file (permissions and format) and names the first problem.
    pub fn check(dir: &Path) -> Result<(), CryptoError> {
        Self::load(dir).map(|_| ())
    }

    /// The CSRF token bound to a browser's session or pre-session cookie.
    pub fn csrf_token(&self, binding: &str) -> String {
        let mut mac = keyed_mac(&self.csrf);
        mac.update(b"csrf:");
        mac.update(binding.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Constant-time check of a submitted CSRF token.
    pub fn csrf_valid(&self, binding: &str, submitted: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(submitted) else {
            return false;
        };
        let mut mac = keyed_mac(&self.csrf);
        mac.update(b"csrf:");
        mac.update(binding.as_bytes());
        mac.verify_slice(&given).is_ok()
    }
}

/// Encrypts and decrypts identifying fields.
#[derive(Clone)]
pub struct FieldCipher {
    cipher: XChaCha20Poly1305,
}

impl FieldCipher {
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// Encrypts `plaintext`, binding `context` (table and column) as associated data.
    pub fn encrypt(&self, context: &str, plaintext: &str) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        let mut out = Vec::with_capacity(1 + 24 + ct.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts a value written by [`FieldCipher::encrypt`] with the same `context`.
    pub fn decrypt(&self, context: &str, stored: &[u8]) -> Result<String, CryptoError> {
        if stored.len() < 1 + 24 + 16 || stored[0] != FORMAT_V1 {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ct) = stored[1..].split_at(24);
        let pt = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(pt).map_err(|_| CryptoError::Decrypt)
    }

    /// Encrypts to base64 text, for columns stored as TEXT.
    pub fn encrypt_text(&self, context: &str, plaintext: &str) -> String {
        STANDARD.encode(self.encrypt(context, plaintext))
    }

    /// Decrypts base64 text written by [`FieldCipher::encrypt_text`].
    pub fn decrypt_text(&self, context: &str, stored: &str) -> Result<String, CryptoError> {
        let bytes = STANDARD.decode(stored).map_err(|_| CryptoError::Decrypt)?;
        self.decrypt(context, &bytes)
    }
}

/// Keyed, deterministic fingerprints of normalized values for equality lookups.
#[derive(Clone)]
pub struct BlindIndex {
    key: [u8; 32],
}

impl BlindIndex {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// The index of `value` in `domain` (e.g. `"phone"`); values are normalized first.
    pub fn index(&self, domain: &str, value: &str) -> String {
        let normalized = normalize(domain, value);
        let mut mac = keyed_mac(&self.key);
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Phone numbers keep only digits (and a leading `+`); emails are trimmed and lower-cased;
/// anything else is trimmed and lower-cased.
pub fn normalize(domain: &str, value: &str) -> String {
    let v = value.trim();
    match domain {
        "phone" => {
            let plus = v.starts_with('+');
            let digits: String = v.chars().filter(char::is_ascii_digit).collect();
            if plus {
                format!("+{digits}")
            } else {
                digits
            }
        }
        _ => v.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypts_and_decrypts_with_its_context_only() {
        let c = FieldCipher::new(random_key());
        let stored = c.encrypt("contacts.name", "María López");
        assert!(!stored.windows(5).any(|w| w == b"Mar\xc3\xad"));
        assert_eq!(c.decrypt("contacts.name", &stored).unwrap(), "María López");
        assert!(c.decrypt("contacts.phone", &stored).is_err());
        let other = FieldCipher::new(random_key());
        assert!(other.decrypt("contacts.name", &stored).is_err());
        // Same plaintext twice gives different ciphertexts (random nonces).
        assert_ne!(stored, c.encrypt("contacts.name", "María López"));
        let text = c.encrypt_text("x", "y");
        assert_eq!(c.decrypt_text("x", &text).unwrap(), "y");
    }

    #[test]
    fn tampering_is_detected() {
        let c = FieldCipher::new(random_key());
        let mut stored = c.encrypt("t", "secret");
        let last = stored.len() - 1;
        stored[last] ^= 1;
        assert!(c.decrypt("t", &stored).is_err());
        assert!(c.decrypt("t", &[1, 2, 3]).is_err());
    }

    #[test]
    fn blind_index_matches_equal_values_in_any_spelling() {
        let b = BlindIndex::new(random_key());
        assert_eq!(
            b.index("phone", "+1 (555) 010-0200"),
            b.index("phone", "+15550100200")
        );
        assert_ne!(
            b.index("phone", "+15550100200"),
            b.index("phone", "15550100200")
        );
        assert_eq!(b.index("email", " A@B.org"), b.index("email", "a@b.org"));
        // Domains are separated, and another key gives other indexes.
        assert_ne!(b.index("email", "123"), b.index("phone", "123"));
        assert_ne!(
            BlindIndex::new(random_key()).index("phone", "123"),
            b.index("phone", "123")
        );
    }

    #[test]
    fn secrets_are_private_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        generate_secrets(dir.path()).unwrap();
        let keys = Keys::load(dir.path()).unwrap();
        let t = keys.csrf_token("abc");
        assert!(keys.csrf_valid("abc", &t));
        assert!(!keys.csrf_valid("abd", &t));
        assert!(!keys.csrf_valid("abc", "forged"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.path().join(SECRETS_DIR).join(FIELD_KEY_FILE);
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(
                Keys::load(dir.path()),
                Err(CryptoError::Permissions { .. })
            ));
        }
    }
}
