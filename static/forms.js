// zaizao form helpers: type-ahead pickers, the date a number of working days gives, and
// a place chosen on the map or from the device's location. Every form works without
// this script.
//
// Type-ahead pickers. A `.picker` label holds an ordinary <select>, which works
// without this script. With it, the select is replaced by a search box that asks the
// server (data-source) for matching choices — by part of the name, pinyin initials or
// pinyin — narrowed by another field (data-narrow, such as the lead department), and
// offers them as an ARIA combobox list, usable with the keyboard.
(function () {
  "use strict";

  function enhance(box, n) {
    var select = box.querySelector("select");
    var source = box.getAttribute("data-source");
    if (!select || !source) return;
    var form = select.form;
    var narrowName = box.getAttribute("data-narrow");
    var narrow = narrowName && form ? form.elements[narrowName] : null;
    var label = box.querySelector("span");

    var input = document.createElement("input");
    input.type = "text";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    var listId = "picker-list-" + n;
    input.setAttribute("aria-controls", listId);
    input.placeholder = box.getAttribute("data-placeholder") || "";
    if (label) input.setAttribute("aria-label", label.textContent.trim());
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) input.value = chosen.getAttribute("data-name") || chosen.textContent;

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;

    // The box, not the hidden select, is what the browser checks before submitting: a
    // required choice typed but not chosen is refused there, with the picker's words.
    input.required = select.required;
    select.required = false;
    var notChosen = box.getAttribute("data-unchosen") || "";
    function check() { input.setCustomValidity(input.required && !select.value && input.value ? notChosen : ""); }
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(list, select.nextSibling);

    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(item) {
      var option = null;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === String(item.id)) option = select.options[i];
      }
      if (!option) {
        option = document.createElement("option");
        option.value = String(item.id);
        option.textContent = item.name;
        select.appendChild(option);
      }
      select.value = String(item.id);
      input.value = item.name;
      check();
      close();
    }

    function mark(i) {
      items.forEach(function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
      active = i;
      if (i >= 0) input.setAttribute("aria-activedescendant", items[i].id);
    }

    function show(found) {
      list.innerHTML = "";
      items = found.map(function (item, k) {
        var li = document.createElement("li");
        li.id = listId + "-" + k;
        li.setAttribute("role", "option");
        var name = document.createElement("strong");
        name.textContent = item.name;
        li.appendChild(name);
        if (item.detail) {
          var detail = document.createElement("span");
          detail.textContent = " " + item.detail;
          li.appendChild(detail);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); });
        li.item = item;
        return li;
      });
      items.forEach(function (li) { list.appendChild(li); });
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = box.getAttribute("data-none") || "—";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(found.length ? 0 : -1);
    }

    function ask() {
      var url = source + "?q=" + encodeURIComponent(input.value.trim());
      if (narrow && narrow.value) url += "&department_id=" + encodeURIComponent(narrow.value);
      var mine = ++asked;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) { if (mine === asked && document.activeElement === input) show(found); })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      select.value = "";
      check();
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("focus", ask);
    input.addEventListener("blur", function () { setTimeout(close, 100); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (list.hidden) { ask(); return; }
        if (!items.length) return;
        var next = active + (e.key === "ArrowDown" ? 1 : -1);
        mark((next + items.length) % items.length);
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();
        choose(items[active].item);
      } else if (e.key === "Escape") {
        close();
      }
    });
    if (narrow) {
      narrow.addEventListener("change", function () {
        select.value = "";
        input.value = "";
      });
    }
  }

  document.querySelectorAll(".picker[data-source]").forEach(enhance);

  // A number of working days shows the date it gives, from the server's calendar; either
  // way, a deadline in a year whose holiday notice is not entered yet is warned of.
  document.querySelectorAll("input[data-working-days-from]").forEach(function (input) {
    var box = input.closest("fieldset");
    var out = box && box.querySelector("output");
    if (!out) return;
    var date = box.querySelector("input[type=date]");
    var timer = null;
    function ask(from, days, says) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = "/api/v1/calendar/add?from=" + encodeURIComponent(from) + "&days=" + days;
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (a) {
            if (!a) { out.textContent = ""; return; }
            var text = says ? (out.getAttribute("data-says") || "") + " " + a.date : "";
            if (!a.holidays_known) text += (text ? " · " : "") + (out.getAttribute("data-unknown") || "");
            out.textContent = text;
          })
          .catch(function () {});
      }, 200);
    }
    input.addEventListener("input", function () {
      var days = parseInt(input.value, 10);
      if (!(days > 0)) { out.textContent = ""; return; }
      ask(input.getAttribute("data-working-days-from"), days, true);
    });
    if (date) date.addEventListener("change", function () {
      if (!date.value) { out.textContent = ""; return; }
      ask(date.value, 0, false);
    });
  });

  // A button that copies a code (the tracking code) to the clipboard.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    if (!navigator.clipboard) { b.hidden = true; return; }
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
        b.textContent = b.getAttribute("data-copied") || b.textContent;
      });
    });
  });

  // A place: a click on the plain map, or the device's location, fills latitude and
  // longitude (which can still be typed by hand).
  document.querySelectorAll("fieldset.place").forEach(function (box) {
    var form = box.closest("form");
    var lat = form && form.elements.lat;
    var lon = form && form.elements.lon;
    var map = box.querySelector("svg.pick-map");
    if (!lat || !lon || !map) return;
    var b = (map.getAttribute("data-bounds") || "").split(",").map(Number);
    var view = map.viewBox.baseVal;
    var spot = map.querySelector(".spot");
    var named = box.querySelector(".district-named");
    function mark(la, lo) {
      lat.value = la.toFixed(5);
      lon.value = lo.toFixed(5);
      var cx = (lo - b[2]) / (b[3] - b[2]) * view.width;
      var cy = view.height - (la - b[0]) / (b[1] - b[0]) * view.height;
      spot.setAttribute("cx", cx.toFixed(1));
      spot.setAttribute("cy", cy.toFixed(1));
      if (!named) return;
      var inside = Array.prototype.find.call(map.querySelectorAll("polygon[data-district]"), function (p) {
        return p.isPointInFill && p.isPointInFill(new DOMPoint(cx, cy));
      });
      named.textContent = inside ? inside.getAttribute("data-district") : "";
    }
    map.style.cursor = "crosshair";
    map.addEventListener("click", function (e) {
      var r = map.getBoundingClientRect();
      var x = (e.clientX - r.left) / r.width * view.width;
      var y = (e.clientY - r.top) / r.height * view.height;
      mark(b[1] - y / view.height * (b[1] - b[0]), b[2] + x / view.width * (b[3] - b[2]));
    });
    var locate = box.querySelector("[data-locate]");
    if (locate && navigator.geolocation) {
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (p) { mark(p.coords.latitude, p.coords.longitude); });
      });
    } else if (locate) {
      locate.hidden = true;
    }
  });

  // A conversation open on the page (the direct line): every few seconds, ask for the
  // messages after the last one shown and append them; slower while the tab is hidden.
  document.querySelectorAll("[data-live]").forEach(function (list) {
    var busy = false;
    function poll() {
      if (busy) return;
      busy = true;
      var url = list.getAttribute("data-live") + "?after=" + encodeURIComponent(list.getAttribute("data-after") || "0");
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html", "X-Background": "1" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (!html.trim()) return;
          var holder = document.createElement("ol");
          holder.innerHTML = html;
          Array.prototype.slice.call(holder.children).forEach(function (li) {
            list.appendChild(li);
            list.setAttribute("data-after", li.getAttribute("data-id"));
          });
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }
    setInterval(function () { if (!document.hidden) poll(); }, 4000);
  });

  // The session ends after the idle time set by the security administrator: warn two
  // minutes before, and go to the sign-in page when it has ended. "Stay" makes a request,
  // which counts as use. Background polling does not.
  var idle = document.querySelector("[data-idle-minutes]");
  if (idle) {
    var minutes = parseInt(idle.getAttribute("data-idle-minutes"), 10) || 30;
    var warnAt, endAt;
    var start = function () {
      clearTimeout(warnAt);
      clearTimeout(endAt);
      idle.hidden = true;
      warnAt = setTimeout(function () { idle.hidden = false; }, (minutes - 2) * 60000);
      endAt = setTimeout(function () {
        location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      }, minutes * 60000);
    };
    idle.querySelector("[data-idle-stay]").addEventListener("click", function () {
      fetch("/api/v1/me", { credentials: "same-origin" }).then(start, start);
    });
    start();
  }
})();
