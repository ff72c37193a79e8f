//! A process drawn as a state diagram in SVG, laid out in columns by distance from the
//! initial state. Forward transitions run left to right; the others arc underneath.

use std::collections::HashMap;
use std::fmt::Write;

use super::Process;
use crate::kernel::i18n::Lang;
use crate::kernel::web::chart::text_width;

const W: i32 = 130;
const H: i32 = 40;
/// The least room between two columns; more where a label needs it.
const GAP_X: i32 = 70;
const GAP_Y: i32 = 44;
const PAD: i32 = 24;
/// Vertical room between two arcs drawn under the states.
const ARC_STEP: i32 = 18;
/// Labels are drawn over a white halo, so a line crossing them does not hide them.
const HALO: &str = "stroke=\"#fff\" stroke-width=\"4\" paint-order=\"stroke\"";

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
    // Each gap is as wide as the longest label of a transition crossing it.
    let cols = rank.values().max().copied().unwrap_or(0) + 1;
    let mut gaps = vec![GAP_X; cols];
    for t in &p.transitions {
        let label = text_width(if lang == Lang::En { &t.name_en } else { &t.name }) + 16;
        for f in &t.from {
            if let (Some(&a), Some(&b)) = (rank.get(f.as_str()), rank.get(t.to.as_str()))
                && b == a + 1
            {
                gaps[a] = gaps[a].max(label);
            }
        }
    }
    let column_x: Vec<i32> = (0..cols)
        .scan(PAD, |x, c| {
            let here = *x;
            *x += W + gaps[c];
            Some(here)
        })
        .collect();
    let mut rows: HashMap<usize, usize> = HashMap::new();
    let mut pos: HashMap<&str, (i32, i32)> = HashMap::new();
    for s in &p.states {
        let r = rank.get(s.id.as_str()).copied().unwrap_or(0);
        let row = rows.entry(r).or_insert(0);
        pos.insert(s.id.as_str(), (column_x[r], PAD + *row as i32 * (H + GAP_Y)));
        *row += 1;
    }
    let max_rows = rows.values().max().copied().unwrap_or(1) as i32;
    let arcs = p
        .transitions
        .iter()
        .flat_map(|t| t.from.iter().map(move |f| (f, &t.to)))
        .filter(|(f, to)| {
            rank.get(f.as_str()).zip(rank.get(to.as_str())).is_some_and(|(a, b)| b < a || (a == b && f == to))
        })
        .count() as i32;
    let width = column_x.last().copied().unwrap_or(PAD) + W + PAD;
    let height = PAD * 2 + max_rows * H + (max_rows - 1) * GAP_Y + 30 + arcs * ARC_STEP;
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
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#1f5fbf\" {HALO}>{label}</text>",
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
                     <text x=\"{tx}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"#1f5fbf\" {HALO}>{label}</text>",
                    (sy + ey) / 2 + 4
                );
            } else {
                back += 1;
                let depth = PAD + max_rows * (H + GAP_Y) + back * ARC_STEP;
                let (sx, ex) = (x1 + W / 2, x2 + W / 2 + 8);
                let (sy, ey) = (y1 + H, y2 + H);
                let _ = write!(
                    out,
                    "<path d=\"M{sx},{sy} C{sx},{depth} {ex},{depth} {ex},{ey}\" fill=\"none\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\" marker-end=\"url(#arrow)\"/>\
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#b3261e\" {HALO}>{label}</text>",
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

#[cfg(test)]
mod tests {
    use crate::kernel::i18n::Lang;
    use crate::kernel::workflow::{Process, StateDef, Timing, Tone, TransitionDef};

    fn state(id: &str) -> StateDef {
        StateDef { id: id.into(), name: id.into(), name_en: id.into(), is_final: false }
    }

    #[test]
    fn a_long_label_widens_its_gap_so_it_does_not_run_into_the_states() {
        let long = "反馈不予认可，退回重办并说明理由";
        let p = Process {
            kind: "k".into(),
            name: "k".into(),
            name_en: "k".into(),
            initial: "a".into(),
            timing: Timing::default(),
            directives: Default::default(),
            states: vec![state("a"), state("b")],
            transitions: vec![TransitionDef {
                id: "t".into(),
                from: vec!["a".into()],
                to: "b".into(),
                name: long.into(),
                name_en: "t".into(),
                by: vec![],
                notify: vec![],
                needs_note: false,
                guard: None,
                tone: Tone::Plain,
            }],
        };
        let svg = super::svg(&p, Lang::Zh);
        let x_of = |marker: &str| -> i32 {
            let at = svg.find(marker).expect(marker);
            svg[at..].split('"').nth(1).and_then(|v| v.parse().ok()).expect("x")
        };
        // The second state's box starts after the label's width (plus the first box).
        let second = svg.match_indices("<rect x=\"").nth(1).map(|(i, _)| i).expect("two states");
        let second_x: i32 = svg[second + 9..].split('"').next().and_then(|v| v.parse().ok()).expect("x");
        assert!(second_x - x_of("<rect x=") - 130 >= super::text_width(long), "{svg}");
    }
}
