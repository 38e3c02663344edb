// hotline-in-a-box: the little JavaScript the pages use. Everything works without it.
(function () {
  "use strict";

  // Quick exit: leave at once for a neutral site, replacing this page in the history so
  // the back button does not return here. The Escape key does the same on public pages.
  function quickExit(url) {
    try {
      document.body.style.display = "none";
      document.title = "";
    } catch (e) { /* keep going */ }
    window.location.replace(url);
  }

  var exit = document.querySelector("[data-quick-exit]");
  if (exit) {
    exit.addEventListener("click", function (ev) {
      ev.preventDefault();
      quickExit(exit.getAttribute("href"));
    });
    var staff = document.querySelector(".staff-nav");
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && !staff) {
        quickExit(exit.getAttribute("href"));
      }
    });
  }
})();

// The call timer on a contact being recorded.
(function () {
  "use strict";
  var timer = document.querySelector(".timer[data-started]");
  if (!timer) { return; }
  var started = parseInt(timer.getAttribute("data-started"), 10) * 1000;
  var out = timer.querySelector("output");
  function tick() {
    var s = Math.max(0, Math.floor((Date.now() - started) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    out.textContent = (h ? h + ":" + (m < 10 ? "0" : "") : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  tick();
  setInterval(tick, 1000);
})();

// Crisis prompts stand out when the contact type is crisis.
(function () {
  "use strict";
  var select = document.querySelector("[data-contact-type]");
  var prompts = document.querySelector("[data-crisis-prompts]");
  if (!select || !prompts) { return; }
  function update() { prompts.classList.toggle("active", select.value === "crisis"); }
  select.addEventListener("change", update);
  update();
})();

// Live crisis alerts for supervisors: a notice appears without reloading the page.
(function () {
  "use strict";
  var box = document.getElementById("crisis-alerts");
  if (!box || !window.EventSource) { return; }
  var source = new EventSource(box.getAttribute("data-stream"));
  source.addEventListener("crisis", function (ev) {
    var a;
    try { a = JSON.parse(ev.data); } catch (e) { return; }
    // Already on the page (the staff home lists unseen alerts itself).
    if (document.querySelector('[data-alert-id="' + a.id + '"]')) { return; }
    var item = document.createElement("div");
    item.className = "crisis-alert";
    item.setAttribute("data-alert-id", a.id);
    var link = document.createElement("a");
    link.href = a.url;
    link.textContent = a.text;
    item.appendChild(link);
    var form = document.createElement("form");
    form.method = "post";
    form.action = "/alerts/" + a.id + "/seen";
    var token = document.createElement("input");
    token.type = "hidden";
    token.name = "_csrf";
    token.value = box.getAttribute("data-csrf");
    form.appendChild(token);
    var button = document.createElement("button");
    button.type = "submit";
    button.textContent = box.getAttribute("data-seen-label");
    form.appendChild(button);
    item.appendChild(form);
    box.appendChild(item);
  });
})();

// The workshop presentation: the arrow keys move between screens; Page Down, the down
// arrow and space scroll a long screen first and move on at its end (Page Up, the up arrow
// and Shift+space likewise back); Home and End jump to the first and last screen; Escape
// leaves. Without JavaScript the links at the bottom do the same.
(function () {
  var body = document.body;
  if (!body.hasAttribute("data-slides")) { return; }
  function atBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
  }
  function atTop() { return window.scrollY <= 2; }
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.repeat) { return; }
    var rtl = document.documentElement.getAttribute("dir") === "rtl";
    var forward = rtl ? "ArrowLeft" : "ArrowRight";
    var back = rtl ? "ArrowRight" : "ArrowLeft";
    var key = ev.key;
    var target = null;
    if (key === forward) {
      target = body.getAttribute("data-next");
    } else if (key === back) {
      target = body.getAttribute("data-prev");
    } else if ((key === " " && ev.shiftKey) || key === "PageUp" || key === "ArrowUp") {
      if (atTop()) { target = body.getAttribute("data-prev"); }
    } else if (key === " " || key === "PageDown" || key === "ArrowDown") {
      if (atBottom()) { target = body.getAttribute("data-next"); }
    } else if (key === "Home") {
      target = body.getAttribute("data-first");
    } else if (key === "End") {
      target = body.getAttribute("data-last");
    } else if (key === "Escape") {
      target = body.getAttribute("data-exit");
    }
    if (target) {
      ev.preventDefault();
      window.location.assign(target);
    }
  });
})();
