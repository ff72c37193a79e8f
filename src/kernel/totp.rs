//! Time-based one-time passwords, the optional second factor at sign-in: RFC 6238 over
//! HMAC-SHA1 (RFC 4226), 30-second steps, six digits — what every authenticator app reads
//! from an `otpauth://` link.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Length of one time step.
pub const STEP_MS: i64 = 30_000;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps either side of now that are still accepted (a clock a little off, a code typed
/// as it turned over).
const SKEW: i64 = 1;

/// The HOTP value of `counter` under `key`, `digits` long (RFC 4226 §5.3).
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> Option<u32> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).ok()?;
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([digest[offset], digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    Some((word & 0x7fff_ffff) % 10u32.pow(digits))
}

/// The time step `now_ms` falls in.
pub fn step(now_ms: i64) -> i64 {
    now_ms.div_euclid(STEP_MS)
}

/// The six-digit code of step `at`, zero-padded.
pub fn code(key: &[u8], at: i64) -> Option<String> {
    let counter = u64::try_from(at).ok()?;
    hotp(key, counter, DIGITS).map(|v| format!("{v:0width$}", width = DIGITS as usize))
}

/// The step whose code `typed` is, within [`SKEW`] steps of `now_ms`, if any. The caller
/// refuses a step not after the last one accepted, so a code is good once.
pub fn matching_step(key: &[u8], typed: &str, now_ms: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step(now_ms);
    (now - SKEW..=now + SKEW).find(|&at| code(key, at).is_some_and(|c| super::crypto::same_secret(&c, &typed)))
}

/// RFC 4648 base32 without padding, as authenticator apps take a secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` link an authenticator app scans (Key Uri Format).
pub fn link(issuer: &str, account: &str, key: &[u8]) -> String {
    let enc = |s: &str| serde_urlencoded::to_string([("", s)]).map(|v| v[1..].replace('+', "%20")).unwrap_or_default();
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={}",
        enc(issuer),
        enc(account),
        base32(key),
        enc(issuer),
        STEP_MS / 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc4226_hotp_vectors() {
        let expected = [755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489];
        for (counter, want) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), Some(want), "counter {counter}");
        }
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        let vectors = [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (seconds, want) in vectors {
            let at = u64::try_from(step(seconds * 1000)).unwrap_or(0);
            assert_eq!(hotp(RFC_KEY, at, 8), Some(want), "T = {seconds}");
        }
    }

    #[test]
    fn a_code_matches_within_one_step_and_not_beyond() {
        let now = 1_111_111_111_000;
        let current = code(RFC_KEY, step(now)).unwrap_or_default();
        assert_eq!(current, "050471");
        assert_eq!(matching_step(RFC_KEY, &current, now), Some(step(now)));
        assert_eq!(matching_step(RFC_KEY, "050 471", now + STEP_MS), Some(step(now)), "one step late");
        assert_eq!(matching_step(RFC_KEY, &current, now + 2 * STEP_MS), None, "two steps late");
        assert_eq!(matching_step(RFC_KEY, "12345", now), None);
        assert_eq!(matching_step(RFC_KEY, "abcdef", now), None);
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_KEY), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }
}
