"""Reads zaizao's XES event log and BPMN process definition with pm4py, a published
process-mining library, and prints what it finds as JSON: the log's activities and
directly-follows counts, the definition's activities, and whether the finished records align with it.

usage: processmining.py BASE_URL TOKEN KIND FINAL_ACTIVITY...
(the activities that finish a record: the records that end with one must replay fully)
"""

import json
import sys
import tempfile
import urllib.request

import pm4py


def fetch(url, token, suffix):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as res, tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as f:
        f.write(res.read())
        return f.name


def main():
    base, token, kind = sys.argv[1:4]
    finals = sys.argv[4:]
    log = pm4py.read_xes(fetch(f"{base}/api/v1/process-analytics/{kind}/xes", token, ".xes"))
    dfg, _, _ = pm4py.discover_dfg(log)
    bpmn = pm4py.read_bpmn(fetch(f"{base}/api/v1/processes/{kind}/bpmn", token, ".bpmn"))
    net, im, fm = pm4py.convert_to_petri_net(bpmn)
    tasks = sorted({t.label for t in net.transitions if t.label})
    finished = pm4py.filter_end_activities(log, finals) if finals else log.iloc[0:0]
    # Alignments: the cheapest way the model can explain each trace; a fitness of 1 means
    # every step the record took is a move the definition allows, start to end.
    aligned = pm4py.conformance_diagnostics_alignments(finished, net, im, fm) if len(finished) else []
    print(json.dumps({
        "traces": int(log["case:concept:name"].nunique()),
        "activities": sorted(set(log["concept:name"])),
        "follows": sorted([a, b, int(n)] for (a, b), n in dfg.items()),
        "bpmn_activities": tasks,
        "finished": int(finished["case:concept:name"].nunique()) if len(finished) else 0,
        "finished_fit": sum(1 for a in aligned if a["fitness"] == 1.0),
    }))


if __name__ == "__main__":
    main()
