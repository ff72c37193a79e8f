"""Read zaizao's open catalogue with clients we did not write.

  python3 opendata.py BASE_URL [PUBLIC_BASE_URL]

- ckanapi (CKAN's own client library) lists, shows and searches the packages at
  BASE_URL/opendata and downloads each package's CSV resource;
- the frictionless validator validates BASE_URL/opendata/datapackage.json (every
  resource's CSV against its Table Schema);
- rdflib parses BASE_URL/opendata/catalog.jsonld as JSON-LD and finds each dataset as a
  dcat:Dataset with a download URL.

Resource URLs carry the service's public address; PUBLIC_BASE_URL, when given, is
replaced by BASE_URL to download them here. Exits non-zero on the first failure.
"""

import csv
import io
import sys
import urllib.request

import ckanapi
import frictionless
import rdflib

base = sys.argv[1].rstrip("/")
public = sys.argv[2].rstrip("/") if len(sys.argv) > 2 else base


def local(url):
    return base + url[len(public):] if url.startswith(public) else url


def fetch(url):
    with urllib.request.urlopen(local(url), timeout=60) as r:
        return r.read().decode("utf-8")


portal = ckanapi.RemoteCKAN(base + "/opendata", user_agent="zaizao-ci/1.0")
status = portal.action.status_show()
assert status["ckan_version"].startswith("2."), status
names = portal.action.package_list()
assert names == sorted(names) and "enterprises" in names and "projects" in names, names
print(f"ckanapi: {len(names)} packages: {', '.join(names)}")
owners = {}
for name in names:
    pkg = portal.action.package_show(id=name)
    assert pkg["name"] == name and pkg["organization"]["name"], pkg
    owners.setdefault(pkg["organization"]["name"], []).append(name)
    resource = next(r for r in pkg["resources"] if r["format"] == "CSV")
    rows = list(csv.DictReader(io.StringIO(fetch(resource["url"]))))
    assert "13" not in "".join(r.get("contact_phone", "") for r in rows), "no phones"
    print(f"ckanapi: {name}: {len(rows)} rows from {resource['url']}")
    if name == "enterprises":
        assert len(rows) >= 100, len(rows)
        assert "contact_phone" not in rows[0] and "contact_name" not in rows[0], rows[0].keys()
found = portal.action.package_search(q="企业", rows=10)
assert found["count"] >= 1 and found["results"][0]["name"] in names, found
page = portal.action.package_search(fq="organization:investment-promotion", rows=2, start=1)
assert page["count"] == len(owners["investment-promotion"]) and len(page["results"]) == 2, page
orgs = portal.action.organization_list(all_fields=True)
org = portal.action.organization_show(id=orgs[0]["name"], include_datasets=True)
assert len(org["packages"]) == len(owners[orgs[0]["name"]]), org
assert "investment" in portal.action.tag_list()
try:
    portal.action.package_show(id="no-such-dataset")
    raise SystemExit("package_show of a missing dataset succeeded")
except ckanapi.NotFound:
    print("ckanapi: a missing package is NotFound")
# The same actions by GET, as harvesters call them.
getter = ckanapi.RemoteCKAN(base + "/opendata", get_only=True)
assert getter.action.package_search(q="项目", rows=1)["count"] >= 1

report = frictionless.validate(base + "/opendata/datapackage.json")
if not report.valid:
    print(report.to_summary())
    raise SystemExit("frictionless: the data package is not valid")
print(f"frictionless: valid ({len(report.tasks)} resources)")

graph = rdflib.Graph()
graph.parse(data=fetch(base + "/opendata/catalog.jsonld"), format="json-ld")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
datasets = set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
assert len(datasets) == len(names), datasets
for d in datasets:
    downloads = [u for dist in graph.objects(d, DCAT.distribution) for u in graph.objects(dist, DCAT.downloadURL)]
    assert len(downloads) == 3, (d, downloads)
print(f"rdflib: {len(datasets)} dcat:Dataset, each with 3 distributions")
