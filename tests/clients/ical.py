"""Read zaizao's iCalendar feeds with published parsers: icalendar (collective) and
vobject (with its validation). Prints one line per event: UID and SEQUENCE.

usage: ical.py <feed url> [<feed url>…]
"""
import sys
import urllib.request

import vobject
from icalendar import Calendar

for url in sys.argv[1:]:
    with urllib.request.urlopen(url) as r:
        kind = r.headers.get("Content-Type", "")
        raw = r.read()
    assert kind.startswith("text/calendar"), kind
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in l for l in lines), "every line ends in CRLF"
    assert all(len(l) <= 75 for l in lines), "lines are folded at 75 octets"
    cal = Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    zones = cal.walk("VTIMEZONE")
    assert zones and str(zones[0]["TZID"]) == "Asia/Shanghai", "the time zone is described"
    events = cal.walk("VEVENT")
    for e in events:
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL"):
            assert prop in e, f"{prop} missing in {e.get('UID')}"
        start, end = e.decoded("DTSTART"), e.decoded("DTEND")
        assert start.tzinfo is not None and start.utcoffset().total_seconds() == 8 * 3600, start
        assert end >= start
    parsed = vobject.readOne(raw.decode("utf-8"), validate=True)
    assert len(parsed.contents.get("vevent", [])) == len(events)
    print(f"feed {url.split('/')[-1]}: {len(events)} events")
    for e in events:
        print(f"event {e['UID']} {int(e.get('SEQUENCE', 0))} {e['SUMMARY']}")
