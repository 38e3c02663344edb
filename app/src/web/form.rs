//! Reading urlencoded forms whose fields repeat (checkbox lists), as ordered pairs.

use axum::body::Bytes;

use crate::error::AppError;

/// The body's `name=value` pairs, in order; a body that is not a form is a bad request.
pub fn form_pairs(body: &Bytes) -> Result<Vec<(String, String)>, AppError> {
    serde_urlencoded::from_bytes(body).map_err(|_| AppError::BadRequest("error.bad_request"))
}

/// The first value of field `k`, trimmed; empty when the field is absent.
pub fn one<'a>(pairs: &'a [(String, String)], k: &str) -> &'a str {
    pairs
        .iter()
        .find(|(x, _)| x == k)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// Every value of field `k`, as sent.
pub fn many(pairs: &[(String, String)], k: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(x, _)| x == k)
        .map(|(_, v)| v.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_fields_are_kept_in_order() {
        let body = Bytes::from_static(b"a=+x+&b=1&b=2&c=");
        let pairs = form_pairs(&body).unwrap_or_default();
        assert_eq!(one(&pairs, "a"), "x");
        assert_eq!(one(&pairs, "b"), "1");
        assert_eq!(one(&pairs, "z"), "");
        assert_eq!(many(&pairs, "b"), ["1", "2"]);
        assert!(many(&pairs, "z").is_empty());
    }
}
