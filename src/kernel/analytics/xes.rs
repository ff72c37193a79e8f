//! The event log as XES (IEEE 1849-2016), for process-mining tools: a trace per record, an
//! event per transition with its time, and the resource as role and department — never a
//! person's name — and no record's text.

use std::fmt::Write;

use super::{Resources, Trace};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The log's opening, with the extensions and globals tools expect.
pub fn head(kind: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <log xes.version=\"1849-2016\" xes.features=\"nested-attributes\" xmlns=\"http://www.xes-standard.org/\">\n\
         <extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n\
         <extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n\
         <extension name=\"Organizational\" prefix=\"org\" uri=\"http://www.xes-standard.org/org.xesext\"/>\n\
         <extension name=\"Lifecycle\" prefix=\"lifecycle\" uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n\
         <global scope=\"trace\"><string key=\"concept:name\" value=\"__INVALID__\"/></global>\n\
         <global scope=\"event\"><string key=\"concept:name\" value=\"__INVALID__\"/>\
         <date key=\"time:timestamp\" value=\"1970-01-01T00:00:00.000+00:00\"/></global>\n\
         <classifier name=\"Activity\" keys=\"concept:name\"/>\n\
         <string key=\"concept:name\" value=\"{}\"/>\n",
        escape(kind)
    )
}

pub const TAIL: &str = "</log>\n";

/// The traces of `traces` that have events, as XES elements.
pub fn traces(kind: &str, traces: &[Trace], resources: &Resources) -> String {
    let mut out = String::new();
    for t in traces.iter().filter(|t| !t.steps.is_empty()) {
        let _ = writeln!(out, "<trace><string key=\"concept:name\" value=\"{}-{}\"/>", escape(kind), t.record);
        for s in &t.steps {
            let resource = resources.name(s);
            let _ = writeln!(
                out,
                "<event><string key=\"concept:name\" value=\"{}\"/><date key=\"time:timestamp\" value=\"{}\"/>\
                 <string key=\"org:resource\" value=\"{}\"/><string key=\"org:role\" value=\"{}\"/>\
                 <string key=\"org:group\" value=\"{}\"/><string key=\"lifecycle:transition\" value=\"complete\"/></event>",
                escape(&s.transition),
                crate::kernel::clock::to_local(s.at).format("%Y-%m-%dT%H:%M:%S%.3f%:z"),
                escape(&resource),
                escape(&s.role),
                escape(&s.department)
            );
        }
        out.push_str("</trace>\n");
    }
    out
}
