//! Random secrets, their digests, and the cryptographic suite the service runs under.
//!
//! Two suites, chosen at start-up and fixed for a database's life (see [`bind_database`]):
//! - **standard**: secrets are stored as SHA-256 digests, the audit chain links by
//!   SHA-256, personal information is stored as given;
//! - **gm** (商用密码, `--crypto gm`): secrets are stored as SM3 digests, the audit chain
//!   links by HMAC-SM3 under a key kept outside the database, and personal information
//!   at rest (and the audit trail's record copies) is encrypted with SM4-GCM under that key.
//!
//! Keys are 32 random bytes in hex, one per line of the key file (or comma-separated in
//! `ZAIZAO_CRYPTO_KEY`): the first encrypts and seals, the others are retired keys kept to
//! read what they wrote. Each sealed value names the key it was sealed under.

use std::sync::OnceLock;

use aes_gcm::aead::{Aead, KeyInit};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;

use super::error::AppError;

/// SM4 in Galois/counter mode (RFC 8998), with a 12-byte nonce and a 16-byte tag.
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The prefix of a value sealed with SM4: `sm4:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`.
const SEALED: &str = "sm4:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Standard,
    Gm,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Standard => "standard",
            Mode::Gm => "gm",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim() {
            "standard" => Some(Mode::Standard),
            "gm" => Some(Mode::Gm),
            _ => None,
        }
    }
}

/// One key of the gm suite, derived from its 32-byte master.
struct GmKey {
    id: String,
    enc: [u8; 16],
    mac: [u8; 32],
}

impl GmKey {
    fn derive(master: &[u8; 32]) -> Option<GmKey> {
        let enc_full = hmac_sm3(master, b"zaizao sm4 personal information")?;
        let mut enc = [0u8; 16];
        enc.copy_from_slice(&enc_full[..16]);
        Some(GmKey { id: hex::encode(&Sm3::digest(master)[..4]), enc, mac: hmac_sm3(master, b"zaizao audit seal")? })
    }
}

struct Suite {
    mode: Mode,
    /// The first is current.
    keys: Vec<GmKey>,
}

static SUITE: OnceLock<Suite> = OnceLock::new();

fn suite() -> &'static Suite {
    SUITE.get_or_init(|| Suite { mode: Mode::Standard, keys: Vec::new() })
}

/// The suite's settings as configured: the mode and its keys (hex, current first).
#[derive(Debug, Clone, Default)]
pub struct CryptoConfig {
    pub mode: Mode,
    pub keys: Vec<[u8; 32]>,
}

impl CryptoConfig {
    /// Keys from text: hex keys separated by new lines or commas; `#` starts a comment.
    pub fn parse_keys(text: &str) -> Result<Vec<[u8; 32]>, String> {
        text.lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .flat_map(|l| l.split(','))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| {
                let bytes = hex::decode(k).map_err(|_| "a crypto key is not hexadecimal".to_owned())?;
                <[u8; 32]>::try_from(bytes.as_slice())
                    .map_err(|_| "a crypto key must be 32 bytes (64 hexadecimal digits)".to_owned())
            })
            .collect()
    }
}

/// Fix the process's suite; once, before any database is opened. A second call with the
/// same mode is a no-op (the in-process test servers share one process).
pub fn configure(config: &CryptoConfig) -> Result<(), String> {
    if config.mode == Mode::Gm && config.keys.is_empty() {
        return Err("--crypto gm needs a key: --crypto-key-file FILE or ZAIZAO_CRYPTO_KEY".into());
    }
    let keys = config.keys.iter().map(GmKey::derive).collect::<Option<Vec<_>>>();
    let wanted = Suite { mode: config.mode, keys: keys.ok_or("a crypto key could not be derived")? };
    let set = SUITE.get_or_init(|| wanted);
    if set.mode != config.mode {
        return Err(format!("the cryptography suite is already {}", set.mode.as_str()));
    }
    Ok(())
}

pub fn mode() -> Mode {
    suite().mode
}

/// Id of the key new values are sealed under (gm only).
pub fn current_key_id() -> Option<&'static str> {
    suite().keys.first().map(|k| k.id.as_str())
}

/// HMAC-SM3 (GB/T 15852.2 with SM3). `None` only if HMAC refused the key, which it
/// does for no length.
fn hmac_sm3(key: &[u8], data: &[u8]) -> Option<[u8; 32]> {
    let mut mac = <Hmac<Sm3> as Mac>::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().into())
}

fn hmac_sm3_hex(key: &[u8], data: &[u8]) -> String {
    hmac_sm3(key, data).map(hex::encode).unwrap_or_default()
}

pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// The stored form of a secret (token, key, tracking code): SHA-256 or SM3, by suite.
pub fn secret_digest(data: &[u8]) -> String {
    match mode() {
        Mode::Standard => sha256_hex(data),
        Mode::Gm => sm3_hex(data),
    }
}

/// The link of an audit entry over its canonical text: SHA-256, or HMAC-SM3 under the
/// current key.
pub fn chain_link(data: &[u8]) -> String {
    let s = suite();
    match (s.mode, s.keys.first()) {
        (Mode::Gm, Some(k)) => hmac_sm3_hex(&k.mac, data),
        _ => sha256_hex(data),
    }
}

/// Whether `link` is the link of `data` under this suite (any of its keys).
pub fn chain_link_matches(data: &[u8], link: &str) -> bool {
    let s = suite();
    match s.mode {
        Mode::Standard => same_secret(&sha256_hex(data), link),
        Mode::Gm => s.keys.iter().any(|k| same_secret(&hmac_sm3_hex(&k.mac, data), link)),
    }
}

/// Personal information as it is stored: encrypted under the gm suite, as given under the
/// standard one. Empty text stays empty, so "has a phone" remains a plain check.
pub fn seal(plain: &str) -> Result<String, AppError> {
    let s = suite();
    let Some(key) = s.keys.first().filter(|_| s.mode == Mode::Gm && !plain.is_empty()) else {
        return Ok(plain.to_owned());
    };
    seal_with(key, plain)
}

fn seal_with(key: &GmKey, plain: &str) -> Result<String, AppError> {
    let nonce = random_bytes(12)?;
    let cipher = Sm4Gcm::new_from_slice(&key.enc).map_err(|_| AppError::internal("SM4 key length"))?;
    let mut out = nonce.clone();
    out.extend(
        cipher
            .encrypt(aes_gcm::Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| AppError::internal("SM4 encryption failed"))?,
    );
    Ok(format!("{SEALED}{}:{}", key.id, base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)))
}

pub fn seal_opt(plain: Option<&str>) -> Result<Option<String>, AppError> {
    plain.map(seal).transpose()
}

/// Whether a stored value is sealed, and under which key.
pub fn sealed_key_id(stored: &str) -> Option<&str> {
    stored.strip_prefix(SEALED).and_then(|rest| rest.split_once(':')).map(|(id, _)| id)
}

/// The plain text of a stored value: sealed values are opened, others returned as they are.
pub fn open(stored: &str) -> Result<String, AppError> {
    open_in(&suite().keys, stored)
}

fn open_in(keys: &[GmKey], stored: &str) -> Result<String, AppError> {
    let Some(rest) = stored.strip_prefix(SEALED) else { return Ok(stored.to_owned()) };
    let (id, body) = rest.split_once(':').ok_or_else(|| AppError::internal("a sealed value is malformed"))?;
    let key = keys.iter().find(|k| k.id == id).ok_or_else(|| {
        AppError::internal(format!("a value is sealed under crypto key {id}, which is not configured"))
    })?;
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(body)
        .map_err(|_| AppError::internal("a sealed value is malformed"))?;
    if bytes.len() < 12 + 16 {
        return Err(AppError::internal("a sealed value is malformed"));
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let cipher = Sm4Gcm::new_from_slice(&key.enc).map_err(|_| AppError::internal("SM4 key length"))?;
    let plain = cipher
        .decrypt(aes_gcm::Nonce::from_slice(nonce), ciphertext)
        .map_err(|_| AppError::internal(format!("a value sealed under crypto key {id} fails its integrity check")))?;
    String::from_utf8(plain).map_err(|_| AppError::internal("a sealed value is not text"))
}

pub fn open_opt(stored: Option<String>) -> Result<Option<String>, AppError> {
    stored.map(|s| open(&s)).transpose()
}

/// The stored value sealed again under the current key, if it was sealed under another
/// (or not at all) — for `zaizao crypto rotate`.
pub fn reseal(stored: &str) -> Result<Option<String>, AppError> {
    if stored.is_empty() || mode() != Mode::Gm || sealed_key_id(stored) == current_key_id() {
        return Ok(None);
    }
    seal(&open(stored)?).map(Some)
}

/// Check that the database was written under this process's suite, or record the suite
/// on a new database. A database written under one suite is refused by the other: its
/// digests, links and sealed values would not be understood.
pub fn bind_database(tx: &mut super::db::Tx<'_>) -> Result<(), AppError> {
    let fact = |tx: &mut super::db::Tx<'_>, name: &str| -> Result<Option<String>, AppError> {
        Ok(tx
            .query_opt("SELECT value FROM database_facts WHERE name = $1", crate::params![name])?
            .map(|r| r.text(0))
            .transpose()?)
    };
    let mode = mode();
    match fact(tx, "crypto")? {
        None => {
            tx.execute(
                "INSERT INTO database_facts (name, value) VALUES ('crypto', $1)",
                crate::params![mode.as_str()],
            )?;
        }
        Some(written) if written != mode.as_str() => {
            return Err(AppError::internal(format!(
                "this database was written with --crypto {written} and cannot be opened with --crypto {}; \
                 start with --crypto {written} (本数据库以 --crypto {written} 写入，不能以 --crypto {} 打开)",
                mode.as_str(),
                mode.as_str()
            )));
        }
        Some(_) => {}
    }
    if mode == Mode::Gm {
        match fact(tx, "crypto_key")? {
            None => {
                tx.execute(
                    "INSERT INTO database_facts (name, value) VALUES ('crypto_key', $1)",
                    crate::params![current_key_id().unwrap_or_default()],
                )?;
            }
            Some(id) if !suite().keys.iter().any(|k| k.id == id) => {
                return Err(AppError::internal(format!(
                    "this database is sealed under crypto key {id}, which is not among the configured keys \
                     (数据库的密钥 {id} 未配置)"
                )));
            }
            Some(_) => {}
        }
    }
    if fact(tx, "pseudonym_salt")?.is_none() {
        let salt = hex::encode(random_bytes(16)?);
        tx.execute(
            "INSERT INTO database_facts (name, value) VALUES ('pseudonym_salt', $1) ON CONFLICT (name) DO NOTHING",
            crate::params![salt],
        )?;
    }
    Ok(())
}

/// The database's secret salt for pseudonyms of people in exported logs.
pub fn pseudonym_salt(tx: &mut super::db::Tx<'_>) -> Result<String, AppError> {
    Ok(tx
        .query_opt("SELECT value FROM database_facts WHERE name = 'pseudonym_salt'", &[])?
        .map(|r| r.text(0))
        .transpose()?
        .unwrap_or_default())
}

/// A stable pseudonym of account `id` under `salt`: the same person is the same pseudonym
/// within a database, and nobody without the salt can tell who it is.
pub fn pseudonym(salt: &str, id: i64) -> String {
    let digest = secret_digest(format!("{salt}:{id}").as_bytes());
    format!("P-{}", &digest[..10])
}

/// Record that every sealed value is now under the current key (after `zaizao crypto rotate`).
pub fn record_current_key(tx: &mut super::db::Tx<'_>) -> Result<(), AppError> {
    tx.execute(
        "UPDATE database_facts SET value = $1 WHERE name = 'crypto_key'",
        crate::params![current_key_id().unwrap_or_default()],
    )?;
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use aes_gcm::aead::{Aead, KeyInit, Payload};
    use sm4::cipher::{BlockEncrypt, generic_array::GenericArray};

    use super::*;

    #[test]
    fn sm3_meets_the_standards_examples() {
        // GB/T 32905-2016, appendix A.1 and A.2.
        assert_eq!(sm3_hex(b"abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
        assert_eq!(
            sm3_hex("abcd".repeat(16).as_bytes()),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn hmac_sm3_meets_gm_t_0042() {
        // GM/T 0042-2015, appendix D.3, the first example.
        let key: Vec<u8> = (1..=32).collect();
        let input = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".repeat(2);
        assert_eq!(
            hmac_sm3_hex(&key, input.as_bytes()),
            "ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a"
        );
    }

    #[test]
    fn sm4_and_sm4_gcm_meet_the_published_examples() {
        // GB/T 32907-2016, appendix A.1: key and plaintext 0123456789abcdeffedcba9876543210.
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap_or_default();
        let cipher = sm4::Sm4::new_from_slice(&key).ok();
        let mut block = GenericArray::clone_from_slice(&key);
        if let Some(c) = &cipher {
            c.encrypt_block(&mut block);
        }
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
        // RFC 8998, appendix A.1 (SM4-GCM).
        let gcm = Sm4Gcm::new_from_slice(&key).ok();
        let nonce = hex::decode("00001234567800000000abcd").unwrap_or_default();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap_or_default();
        let plain = hex::decode(
            "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd\
             eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
        )
        .unwrap_or_default();
        let sealed = gcm
            .and_then(|g| g.encrypt(aes_gcm::Nonce::from_slice(&nonce), Payload { msg: &plain, aad: &aad }).ok())
            .unwrap_or_default();
        assert_eq!(
            hex::encode(sealed),
            "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735\
             d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d\
             83de3541e4c2b58177e065a9bf7b62ec"
        );
    }

    #[test]
    fn sealed_values_open_under_their_own_key_and_not_when_altered() {
        let (Some(old), Some(new)) = (GmKey::derive(&[7u8; 32]), GmKey::derive(&[9u8; 32])) else {
            panic!("keys derive")
        };
        let sealed = seal_with(&old, "13812345678").unwrap_or_default();
        assert!(sealed.starts_with(&format!("sm4:{}:", old.id)), "{sealed}");
        assert!(!sealed.contains("13812345678"));
        assert_ne!(seal_with(&old, "13812345678").unwrap_or_default(), sealed, "a fresh nonce each time");
        let keys = [new, old];
        assert_eq!(open_in(&keys, &sealed).ok().as_deref(), Some("13812345678"));
        assert!(open_in(&keys[..1], &sealed).is_err(), "a retired key that is not configured cannot be read");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(open_in(&keys, &String::from_utf8(altered).unwrap_or_default()).is_err());
        assert_eq!(open_in(&keys, "plain text").ok().as_deref(), Some("plain text"));
    }

    #[test]
    fn keys_are_read_one_per_line_or_comma() {
        let a = "11".repeat(32);
        let b = "22".repeat(32);
        let keys = CryptoConfig::parse_keys(&format!("# current\n{a}\n{b} # retired 2026\n")).unwrap_or_default();
        assert_eq!(keys.len(), 2);
        assert_eq!(CryptoConfig::parse_keys(&format!("{a},{b}")).map(|k| k.len()), Ok(2));
        assert!(CryptoConfig::parse_keys("abcd").is_err());
        assert!(CryptoConfig::parse_keys("zz").is_err());
    }
}
