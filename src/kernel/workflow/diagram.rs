//! A process drawn as a state diagram in SVG, laid out in columns by distance from the
//! initial state. Forward transitions run left to right; the others arc underneath.

use std::collections::HashMap;
use std::fmt::Write;

use super::Process;
use crate::kernel::i18n::Lang;

const W: i32 = 130;
const H: i32 = 40;
const GAP_X: i32 = 70;
const GAP_Y: i32 = 36;
const PAD: i32 = 24;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn svg(p: &Process, lang: Lang) -> String {
    let mut rank: HashMap<&str, usize> = HashMap::from([(p.initial.as_str(), 0)]);
    let mut frontier = vec![p.initial.as_str()];
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for s in frontier {
            let r = rank[s];
            for t in p.transitions.iter().filter(|t| t.from.iter().any(|f| f == s)) {
                if !rank.contains_key(t.to.as_str()) {
                    rank.insert(t.to.as_str(), r + 1);
                    next.push(t.to.as_str());
                }
            }
        }
        frontier = next;
    }
    let mut rows: HashMap<usize, usize> = HashMap::new();
    let mut pos: HashMap<&str, (i32, i32)> = HashMap::new();
    for s in &p.states {
        let r = rank.get(s.id.as_str()).copied().unwrap_or(0);
        let row = rows.entry(r).or_insert(0);
        pos.insert(s.id.as_str(), (PAD + r as i32 * (W + GAP_X), PAD + *row as i32 * (H + GAP_Y)));
        *row += 1;
    }
    let cols = rank.values().max().copied().unwrap_or(0) as i32 + 1;
    let max_rows = rows.values().max().copied().unwrap_or(1) as i32;
    let width = PAD * 2 + cols * W + (cols - 1) * GAP_X;
    let height = PAD * 2 + max_rows * H + (max_rows - 1) * GAP_Y + 90;
    let name = |id: &str| p.state_name(id, lang);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" \
         role=\"img\" aria-label=\"{}\" font-size=\"12\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>",
        escape(if lang == Lang::En { &p.name_en } else { &p.name })
    );
    let mut back = 0;
    for t in &p.transitions {
        let label = escape(if lang == Lang::En { &t.name_en } else { &t.name });
        for f in &t.from {
            let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(f.as_str()), pos.get(t.to.as_str())) else { continue };
            if x2 > x1 {
                let (sx, sy, ex, ey) = (x1 + W, y1 + H / 2, x2, y2 + H / 2);
                let _ = write!(
                    out,
                    "<line x1=\"{sx}\" y1=\"{sy}\" x2=\"{ex}\" y2=\"{ey}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1f5fbf\">{label}</text>",
                    (sx + ex) / 2,
                    (sy + ey) / 2 - 6
                );
            } else if x2 == x1 && y2 != y1 {
                // Same column: down on the left, up on the right, each labelled on its side.
                let down = y2 > y1;
                let x = x1 + W / 2 + if down { -14 } else { 14 };
                let (sy, ey) = if down { (y1 + H, y2) } else { (y1, y2 + H) };
                let (tx, anchor) = if down { (x - 6, "end") } else { (x + 6, "start") };
                let _ = write!(
                    out,
                    "<line x1=\"{x}\" y1=\"{sy}\" x2=\"{x}\" y2=\"{ey}\" stroke=\"#555\" marker-end=\"url(#arrow)\"/>\
                     <text x=\"{tx}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"#1f5fbf\">{label}</text>",
                    (sy + ey) / 2 + 4
                );
            } else {
                back += 1;
                let depth = PAD + max_rows * (H + GAP_Y) + back * 14;
                let (sx, ex) = (x1 + W / 2, x2 + W / 2 + 8);
                let (sy, ey) = (y1 + H, y2 + H);
                let _ = write!(
                    out,
                    "<path d=\"M{sx},{sy} C{sx},{depth} {ex},{depth} {ex},{ey}\" fill=\"none\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\" marker-end=\"url(#arrow)\"/>\
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#b3261e\">{label}</text>",
                    (sx + ex) / 2,
                    depth - 4
                );
            }
        }
    }
    for s in &p.states {
        let Some(&(x, y)) = pos.get(s.id.as_str()) else { continue };
        let (fill, stroke) = if s.is_final {
            ("#e3f3e6", "#1e7b34")
        } else if s.id == p.initial {
            ("#e6eefb", "#1f5fbf")
        } else {
            ("#ffffff", "#555")
        };
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{W}\" height=\"{H}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + W / 2,
            y + H / 2 + 4,
            escape(&name(&s.id))
        );
    }
    out.push_str("</svg>");
    out
}
