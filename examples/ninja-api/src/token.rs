//! The tutorial's `jwt.encode({'user_id': ..}, SECRET_KEY, algorithm='HS256')`: a compact
//! HS256 JSON Web Token, written with `hmac` + `sha2` (a whole JWT crate for one algorithm
//! would cost more build time than these thirty lines).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// `{"alg":"HS256","typ":"JWT"}`, encoded.
const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

fn sign(secret: &[u8], signing_input: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(signing_input.as_bytes());
    Some(mac)
}

/// A token for `user_id`, valid until `expires` (seconds since the epoch).
pub fn encode(secret: &[u8], user_id: i32, expires: i64) -> String {
    let payload = URL_SAFE_NO_PAD.encode(json!({ "user_id": user_id, "exp": expires }).to_string());
    let signing_input = format!("{HEADER}.{payload}");
    let signature =
        sign(secret, &signing_input).map(|mac| mac.finalize().into_bytes().to_vec()).unwrap_or_default();
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The `user_id` of a token signed with `secret`, with HS256, not expired at `now`.
pub fn decode(secret: &[u8], token: &str, now: i64) -> Option<i32> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, payload) = signing_input.split_once('.')?;
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg")? != "HS256" {
        return None;
    }
    sign(secret, signing_input)?.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?).ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    if claims.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp <= now) {
        return None;
    }
    i32::try_from(claims.get("user_id")?.as_i64()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constant_is_the_encoded_header() {
        assert_eq!(URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#), HEADER);
    }

    #[test]
    fn a_token_decodes_only_with_its_secret_and_before_it_expires() {
        let token = encode(b"secret", 7, 1_000);
        assert_eq!(decode(b"secret", &token, 999), Some(7));
        assert_eq!(decode(b"other", &token, 999), None);
        assert_eq!(decode(b"secret", &token, 1_000), None);
        assert_eq!(decode(b"secret", "not.a.token", 0), None);
        let mut tampered = token.clone();
        tampered.insert(HEADER.len() + 3, 'x');
        assert_eq!(decode(b"secret", &tampered, 999), None);
    }
}
