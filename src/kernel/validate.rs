//! Parsing input at the edge into values that cannot be wrong.

use super::error::AppError;

/// A trimmed, non-empty text of at most `max` characters.
pub fn text(value: &str, field: &'static str, max: usize) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid("required", field));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid_detail("too_long", field, format!("max {max}")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(AppError::invalid("bad_value", field));
    }
    Ok(v.to_owned())
}

/// Like [`text`], but empty input is `None`.
pub fn opt_text(value: Option<&str>, field: &'static str, max: usize) -> Result<Option<String>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => text(v, field, max).map(Some),
        None => Ok(None),
    }
}

/// A code: ASCII letters, digits, `-` and `_`, 1–40 characters.
pub fn code(value: &str, field: &'static str) -> Result<String, AppError> {
    let v = text(value, field, 40)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::invalid("bad_value", field));
    }
    Ok(v)
}

pub fn date(value: &str, field: &'static str) -> Result<chrono::NaiveDate, AppError> {
    super::clock::parse_date(value).ok_or_else(|| AppError::invalid("bad_date", field))
}

/// A local (China) time written `YYYY-MM-DDTHH:MM`, as a datetime-local field sends it, in ms.
pub fn local_time(value: &str, field: &'static str) -> Result<i64, AppError> {
    chrono::NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(super::clock::from_local)
        .ok_or_else(|| AppError::invalid("bad_time", field))
}

pub fn opt_date(value: Option<&str>, field: &'static str) -> Result<Option<chrono::NaiveDate>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => date(v, field).map(Some),
        None => Ok(None),
    }
}

/// Passwords too common to allow, whatever their length and classes (lowercase; a password
/// is compared without case).
const COMMON_PASSWORDS: &[&str] = &[
    "password123",
    "password@123",
    "password1!",
    "p@ssw0rd123",
    "p@ssword123",
    "passw0rd!",
    "qwerty123!",
    "qwer1234!@#$",
    "1qaz2wsx3edc",
    "1qaz@wsx3edc",
    "1qaz!qaz2wsx",
    "zaq1@wsx",
    "zaq12wsx!",
    "abc123456!",
    "abcd1234!@",
    "admin@123",
    "admin123!",
    "admin@1234",
    "admin12345!",
    "administrator1",
    "welcome123!",
    "welcome@123",
    "woaini1314!",
    "woaini@1314",
    "aa123456789!",
    "a123456789!",
    "qq123456789!",
    "iloveyou123!",
    "changeme123!",
    "letmein123!",
    "test@12345",
    "test12345!",
    "root@123456",
    "huawei@123",
    "huawei12#$",
    "sangfor@123",
    "qingdao@2019",
    "qingdao123!",
    "zhengwu@123",
    "gov@123456",
    "china@2019",
    "p@ssw0rd",
];

/// A password for an account: at least 10 characters of at least three of the four classes
/// (lowercase, uppercase, digits, other), not containing the username (of 3 or more
/// characters), and not one of the commonly used ones (等保 2.0 身份鉴别).
pub fn password(value: &str, username: &str) -> Result<String, AppError> {
    if value.len() > 256 {
        return Err(AppError::invalid("too_long", "password"));
    }
    let classes = [
        value.chars().any(|c| c.is_lowercase()),
        value.chars().any(|c| c.is_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_alphanumeric()),
    ];
    if value.chars().count() < 10 || classes.iter().filter(|c| **c).count() < 3 {
        return Err(AppError::invalid("weak_password", "password"));
    }
    let lower = value.to_lowercase();
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && lower.contains(&name) {
        return Err(AppError::invalid("password_has_username", "password"));
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(AppError::invalid("common_password", "password"));
    }
    Ok(value.to_owned())
}

/// Contact details as lists and exports show them (个人信息保护): a mobile number as
/// `138****5678`, an e-mail address as `z***@example.com`, anything else by its first
/// character.
pub fn mask_contact(contact: &str) -> String {
    let contact = contact.trim();
    let digits: Vec<char> = contact.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 7 && contact.chars().all(|c| c.is_ascii_digit() || "+- ()".contains(c)) {
        let (head, tail) = (&digits[..3], &digits[digits.len() - 4..]);
        return format!("{}****{}", head.iter().collect::<String>(), tail.iter().collect::<String>());
    }
    if let Some((name, domain)) = contact.split_once('@') {
        let first: String = name.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    match contact.chars().next() {
        Some(first) => format!("{first}***"),
        None => String::new(),
    }
}

/// The 31 characters of a unified social credit code (GB 32100-2015): no I, O, Z, S or V.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of positions 1–17: 3^(i−1) mod 31.
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// The check character the first 17 characters of a credit code call for, if they are all
/// of the code's alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.bytes().zip(USCC_WEIGHTS) {
        sum += USCC_ALPHABET.iter().position(|a| *a == c)? as u32 * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_ALPHABET[check as usize] as char)
}

/// A unified social credit code (统一社会信用代码): 18 characters of its alphabet (letters
/// taken in capitals, spaces ignored), the last the check character of the rest. A wrong
/// check character is refused with the expected one named.
pub fn uscc(value: &str, field: &'static str) -> Result<String, AppError> {
    let code: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if code.chars().count() != 18 || !code.bytes().all(|b| USCC_ALPHABET.contains(&b)) {
        return Err(AppError::invalid("bad_uscc", field));
    }
    let expected = uscc_check_char(&code[..17]).ok_or_else(|| AppError::invalid("bad_uscc", field))?;
    if code.ends_with(expected) {
        Ok(code)
    } else {
        Err(AppError::invalid_detail("bad_uscc_check", field, expected.to_string()))
    }
}

/// An amount of money in yuan, written as digits with at most two decimals ("23500000",
/// "1234.5", "1,234.56"; a trailing 元 is allowed), as exact integer fen. Negative,
/// fractional-fen and non-numeric amounts are refused.
pub fn yuan_to_fen(value: &str, field: &'static str) -> Result<i64, AppError> {
    let v: String = value.trim().trim_end_matches('元').chars().filter(|c| *c != ',' && *c != '，').collect();
    let v = v.trim();
    if v.starts_with('-') {
        return Err(AppError::invalid("negative_amount", field));
    }
    let (whole, cents) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(cents) {
        return Err(AppError::invalid("bad_amount", field));
    }
    if cents.len() > 2 {
        return Err(AppError::invalid("fractional_fen", field));
    }
    let whole: i64 = whole.parse().map_err(|_| AppError::invalid("bad_amount", field))?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| AppError::invalid("bad_amount", field))?;
    whole.checked_mul(100).and_then(|f| f.checked_add(cents)).ok_or_else(|| AppError::invalid("bad_amount", field))
}

/// Fen as yuan with two decimals and thousands separators: 123456 → "1,234.56".
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let (whole, cents) = (fen.unsigned_abs() / 100, fen.unsigned_abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{cents:02}")
}

/// Fen as the 万元 / 亿元 figure officials quote: 23_500_000_000_00 → "235亿元".
pub fn fen_in_words(fen: i64) -> String {
    let yuan = fen as f64 / 100.0;
    let (n, unit) = if yuan.abs() >= 1e8 {
        (yuan / 1e8, "亿元")
    } else if yuan.abs() >= 1e4 {
        (yuan / 1e4, "万元")
    } else {
        (yuan, "元")
    };
    let text = format!("{n:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_masked_in_lists() {
        assert_eq!(mask_contact("13812345678"), "138****5678");
        assert_eq!(mask_contact(" 0532-8291 2345 "), "053****2345");
        assert_eq!(mask_contact("zhang@example.com"), "z***@example.com");
        assert_eq!(mask_contact("13800138000"), "138****8000");
        assert_eq!(mask_contact("微信 qd2019"), "微***");
        assert_eq!(mask_contact(""), "");
    }

    #[test]
    fn a_password_needs_length_three_classes_no_username_and_no_common_one() {
        let code = |pw: &str, user: &str| password(pw, user).err().map(|e| e.code().to_owned());
        assert_eq!(code("aaaaaaaaaa", "lin"), Some("weak_password".into()), "ten a's");
        assert_eq!(code("Abc-123", "lin"), Some("weak_password".into()), "too short");
        assert_eq!(code("abcdefghij12", "lin"), Some("weak_password".into()), "two classes");
        assert_eq!(code("Wang-Haiyan-2019", "wanghaiyan"), None, "the username split apart is fine");
        assert_eq!(code("my-wanghaiyan-1", "WangHaiyan"), Some("password_has_username".into()));
        assert_eq!(code("Password123", "lin"), Some("common_password".into()));
        assert_eq!(code("correct-horse-2019", "lin"), None);
        assert_eq!(code("Qingdao#Harbour", "lin"), None, "capitals, small letters and a sign");
    }

    #[test]
    fn text_is_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(text("  市发展改革委 ", "name", 10).ok(), Some("市发展改革委".into()));
        assert!(text("   ", "name", 10).is_err());
        assert!(text("一二三四五六七八九十一", "name", 10).is_err());
        assert!(text("a\u{0}b", "name", 10).is_err());
    }

    #[test]
    fn codes_are_ascii() {
        assert!(code("fgw-01", "code").is_ok());
        assert!(code("发改委", "code").is_err());
        assert!(code("a b", "code").is_err());
    }

    #[test]
    fn credit_codes_are_checked_per_gb_32100() {
        for real in ["91350100M000100Y43", "91370200163562681G", "91110000100005220B", "91440300708461136T"] {
            assert_eq!(uscc(real, "uscc").unwrap(), real);
            let expected = real.chars().last().unwrap();
            let wrong = format!("{}{}", &real[..17], if expected == '0' { '1' } else { '0' });
            let e = uscc(&wrong, "uscc").unwrap_err();
            assert_eq!((e.code(), e.detail()), ("bad_uscc_check", Some(expected.to_string().as_str())), "{wrong}");
        }
        assert_eq!(uscc(" 91370200 163562681g ", "uscc").unwrap(), "91370200163562681G");
        for bad in ["", "9137020016356268", "91370200163562681GX", "9137020016356268IG", "91370200163562681O"] {
            assert_eq!(uscc(bad, "uscc").unwrap_err().code(), "bad_uscc", "{bad}");
        }
    }

    #[test]
    fn amounts_are_exact_fen() {
        assert_eq!(yuan_to_fen("23500000000", "amount").unwrap(), 2_350_000_000_000);
        assert_eq!(yuan_to_fen("1,234.5元", "amount").unwrap(), 123_450);
        assert_eq!(yuan_to_fen("0.07", "amount").unwrap(), 7);
        assert_eq!(yuan_to_fen("-5", "amount").unwrap_err().code(), "negative_amount");
        assert_eq!(yuan_to_fen("1.005", "amount").unwrap_err().code(), "fractional_fen");
        for bad in ["", "abc", "1e5", "1.2.3", ".5", "99999999999999999999"] {
            assert_eq!(yuan_to_fen(bad, "amount").unwrap_err().code(), "bad_amount", "{bad}");
        }
        assert_eq!(fen_to_yuan(123_456_789), "1,234,567.89");
        assert_eq!(fen_to_yuan(5), "0.05");
        assert_eq!(fen_in_words(2_350_000_000_000), "235亿元");
        assert_eq!(fen_in_words(7_092_000_000_000), "709.2亿元");
        assert_eq!(fen_in_words(123_400_000), "123.4万元");
    }
}
