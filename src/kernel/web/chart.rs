//! Charts drawn on the server as SVG: no script, nothing to download.

use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// About how wide a text is drawn at 12 px: a Chinese character is as wide as the font
/// size, a Latin letter a little over half.
pub fn text_width(s: &str) -> i32 {
    s.chars().map(|c| if c.is_ascii() { 7 } else { 12 }).sum()
}

/// The widest a bar chart's label column grows; a longer label is shortened with "…" and
/// shown whole on hover.
const LABEL_MAX: i32 = 330;

/// Horizontal bars, one per (label, value, shown text); values are scaled to `max`. The
/// label column is as wide as the longest label needs.
pub fn bars(title: &str, rows: &[(String, f64, String)], max: f64, color: &str) -> String {
    let row_h = 26;
    let label_w = rows.iter().map(|(l, _, _)| text_width(l) + 12).max().unwrap_or(0).clamp(80, LABEL_MAX);
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
        let short = if text_width(label) + 12 <= label_w {
            label.clone()
        } else {
            let mut s = String::new();
            for c in label.chars() {
                if text_width(&s) + text_width(&c.to_string()) + 24 > label_w {
                    break;
                }
                s.push(c);
            }
            s + "…"
        };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}<title>{}</title></text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{bar_w}\" height=\"16\" fill=\"#f0f0f3\"/>\
             <rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{color}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            label_w - 8,
            y + 12,
            escape(&short),
            escape(label),
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

/// Lines over labelled points (e.g. quarters), one per series (name, colour, values),
/// on a scale from `min` to `max`, with a legend.
pub fn lines(title: &str, labels: &[String], series: &[(&str, &str, Vec<f64>)], min: f64, max: f64) -> String {
    let (left, top, w, h) = (40.0, 30.0, 520.0, 180.0);
    let width = 620;
    let height = 260;
    let step = if labels.len() > 1 { w / (labels.len() - 1) as f64 } else { 0.0 };
    let y = |v: f64| top + h - ((v - min) / (max - min).max(f64::EPSILON)).clamp(0.0, 1.0) * h;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" class=\"chart\" \
         role=\"img\" aria-label=\"{}\" font-size=\"11\"><text x=\"0\" y=\"14\" font-weight=\"600\">{}</text>",
        escape(title),
        escape(title)
    );
    for tick in 0..=4 {
        let v = min + (max - min) * f64::from(tick) / 4.0;
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#e2e2e6\"/><text x=\"{2}\" y=\"{3:.1}\" text-anchor=\"end\">{v:.1}</text>",
            y(v),
            left + w,
            left - 4.0,
            y(v) + 4.0
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            left + step * i as f64,
            top + h + 16.0,
            escape(l)
        );
    }
    let (mut legend_x, mut legend_y) = (left, top + h + 28.0);
    for (name, color, values) in series {
        // A missing value (not finite) leaves its point out; each point is marked, so a
        // series of one point shows too.
        let points: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| (left + step * i as f64, y(*v)))
            .collect();
        let line: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            out,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
            line.join(" ")
        );
        for (x, y) in &points {
            let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\" fill=\"{color}\"/>");
        }
        if name.is_empty() {
            continue;
        }
        let wide = f64::from(text_width(name)) + 30.0;
        if legend_x + wide > f64::from(width) && legend_x > left {
            (legend_x, legend_y) = (left, legend_y + 14.0);
        }
        let _ = write!(
            out,
            "<rect x=\"{legend_x}\" y=\"{legend_y}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            legend_x + 14.0,
            legend_y + 9.0,
            escape(name)
        );
        legend_x += wide;
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::bars;

    #[test]
    fn bar_labels_are_shown_whole_or_shortened_visibly() {
        let rows = vec![
            ("市发展和改革委员会 · 市场配置促进处".to_owned(), 18.5, "18.50".to_owned()),
            ("短".to_owned(), 10.0, "10.00".to_owned()),
        ];
        let svg = bars("排名", &rows, 20.0, "#1f5fbf");
        assert!(svg.contains(">市发展和改革委员会 · 市场配置促进处<title>"), "a 20-character label fits whole");
        let long = vec![("很长".repeat(30), 1.0, "1".to_owned())];
        let svg = bars("排名", &long, 20.0, "#1f5fbf");
        assert!(svg.contains("…<title>") && svg.contains(&format!("<title>{}</title>", "很长".repeat(30))));
    }
}
