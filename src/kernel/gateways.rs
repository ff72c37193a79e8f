//! Real delivery: e-mail over SMTP (lettre), SMS and 政务微信 / 钉钉 through an HTTP
//! webhook gateway whose JSON body is a template in the configuration. What is not
//! configured goes to the log, as before. Failures are retried by the outbox with backoff
//! (see `notify::record_deliveries`) and listed for administrators.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::notify::{Delivery, Gateway, LogGateway, Outgoing};

/// Where messages go, from the configuration file or flags.
#[derive(Debug, Clone, Default)]
pub struct DeliveryConfig {
    /// `smtp://host:25` (plain, for a relay on the same network), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465`.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `再造平台 <noreply@qingdao.gov.cn>`.
    pub mail_from: Option<String>,
    /// The gateway that sends SMS (or 政务微信 / 钉钉 messages): each message is POSTed here.
    pub sms_webhook_url: Option<String>,
    /// The JSON body, with `{address}`, `{subject}` and `{body}` replaced by the message's
    /// values (escaped for a JSON string).
    pub sms_webhook_template: Option<String>,
}

const DEFAULT_TEMPLATE: &str = r#"{"mobile": "{address}", "content": "{subject}：{body}"}"#;
const DEFAULT_FROM: &str = "再造平台 <noreply@localhost>";
/// A gateway that does not answer in this time has failed this attempt.
const TIMEOUT: Duration = Duration::from_secs(20);

struct Webhook {
    url: String,
    template: String,
    client: reqwest::Client,
}

pub struct Gateways {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    webhook: Option<Webhook>,
}

/// The gateway the configuration asks for: the log alone when nothing is configured.
pub fn from_config(c: &DeliveryConfig) -> anyhow::Result<Arc<dyn Gateway>> {
    if c.smtp_url.is_none() && c.sms_webhook_url.is_none() {
        return Ok(Arc::new(LogGateway));
    }
    let smtp = match &c.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .with_context(|| "smtp_url must be smtp://host:port or smtps://user:password@host:port")?
                .timeout(Some(TIMEOUT))
                .build();
            let from: Mailbox = c
                .mail_from
                .as_deref()
                .unwrap_or(DEFAULT_FROM)
                .parse()
                .with_context(|| "mail_from must be an address such as 再造平台 <noreply@qingdao.gov.cn>")?;
            Some((transport, from))
        }
        None => None,
    };
    let webhook = match &c.sms_webhook_url {
        Some(url) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("sms_webhook_url must be an http:// or https:// address");
            }
            let template = c.sms_webhook_template.clone().unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
            let sample = fill(&template, "13800000000", "主题", "正文");
            serde_json::from_str::<serde_json::Value>(&sample).with_context(
                || "sms_webhook_template must give JSON once {address}, {subject} and {body} are filled in",
            )?;
            let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
            Some(Webhook { url: url.clone(), template, client })
        }
        None => None,
    };
    Ok(Arc::new(Gateways { smtp, webhook }))
}

/// The template with each placeholder replaced by its value escaped for a JSON string.
fn fill(template: &str, address: &str, subject: &str, body: &str) -> String {
    let esc = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len().saturating_sub(1)].to_owned()
    };
    template.replace("{address}", &esc(address)).replace("{subject}", &esc(subject)).replace("{body}", &esc(body))
}

impl Gateways {
    async fn email(&self, m: &Outgoing) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return LogGateway.deliver(m).await;
        };
        let to: Mailbox = m.address.parse().map_err(|e| format!("bad address: {e}"))?;
        let text = if m.body.is_empty() { m.subject.clone() } else { m.body.clone() };
        let builder = Message::builder().from(from.clone()).to(to).subject(m.subject.as_str());
        let message = match &m.file {
            None => builder.header(ContentType::TEXT_PLAIN).body(text),
            Some(f) => {
                let kind = ContentType::parse(&f.content_type).map_err(|e| format!("bad content type: {e}"))?;
                builder.multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(text))
                        .singlepart(Attachment::new(f.name.clone()).body(f.content.clone(), kind)),
                )
            }
        }
        .map_err(|e| format!("cannot build the message: {e}"))?;
        transport.send(message).await.map(|_| ()).map_err(|e| format!("smtp: {e}"))
    }

    async fn sms(&self, m: &Outgoing) -> Result<(), String> {
        let Some(w) = &self.webhook else {
            return LogGateway.deliver(m).await;
        };
        let body = fill(&w.template, &m.address, &m.subject, &m.body);
        let res = w
            .client
            .post(&w.url)
            .header("content-type", "application/json; charset=utf-8")
            .body(body)
            .send()
            .await
            .map_err(|e| format!("webhook: {e}"))?;
        if res.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", res.status())) }
    }
}

impl Gateway for Gateways {
    fn deliver<'a>(&'a self, m: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move { if m.channel == "email" { self.email(m).await } else { self.sms(m).await } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_filled_with_escaped_values_and_checked() {
        let body = fill(DEFAULT_TEMPLATE, "13800000000", "请评价", "他说\"好\"\n谢谢");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["mobile"], "13800000000");
        assert_eq!(v["content"], "请评价：他说\"好\"\n谢谢");
        let bad = DeliveryConfig {
            sms_webhook_url: Some("http://127.0.0.1:9/sms".into()),
            sms_webhook_template: Some("{not json".into()),
            ..Default::default()
        };
        assert!(from_config(&bad).is_err());
        let bad = DeliveryConfig { smtp_url: Some("ftp://x".into()), ..Default::default() };
        assert!(from_config(&bad).is_err());
    }
}
