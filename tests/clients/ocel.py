"""Reads zaizao's object-centric event log (OCEL 2.0 JSON) with pm4py, a published
process-mining library, and prints what it finds as JSON: the object and event types, the
links between objects, and, for each kind asked for, the log flattened onto that kind's
objects with its activities and directly-follows counts.

usage: ocel.py BASE_URL TOKEN KIND...
"""

import json
import sys

import pm4py

from processmining import fetch


def main():
    base, token = sys.argv[1:3]
    kinds = sys.argv[3:]
    ocel = pm4py.read_ocel2_json(fetch(f"{base}/api/v1/process-analytics/ocel", token, ".jsonocel"))
    flattened = {}
    for kind in kinds:
        log = pm4py.ocel_flattening(ocel, kind)
        dfg, _, _ = pm4py.discover_dfg(log)
        flattened[kind] = {
            "activities": sorted(set(log["concept:name"])),
            "follows": sorted([a, b, int(n)] for (a, b), n in dfg.items()),
        }
    o2o = ocel.o2o
    print(json.dumps({
        "object_types": sorted(pm4py.ocel_get_object_types(ocel)),
        "objects": int(len(ocel.objects)),
        "events": int(len(ocel.events)),
        "links": sorted([str(a), str(b), str(q)] for a, b, q in zip(
            o2o[ocel.object_id_column], o2o[ocel.object_id_column + "_2"], o2o[ocel.qualifier])),
        "flattened": flattened,
    }))


if __name__ == "__main__":
    main()
