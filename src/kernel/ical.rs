//! iCalendar (RFC 5545) for events a mechanism schedules (hearings, inquiries): a
//! calendar of events, each with a UID stable across fetches and a SEQUENCE raised by the
//! mechanism on each change, times in Asia/Shanghai with its VTIMEZONE, text escaped and
//! lines folded at 75 octets with CRLF endings.

use chrono::{TimeZone, Utc};

/// One scheduled event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across fetches and changes, e.g. `hearing-12@zaizao`.
    pub uid: String,
    /// Raised by each change of time, place or status.
    pub sequence: i64,
    /// When the record last changed (ms), written as DTSTAMP.
    pub stamp: i64,
    pub start: i64,
    pub end: i64,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub url: String,
    pub cancelled: bool,
}

/// Text escaped as RFC 5545 §3.3.11 asks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so no line exceeds 75 octets (never inside a character).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn utc(ms: i64) -> String {
    Utc.timestamp_millis_opt(ms).single().map(|t| t.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

fn local(ms: i64) -> String {
    super::clock::to_local(ms).format("%Y%m%dT%H%M%S").to_string()
}

/// A calendar named `name` holding `events`.
pub fn calendar(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//zaizao//Government process reengineering//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    line(&mut out, "X-WR-TIMEZONE:Asia/Shanghai");
    // China has kept UTC+8 without daylight saving since 1991.
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "DTSTART:19910915T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(&mut out, l);
    }
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&e.uid)));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        line(&mut out, &format!("DTSTAMP:{}", utc(e.stamp)));
        line(&mut out, &format!("DTSTART;TZID=Asia/Shanghai:{}", local(e.start)));
        line(&mut out, &format!("DTEND;TZID=Asia/Shanghai:{}", local(e.end.max(e.start))));
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        if !e.location.is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(&e.location)));
        }
        if !e.description.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.url.is_empty() {
            line(&mut out, &format!("URL:{}", e.url));
        }
        line(&mut out, if e.cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A calendar as a download or a subscription.
pub fn response(text: String, filename: &str) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut res = text.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_without_splitting_a_character() {
        let e = Event {
            uid: "hearing-1@zaizao".into(),
            sequence: 2,
            stamp: 0,
            start: 1_555_203_600_000,
            end: 1_555_214_400_000,
            summary: "海洋攻势作战方案公开答辩会，市委书记主持；全程网络直播".repeat(2),
            location: "市行政中心, 第一会议室".into(),
            description: "第一行\n第二行".into(),
            url: "https://example.org/hearings/1".into(),
            cancelled: false,
        };
        let text = calendar("答辩会", &[e]);
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        assert!(text.contains("DTSTART;TZID=Asia/Shanghai:20190414T090000\r\n"), "{text}");
        assert!(text.contains("LOCATION:市行政中心\\, 第一会议室\r\n"));
        assert!(text.contains("DESCRIPTION:第一行\\n第二行\r\n"));
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains("市委书记主持\\；") || unfolded.contains("市委书记主持；"), "{unfolded}");
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
