//! Random secrets and their digests. Secrets are shown once and stored only as SHA-256.

use sha2::{Digest, Sha256};

use super::error::AppError;

/// `bytes` random bytes from the operating system.
pub fn random_bytes(bytes: usize) -> Result<Vec<u8>, AppError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    Ok(buf)
}

/// A random secret of `bytes` bytes, hex-encoded.
pub fn random_hex(bytes: usize) -> Result<String, AppError> {
    random_bytes(bytes).map(hex::encode)
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Constant-time comparison of two strings of secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::internal(format!("getrandom: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::internal(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}
