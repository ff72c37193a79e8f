"""Reads zaizao's XES event log with pm4py, a published process-mining library, and prints
the activities and the directly-follows counts it discovers, as JSON.

usage: processmining.py BASE_URL TOKEN KIND
"""

import json
import sys
import tempfile
import urllib.request

import pm4py


def main():
    base, token, kind = sys.argv[1:4]
    req = urllib.request.Request(
        f"{base}/api/v1/process-analytics/{kind}/xes", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req) as res, tempfile.NamedTemporaryFile(suffix=".xes", delete=False) as f:
        f.write(res.read())
        path = f.name
    log = pm4py.read_xes(path)
    dfg, _, _ = pm4py.discover_dfg(log)
    activities = sorted(set(log["concept:name"]))
    follows = sorted([a, b, int(n)] for (a, b), n in dfg.items())
    print(json.dumps({"traces": int(log["case:concept:name"].nunique()), "activities": activities, "follows": follows}))


if __name__ == "__main__":
    main()
