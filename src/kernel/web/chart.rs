//! Charts drawn on the server as SVG: no script, nothing to download.

use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Horizontal bars, one per (label, value, shown text); values are scaled to `max`.
pub fn bars(title: &str, rows: &[(String, f64, String)], max: f64, color: &str) -> String {
    let row_h = 26;
    let label_w = 190;
    let bar_w = 360;
    let height = 30 + rows.len() as i32 * row_h;
    let width = label_w + bar_w + 90;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" class=\"chart\" \
         role=\"img\" aria-label=\"{}\" font-size=\"12\"><text x=\"0\" y=\"16\" font-weight=\"600\">{}</text>",
        escape(title),
        escape(title)
    );
    for (i, (label, value, shown)) in rows.iter().enumerate() {
        let y = 26 + i as i32 * row_h;
        let w = if max > 0.0 { ((value / max).clamp(0.0, 1.0) * f64::from(bar_w)).round() as i32 } else { 0 };
        let short: String = label.chars().take(14).collect();
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{bar_w}\" height=\"16\" fill=\"#f0f0f3\"/>\
             <rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 8,
            y + 12,
            escape(&short),
            label_w,
            label_w,
            label_w + bar_w + 6,
            y + 12,
            escape(shown)
        );
    }
    out.push_str("</svg>");
    out
}
