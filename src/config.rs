//! Configuration: command-line flags, then environment variables, then an optional TOML
//! file, then defaults — in that order of precedence.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Options shared by every subcommand.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GlobalOpts {
    /// TOML file with any of the settings below (keys as in the table in the README).
    #[arg(long, env = "ZAIZAO_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ZAIZAO_LISTEN", global = true)]
    pub listen: Option<String>,
    /// Folder for the SQLite database, backups and indexes [default: ./zaizao-data].
    #[arg(long, env = "ZAIZAO_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database: postgres://user@host/db for PostgreSQL, or sqlite://FILE
    /// [default: SQLite file zaizao.db in the data dir].
    #[arg(long, env = "ZAIZAO_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Mark cookies Secure; set when serving behind TLS [default: false].
    #[arg(long, env = "ZAIZAO_SECURE_COOKIES", global = true)]
    pub secure_cookies: Option<bool>,
    /// Log format: "text" or "json" [default: text].
    #[arg(long, env = "ZAIZAO_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Seconds between scheduler runs (reminders, escalations, e-mail); 0 turns the
    /// scheduler off [default: 60].
    #[arg(long, env = "ZAIZAO_SCHEDULER_SECONDS", global = true)]
    pub scheduler_seconds: Option<u64>,
    /// Requests per minute one client address may make to public endpoints (rating
    /// links, the calendar) [default: 600].
    #[arg(long, env = "ZAIZAO_PUBLIC_RATE_PER_MINUTE", global = true)]
    pub public_rate_per_minute: Option<u32>,
    /// The longest lifetime, in days, an API token may ask for [default: 90].
    #[arg(long, env = "ZAIZAO_MAX_TOKEN_DAYS", global = true)]
    pub max_token_days: Option<i64>,
    /// The address the public reaches this service at, e.g. https://zaizao.qingdao.gov.cn;
    /// used in links the service hands out (Open311 discovery) instead of the request's
    /// Host header [default: http://<listen>].
    #[arg(long, env = "ZAIZAO_PUBLIC_BASE_URL", global = true)]
    pub public_base_url: Option<String>,
    /// Honour X-Forwarded-For from this proxy address when deciding a client's address
    /// for rate limits [default: none; the connecting address is the client].
    #[arg(long, env = "ZAIZAO_TRUSTED_PROXY", global = true)]
    pub trusted_proxy: Option<String>,
    /// Send e-mail through this SMTP server: smtp://host:25, smtp://host:587?tls=required
    /// or smtps://user:password@host:465 [default: e-mail is only logged].
    #[arg(long, env = "ZAIZAO_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// The sender of e-mail, e.g. "再造平台 <noreply@qingdao.gov.cn>".
    #[arg(long, env = "ZAIZAO_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
    /// POST each SMS (or 政务微信 / 钉钉 message) to this gateway [default: only logged].
    #[arg(long, env = "ZAIZAO_SMS_WEBHOOK_URL", global = true)]
    pub sms_webhook_url: Option<String>,
    /// The JSON body for the SMS gateway, with {address}, {subject} and {body}
    /// [default: {"mobile": "{address}", "content": "{subject}：{body}"}].
    #[arg(long, env = "ZAIZAO_SMS_WEBHOOK_TEMPLATE", global = true)]
    pub sms_webhook_template: Option<String>,
    /// Who answers for the Open311 service, named in its discovery document
    /// [default: 青岛市督查督办 12345].
    #[arg(long, env = "ZAIZAO_OPEN311_CONTACT", global = true)]
    pub open311_contact: Option<String>,
    /// Open-data fields to keep back beyond the personal ones, as `dataset.field`
    /// separated by commas, e.g. `enterprises.address` [default: none].
    #[arg(long, env = "ZAIZAO_OPENDATA_WITHHOLD", global = true)]
    pub opendata_withhold: Option<String>,
    /// Cryptography suite: "standard" (SHA-256) or "gm" (商用密码: SM3, HMAC-SM3, SM4)
    /// [default: standard]. Fixed for a database's life.
    #[arg(long, env = "ZAIZAO_CRYPTO", global = true)]
    pub crypto: Option<String>,
    /// File of the gm suite's keys, one per line in hex (64 digits), the current first;
    /// or give them in ZAIZAO_CRYPTO_KEY, comma-separated.
    #[arg(long, env = "ZAIZAO_CRYPTO_KEY_FILE", global = true)]
    pub crypto_key_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    secure_cookies: Option<bool>,
    log_format: Option<String>,
    scheduler_seconds: Option<u64>,
    public_rate_per_minute: Option<u32>,
    max_token_days: Option<i64>,
    public_base_url: Option<String>,
    trusted_proxy: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    sms_webhook_url: Option<String>,
    sms_webhook_template: Option<String>,
    open311_contact: Option<String>,
    opendata_withhold: Option<Vec<String>>,
    crypto: Option<String>,
    crypto_key_file: Option<PathBuf>,
}

/// The contact named in the Open311 discovery document unless configured.
pub const DEFAULT_OPEN311_CONTACT: &str = "青岛市督查督办 12345";

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub secure_cookies: bool,
    pub log_format: String,
    pub scheduler_seconds: u64,
    pub public_rate_per_minute: u32,
    pub max_token_days: i64,
    /// Without a trailing slash.
    pub public_base_url: String,
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// E-mail and SMS gateways.
    pub delivery: crate::kernel::gateways::DeliveryConfig,
    /// Who answers for the Open311 service.
    pub open311_contact: String,
    /// Open-data fields kept back (`dataset.field`), checked against the datasets at start.
    pub opendata_withhold: Vec<String>,
    /// The cryptography suite and its keys.
    pub crypto: crate::kernel::crypto::CryptoConfig,
}

impl Config {
    pub fn resolve(opts: &GlobalOpts) -> anyhow::Result<Config> {
        let file = match &opts.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let listen = opts.listen.clone().or(file.listen).unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr =
            listen.parse().with_context(|| format!("listen address {listen:?} is not HOST:PORT"))?;
        let data_dir = opts.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("./zaizao-data"));
        let database_url = opts
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("zaizao.db").display()));
        let log_format = opts.log_format.clone().or(file.log_format).unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            bail!("log_format must be \"text\" or \"json\"");
        }
        let max_token_days = opts.max_token_days.or(file.max_token_days).unwrap_or(90);
        if !(1..=366).contains(&max_token_days) {
            bail!("max_token_days must be between 1 and 366");
        }
        let public_base_url = opts
            .public_base_url
            .clone()
            .or(file.public_base_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_base_url.starts_with("http://") || public_base_url.starts_with("https://"))
            || public_base_url.chars().any(|c| c.is_whitespace() || "\"'<>`".contains(c))
        {
            bail!("public_base_url must be an http:// or https:// address");
        }
        let trusted_proxy = match opts.trusted_proxy.clone().or(file.trusted_proxy) {
            Some(p) => Some(p.parse().with_context(|| format!("trusted_proxy {p:?} is not an IP address"))?),
            None => None,
        };
        let delivery = crate::kernel::gateways::DeliveryConfig {
            smtp_url: opts.smtp_url.clone().or(file.smtp_url),
            mail_from: opts.mail_from.clone().or(file.mail_from),
            sms_webhook_url: opts.sms_webhook_url.clone().or(file.sms_webhook_url),
            sms_webhook_template: opts.sms_webhook_template.clone().or(file.sms_webhook_template),
        };
        let open311_contact =
            opts.open311_contact.clone().or(file.open311_contact).unwrap_or_else(|| DEFAULT_OPEN311_CONTACT.to_owned());
        if open311_contact.trim().is_empty() || open311_contact.chars().count() > 200 {
            bail!("open311_contact must be between 1 and 200 characters");
        }
        let opendata_withhold = match opts.opendata_withhold.as_deref() {
            Some(list) => list.split(',').map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()).collect(),
            None => file.opendata_withhold.unwrap_or_default(),
        };
        let crypto =
            resolve_crypto(opts.crypto.clone().or(file.crypto), opts.crypto_key_file.clone().or(file.crypto_key_file))?;
        Ok(Config {
            crypto,
            opendata_withhold,
            open311_contact,
            delivery,
            max_token_days,
            public_base_url,
            trusted_proxy,
            listen,
            data_dir,
            database_url,
            secure_cookies: opts.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            log_format,
            scheduler_seconds: opts.scheduler_seconds.or(file.scheduler_seconds).unwrap_or(60),
            public_rate_per_minute: opts.public_rate_per_minute.or(file.public_rate_per_minute).unwrap_or(600),
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://") || self.database_url.starts_with("postgresql://")
    }
}

fn resolve_crypto(
    mode: Option<String>,
    key_file: Option<PathBuf>,
) -> anyhow::Result<crate::kernel::crypto::CryptoConfig> {
    use crate::kernel::crypto::{CryptoConfig, Mode};
    let mode = match mode {
        Some(m) => Mode::parse(&m).with_context(|| format!("crypto must be \"standard\" or \"gm\", not {m:?}"))?,
        None => Mode::Standard,
    };
    let text = match (key_file, std::env::var("ZAIZAO_CRYPTO_KEY").ok()) {
        (Some(path), _) => {
            std::fs::read_to_string(&path).with_context(|| format!("reading the crypto key file {}", path.display()))?
        }
        (None, Some(keys)) => keys,
        (None, None) => String::new(),
    };
    let keys = CryptoConfig::parse_keys(&text).map_err(anyhow::Error::msg)?;
    if mode == Mode::Gm && keys.is_empty() {
        bail!("--crypto gm needs its key: --crypto-key-file FILE or ZAIZAO_CRYPTO_KEY (64 hexadecimal digits)");
    }
    Ok(CryptoConfig { mode, keys })
}

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let dir = std::env::temp_dir().join(format!("zaizao-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let file = dir.join("z.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nlog_format = \"json\"\n").ok();
        let opts =
            GlobalOpts { config: Some(file.clone()), listen: Some("127.0.0.1:9100".into()), ..Default::default() };
        let c = Config::resolve(&opts).ok();
        assert_eq!(c.as_ref().map(|c| c.listen.port()), Some(9100));
        assert_eq!(c.as_ref().map(|c| c.log_format.as_str()), Some("json"));
        assert!(c.is_some_and(|c| c.database_url.ends_with("zaizao.db")));
        std::fs::write(&file, "colour = \"red\"\n").ok();
        assert!(Config::resolve(&GlobalOpts { config: Some(file), ..Default::default() }).is_err());
    }
}
