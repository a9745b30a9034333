//! Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` password format: users of a
//! database that Django made can log in, and new passwords are stored the way Django reads
//! them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Django 5.2's default iteration count.
pub const DJANGO_ITERATIONS: u32 = 1_000_000;

const SALT_CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn derive(password: &str, salt: &str, iterations: u32) -> String {
    let mut hash = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt.as_bytes(), iterations, &mut hash);
    STANDARD.encode(hash)
}

/// `password` hashed as Django's `make_password` does, with a fresh 22-character salt.
pub fn make_password(password: &str, iterations: u32) -> Result<String, getrandom::Error> {
    let mut random = [0u8; 22];
    getrandom::fill(&mut random)?;
    // 62 letters and digits; the modulo bias is negligible for a salt.
    let salt: String =
        random.iter().map(|b| SALT_CHARS[usize::from(*b) % SALT_CHARS.len()] as char).collect();
    Ok(format!("pbkdf2_sha256${iterations}${salt}${}", derive(password, &salt, iterations)))
}

/// Whether `password` matches `encoded` (Django's `check_password` for `pbkdf2_sha256`); any
/// other or malformed format is a mismatch. The comparison takes the same time wherever the
/// hashes differ.
pub fn check_password(password: &str, encoded: &str) -> bool {
    let mut parts = encoded.split('$');
    let (Some("pbkdf2_sha256"), Some(iterations), Some(salt), Some(expected), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(iterations) = iterations.parse::<u32>() else { return false };
    if iterations == 0 {
        return false;
    }
    let actual = derive(password, salt, iterations);
    // Compared through HMAC's constant-time check rather than `==`.
    let key = b"password comparison";
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return false };
    mac.update(actual.as_bytes());
    let Ok(mut other) = Hmac::<Sha256>::new_from_slice(key) else { return false };
    other.update(expected.as_bytes());
    mac.verify_slice(&other.finalize().into_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_hash_that_django_made() {
        // django.contrib.auth.hashers.make_password("secret", salt="abc", hasher="pbkdf2_sha256")
        // with iterations=1000, computed with Python's hashlib.pbkdf2_hmac (what Django calls).
        assert!(check_password(
            "secret",
            "pbkdf2_sha256$1000$abc$ezAwPW/wuspSU83Z4aU2LP5+de/RqK3RFrreZbJFqEM="
        ));
        assert!(!check_password(
            "Secret",
            "pbkdf2_sha256$1000$abc$ezAwPW/wuspSU83Z4aU2LP5+de/RqK3RFrreZbJFqEM="
        ));
    }

    #[test]
    fn made_passwords_check_and_others_do_not() {
        let encoded = make_password("pw", 1000).unwrap();
        assert!(encoded.starts_with("pbkdf2_sha256$1000$"));
        assert!(check_password("pw", &encoded));
        assert!(!check_password("px", &encoded));
        assert!(!check_password("pw", "md5$x$y"));
        assert!(!check_password("pw", "pbkdf2_sha256$0$a$b"));
        assert!(!check_password("pw", ""));
    }
}
