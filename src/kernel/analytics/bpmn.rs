//! A process definition as BPMN 2.0 XML, for process-modelling tools: each transition is a
//! task (the same activities the XES log names), each state an exclusive gateway the
//! tasks leave from and lead to; the initial state follows the start event and the final
//! states lead to the end event.

use std::fmt::Write;

use crate::kernel::workflow::Process;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A safe XML id from a state or transition id.
fn xml_id(prefix: &str, id: &str) -> String {
    let clean: String = id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    format!("{prefix}_{clean}")
}

pub fn definition(p: &Process, zh: bool) -> String {
    let mut flows: Vec<(String, String)> = Vec::new();
    let mut nodes = String::new();
    let name = |zh_name: &str, en_name: &str| escape(if zh { zh_name } else { en_name });
    let _ = writeln!(nodes, "    <bpmn:startEvent id=\"start\" name=\"start\"/>");
    flows.push(("start".into(), xml_id("state", &p.initial)));
    for s in &p.states {
        let _ = writeln!(
            nodes,
            "    <bpmn:exclusiveGateway id=\"{}\" name=\"{}\"/>",
            xml_id("state", &s.id),
            name(&s.name, &s.name_en)
        );
        if s.is_final {
            flows.push((xml_id("state", &s.id), "end".to_owned()));
        }
    }
    let _ = writeln!(nodes, "    <bpmn:endEvent id=\"end\" name=\"end\"/>");
    for t in &p.transitions {
        // One task per transition and source state, so each keeps a single way in.
        for (i, from) in t.from.iter().enumerate() {
            let task = if t.from.len() == 1 { xml_id("task", &t.id) } else { format!("{}_{i}", xml_id("task", &t.id)) };
            let _ = writeln!(nodes, "    <bpmn:task id=\"{task}\" name=\"{}\"/>", escape(&t.id));
            flows.push((xml_id("state", from), task.clone()));
            flows.push((task, xml_id("state", &t.to)));
        }
    }
    let mut incoming: std::collections::HashMap<&str, Vec<String>> = Default::default();
    let mut outgoing: std::collections::HashMap<&str, Vec<String>> = Default::default();
    let mut sequence = String::new();
    for (i, (a, b)) in flows.iter().enumerate() {
        let id = format!("flow_{i}");
        let _ = writeln!(sequence, "    <bpmn:sequenceFlow id=\"{id}\" sourceRef=\"{a}\" targetRef=\"{b}\"/>");
        outgoing.entry(a).or_default().push(id.clone());
        incoming.entry(b).or_default().push(id);
    }
    // Each node names its flows, as modelling tools expect.
    let mut linked = String::new();
    for line in nodes.lines() {
        let Some(id) = line.split("id=\"").nth(1).and_then(|r| r.split('"').next()) else { continue };
        let open = line.trim_end_matches("/>");
        let tag = open.trim().split(' ').next().unwrap_or("").trim_start_matches('<');
        let _ = writeln!(linked, "{open}>");
        for f in incoming.get(id).into_iter().flatten() {
            let _ = writeln!(linked, "      <bpmn:incoming>{f}</bpmn:incoming>");
        }
        for f in outgoing.get(id).into_iter().flatten() {
            let _ = writeln!(linked, "      <bpmn:outgoing>{f}</bpmn:outgoing>");
        }
        let _ = writeln!(linked, "    </{tag}>");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" \
         id=\"zaizao_{kind}\" targetNamespace=\"https://zaizao.example/processes\">\n  \
         <bpmn:process id=\"process_{kind}\" name=\"{name}\" isExecutable=\"false\">\n{linked}{sequence}  </bpmn:process>\n\
         </bpmn:definitions>\n",
        kind = xml_id("k", &p.kind),
        name = name(&p.name, &p.name_en)
    )
}
