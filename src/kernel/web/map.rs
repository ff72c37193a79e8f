//! The city map, drawn from the kernel's district outlines as SVG: no tile server, no
//! network. One map to click a place on, one to show records on, shaded by district.

use std::collections::HashMap;
use std::fmt::Write;

use crate::kernel::geo::{self, BOUNDS};

const WIDTH: f64 = 450.0;
const HEIGHT: f64 = 595.0;

fn x(lon: f64) -> f64 {
    (lon - BOUNDS.2) / (BOUNDS.3 - BOUNDS.2) * WIDTH
}

fn y(lat: f64) -> f64 {
    HEIGHT - (lat - BOUNDS.0) / (BOUNDS.1 - BOUNDS.0) * HEIGHT
}

/// A record on the map.
pub struct Pin {
    pub lat: f64,
    pub lon: f64,
    pub href: String,
    pub title: String,
    /// Finished records are green, open ones red.
    pub finished: bool,
}

fn esc(s: &str) -> String {
    maud::html! { (s) }.into_string()
}

/// Sea, districts (shaded by `counts` when given, each with its name and count as a
/// tooltip) and names; the caller closes the `<svg>`.
fn base(class: &str, label: &str, attributes: &str, counts: &HashMap<&str, i64>) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" class=\"{class}\" \
         role=\"img\" aria-label=\"{}\" font-size=\"12\"{attributes}>\
         <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#e3eefa\"/>",
        esc(label)
    );
    let most = counts.values().copied().max().unwrap_or(0).max(1) as f64;
    for d in geo::districts() {
        let count = counts.get(d.name).copied();
        let fill = match count {
            Some(n) if n > 0 => format!("rgba(179,38,30,{:.2})", 0.12 + 0.5 * n as f64 / most),
            _ => "#f7f5ef".to_owned(),
        };
        let points: Vec<String> = d.outline.iter().map(|&(lon, lat)| format!("{:.1},{:.1}", x(lon), y(lat))).collect();
        let tip = match count {
            Some(n) => format!("{}：{n}", d.name),
            None => d.name.to_owned(),
        };
        let _ = write!(
            out,
            "<polygon points=\"{}\" fill=\"{fill}\" stroke=\"#8a8a93\" stroke-width=\"1\" data-district=\"{}\"><title>{}</title></polygon>",
            points.join(" "),
            d.name,
            esc(&tip)
        );
    }
    for d in geo::districts() {
        let (lx, ly) = (x(d.label.0), y(d.label.1));
        if let Some((lon, lat)) = d.leader {
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#6b6b73\" stroke-width=\"0.8\"/>",
                lx + 18.0,
                ly - 4.0,
                x(lon),
                y(lat)
            );
        }
        let text = match counts.get(d.name) {
            Some(n) => format!("{} {n}", d.name),
            None => d.name.to_owned(),
        };
        let _ = write!(
            out,
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" fill=\"#33333a\" text-anchor=\"middle\" pointer-events=\"none\">{}</text>",
            esc(&text)
        );
    }
    out
}

/// The map for a reporter to click on: `static/forms.js` turns a click into latitude and
/// longitude from the bounds it carries, marks the spot and names the district.
pub fn picking(label: &str) -> String {
    let (s, n, w, e) = BOUNDS;
    let mut out = base("chart pick-map", label, &format!(" data-bounds=\"{s},{n},{w},{e}\""), &HashMap::new());
    out.push_str("<circle class=\"spot\" r=\"6\" cx=\"-20\" cy=\"-20\" fill=\"#b3261e\" stroke=\"#fff\" stroke-width=\"2\"/></svg>");
    out
}

/// Records on the map, each a link; the districts are shaded by how many of the records
/// lie in each.
pub fn with_pins(label: &str, pins: &[Pin]) -> String {
    let (s, n, w, e) = BOUNDS;
    let on_map: Vec<&Pin> = pins.iter().filter(|p| (s..=n).contains(&p.lat) && (w..=e).contains(&p.lon)).collect();
    let mut counts: HashMap<&str, i64> = geo::districts().iter().map(|d| (d.name, 0)).collect();
    for p in &on_map {
        if let Some(d) = geo::district_at(p.lat, p.lon) {
            *counts.entry(d).or_default() += 1;
        }
    }
    let mut out = base("chart", label, "", &counts);
    for p in on_map {
        let color = if p.finished { "#1e7b34" } else { "#b3261e" };
        let _ = write!(
            out,
            "<a href=\"{}\"><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{color}\" fill-opacity=\"0.85\" stroke=\"#fff\" stroke-width=\"0.8\"><title>{}</title></circle></a>",
            esc(&p.href),
            x(p.lon),
            y(p.lat),
            esc(&p.title)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_counted_into_their_districts_and_escaped() {
        let pin =
            |lat, lon, title: &str| Pin { lat, lon, href: "/x?a=1&b=2".into(), title: title.into(), finished: false };
        let svg = with_pins(
            "地图",
            &[
                pin(36.062, 120.384, "<五四广场>"),
                pin(36.063, 120.385, "二"),
                pin(36.16, 120.62, "崂山"),
                pin(40.0, 120.0, "far"),
            ],
        );
        assert!(svg.contains("<title>市南区：2</title>"), "{svg}");
        assert!(svg.contains("<title>崂山区：1</title>"));
        assert!(svg.contains("&lt;五四广场&gt;") && svg.contains("/x?a=1&amp;b=2"));
        assert!(!svg.contains("far"), "a place outside the map is left off");
        assert_eq!(svg.matches("<circle").count(), 3);
    }
}
