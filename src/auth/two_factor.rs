//! Time-based one-time passwords (RFC 6238) for staff sign-in: 160-bit secrets, six
//! digits, 30-second steps, one step of clock drift allowed either way, and each step
//! accepted once (the caller stores the last accepted step).

use totp_rs::{Builder, Secret, Totp};

/// A fresh secret, as the base32 text people type into an authenticator app.
pub fn new_secret() -> String {
    let bytes = crate::auth::tokens::random_bytes();
    let mut secret = [0u8; 20];
    secret.copy_from_slice(&bytes[..20]);
    Secret::from(secret).to_base32()
}

fn totp(secret_base32: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new().with_secret(secret).with_skew(1).build().ok()
}

/// The step a code matches at `unix_secs`, if it is right and newer than `last_step`.
pub fn verify(secret_base32: &str, code: &str, unix_secs: u64, last_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = i64::try_from(totp(secret_base32)?.check(&code, unix_secs)?).ok()?;
    match last_step {
        Some(last) if step <= last => None,
        _ => Some(step),
    }
}

/// The code for `unix_secs` (for tests and for showing what a clock should read).
pub fn code_at(secret_base32: &str, unix_secs: u64) -> Option<String> {
    Some(totp(secret_base32)?.generate(unix_secs).to_string())
}

/// The `otpauth://` address authenticator apps import.
pub fn otpauth_url(secret_base32: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&digits=6&period=30",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_once_and_within_one_step_of_drift() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&secret, t).unwrap();
        let step = verify(&secret, &code, t, None).expect("right code");
        assert_eq!(
            verify(&secret, &code, t + 30, None),
            Some(step),
            "one step late is fine"
        );
        assert_eq!(verify(&secret, &code, t + 90, None), None, "three steps late is not");
        assert_eq!(verify(&secret, &code, t, Some(step)), None, "a code is accepted once");
        assert_eq!(verify(&secret, "12345", t, None), None);
        assert_eq!(verify(&secret, "abcdef", t, None), None);
    }

    #[test]
    fn the_rfc_6238_vector_for_sha1() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 s, 8 digits 94287082;
        // with six digits the code is the last six.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
    }

    #[test]
    fn otpauth_urls_escape_names() {
        let url = otpauth_url("JBSWY3DPEHPK3PXP", "Harbor Point PD", "a@b.example");
        assert_eq!(
            url,
            "otpauth://totp/Harbor%20Point%20PD:a%40b.example?secret=JBSWY3DPEHPK3PXP&issuer=Harbor%20Point%20PD&digits=6&period=30"
        );
    }
}
