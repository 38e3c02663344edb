//! TwiML webhooks: request signatures (`X-Twilio-Signature`), form parameters, TwiML
//! responses, and the provider's REST API for sending texts. Twilio, SignalWire, Telnyx's
//! TwiML mode and others speak this protocol.

use std::path::Path;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::crypto;
use crate::state::AppState;

/// Who acts when the telephony provider calls a webhook, for the audit trail.
pub fn provider_actor() -> crate::audit::Actor {
    crate::audit::Actor {
        user_id: None,
        label: "telephony".into(),
        ip: None,
    }
}

/// The file in `secrets/` holding the provider's auth token.
pub const TOKEN_FILE: &str = "telephony-auth-token";

/// The provider's auth token, if the admin has set one (the file must be private).
pub fn auth_token(dir: &Path) -> Option<String> {
    let path = dir.join(crypto::SECRETS_DIR).join(TOKEN_FILE);
    crypto::check_private(&path).ok()?;
    let t = std::fs::read_to_string(path).ok()?;
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Saves the auth token (owner-only file), replacing any earlier one.
pub fn set_auth_token(dir: &Path, token: &str) -> Result<(), crypto::CryptoError> {
    let path = dir.join(crypto::SECRETS_DIR).join(TOKEN_FILE);
    let tmp = dir
        .join(crypto::SECRETS_DIR)
        .join(format!("{TOKEN_FILE}.new"));
    let _ = std::fs::remove_file(&tmp);
    crypto::write_private(&tmp, format!("{}\n", token.trim()).as_bytes())?;
    std::fs::rename(&tmp, &path).map_err(|source| crypto::CryptoError::Write { path, source })
}

fn mac(token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut m = <Hmac<Sha1> as Mac>::new_from_slice(token.as_bytes())
        .expect("HMAC accepts keys of any length");
    m.update(url.as_bytes());
    for (k, v) in sorted {
        m.update(k.as_bytes());
        m.update(v.as_bytes());
    }
    m
}

/// The signature a provider puts on a request to `url` with `params` (base64 HMAC-SHA1 of the
/// URL followed by every parameter name and value, sorted).
pub fn signature(token: &str, url: &str, params: &[(String, String)]) -> String {
    STANDARD.encode(mac(token, url, params).finalize().into_bytes())
}

/// Checks a signature in constant time.
pub fn verify(token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    match STANDARD.decode(given.trim()) {
        Ok(bytes) => mac(token, url, params).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The parameters of a verified webhook request.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Why a webhook request was refused.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// Missing, wrong or unverifiable signature.
    Forbidden,
    /// Not a form body.
    Malformed,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Forbidden => (StatusCode::FORBIDDEN, "invalid signature").into_response(),
            Refusal::Malformed => (StatusCode::BAD_REQUEST, "malformed form body").into_response(),
        }
    }
}

/// Verifies a webhook: the signature must match the auth token and the public URL the
/// provider called (`public_base_url` + path and query, so a reverse proxy does not break
/// it). Anything else is refused with 403 and nothing is stored.
pub fn verified(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Params, Refusal> {
    let forbidden = || Refusal::Forbidden;
    let base = state.config.server.public_base_url.trim_end_matches('/');
    let Some(token) = auth_token(&state.dir) else {
        tracing::warn!("webhook refused: no telephony auth token is set");
        return Err(forbidden());
    };
    if base.is_empty() {
        tracing::warn!("webhook refused: public_base_url is not set");
        return Err(forbidden());
    }
    let params: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| Refusal::Malformed)?;
    let url = format!(
        "{base}{}",
        uri.path_and_query().map_or(uri.path(), |p| p.as_str())
    );
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if verify(&token, &url, &params, given) {
        Ok(Params(params))
    } else {
        tracing::warn!("webhook refused: signature does not match");
        Err(forbidden())
    }
}

pub use crate::web::xml_escape;

/// A TwiML document.
pub fn twiml(inner: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>{inner}</Response>"),
    )
        .into_response()
}

/// A `<Say>` in `locale`'s voice.
pub fn say(locale: &str, text: &str) -> String {
    format!(
        "<Say language=\"{}\">{}</Say>",
        voice_language(locale),
        xml_escape(text)
    )
}

/// The speech language providers expect for a locale: its `ivr.speech_language` text
/// (`ja-JP`, `es-MX`…), so that an admin can choose another accent on the Translations page
/// and a language of the hotline's own can name its voice.
pub fn voice_language(locale: &str) -> String {
    let code = crate::i18n::tr(locale, "ivr.speech_language");
    let valid = !code.is_empty()
        && code.len() <= 16
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        code
    } else {
        "en-US".to_string()
    }
}

/// Why a text could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("telephony is not configured")]
    NotConfigured,
    #[error("the provider could not be reached")]
    Unreachable,
    #[error("the provider refused the message (HTTP {0})")]
    Refused(u16),
}

/// Sends a text through the provider's REST API; returns the provider's message id and status.
pub async fn send_sms(
    state: &AppState,
    api_base: &str,
    account_sid: &str,
    from: &str,
    to: &str,
    body: &str,
) -> Result<(String, String), SendError> {
    let token = auth_token(&state.dir).ok_or(SendError::NotConfigured)?;
    if account_sid.is_empty() || from.is_empty() || api_base.is_empty() {
        return Err(SendError::NotConfigured);
    }
    let base = state.config.server.public_base_url.trim_end_matches('/');
    let mut form = vec![
        ("To", to.to_string()),
        ("From", from.to_string()),
        ("Body", body.to_string()),
    ];
    if !base.is_empty() {
        form.push(("StatusCallback", format!("{base}/webhooks/sms/status")));
    }
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|_| SendError::Unreachable)?;
    let url = format!(
        "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
        api_base.trim_end_matches('/')
    );
    let resp = client
        .post(url)
        .basic_auth(account_sid, Some(token))
        .form(&form)
        .send()
        .await
        .map_err(|_| SendError::Unreachable)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(SendError::Refused(status.as_u16()));
    }
    let json: serde_json::Value = resp.json().await.map_err(|_| SendError::Unreachable)?;
    let sid = json["sid"].as_str().unwrap_or_default().to_string();
    let st = json["status"].as_str().unwrap_or("queued").to_string();
    Ok((sid, st))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from Twilio's documentation of request validation.
    #[test]
    fn matches_the_documented_example() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let sig = signature("12345", url, &params);
        assert_eq!(sig, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify("12345", url, &params, &sig));
        assert!(!verify("54321", url, &params, &sig));
        assert!(!verify(
            "12345",
            "https://mycompany.com/other",
            &params,
            &sig
        ));
        assert!(!verify("12345", url, &params, "garbage"));
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
