/* qunce · handbook theme. No framework, no network except previews.json. */
(function () {
  "use strict";
  var d = document, root = d.documentElement, body = d.body;
  function $(s, el) { return (el || d).querySelector(s); }
  function $$(s, el) { return Array.prototype.slice.call((el || d).querySelectorAll(s)); }
  function store(k, v) {
    try {
      if (v === undefined) return localStorage.getItem(k);
      if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v);
    } catch (e) { /* private mode: no persistence */ }
    return null;
  }
  var lastPointer = "mouse";
  d.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);

  /* ---- colour scheme: auto → light → dark ---- */
  var tb = $(".theme-toggle");
  if (tb) {
    var modes = ["auto", "light", "dark"], icons = { auto: "◐", light: "☀", dark: "☾" };
    var base = tb.getAttribute("aria-label");
    var mode = function () { return root.getAttribute("data-theme") || "auto"; };
    var show = function () {
      var m = mode(), t = base + " (" + (tb.getAttribute("data-" + m) || m) + ")";
      tb.setAttribute("aria-label", t); tb.title = t;
      if (tb.firstElementChild) tb.firstElementChild.textContent = icons[m];
    };
    tb.addEventListener("click", function () {
      var m = modes[(modes.indexOf(mode()) + 1) % modes.length];
      if (m === "auto") { root.removeAttribute("data-theme"); store("qunce-theme", null); }
      else { root.setAttribute("data-theme", m); store("qunce-theme", m); }
      show();
    });
    show();
  }

  /* ---- sidebar drawer (phones) ---- */
  var nt = $(".nav-toggle"), sb = $("#sidebar"), scrim = $(".scrim");
  if (nt && sb) {
    var setNav = function (open) {
      root.classList.toggle("nav-open", open);
      nt.setAttribute("aria-expanded", String(open));
      if (scrim) scrim.hidden = !open;
      if (open) setTimeout(function () { var a = $("[aria-current=page]", sb) || $("a", sb); if (a) a.focus(); }, 50);
    };
    nt.addEventListener("click", function () { setNav(!root.classList.contains("nav-open")); });
    if (scrim) scrim.addEventListener("click", function () { setNav(false); });
    d.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && root.classList.contains("nav-open")) { setNav(false); nt.focus(); }
    });
    var curLink = $("[aria-current=page]", sb);
    if (curLink && sb.scrollHeight > sb.clientHeight && getComputedStyle(sb).position === "sticky") {
      sb.scrollTop = Math.max(0, curLink.offsetTop - sb.clientHeight / 3);
    }
  }

  /* ---- table of contents: open on wide screens, folded on phones, follows scrolling ---- */
  var toc = $(".toc");
  if (toc && window.matchMedia) {
    var wide = matchMedia("(min-width: 75em)");
    var syncToc = function () { toc.open = wide.matches; };
    syncToc();
    if (wide.addEventListener) wide.addEventListener("change", syncToc);
    var tl = $$("a", toc), byId = {};
    toc.addEventListener("click", function (e) { if (e.target.closest("a") && !wide.matches) toc.open = false; });
    if (tl.length && "IntersectionObserver" in window) {
      var io = new IntersectionObserver(function (ents) {
        ents.forEach(function (en) {
          if (!en.isIntersecting || !byId[en.target.id]) return;
          tl.forEach(function (a) { a.classList.remove("active"); });
          byId[en.target.id].classList.add("active");
        });
      }, { rootMargin: "0px 0px -70% 0px" });
      tl.forEach(function (a) {
        var id; try { id = decodeURIComponent(a.hash.slice(1)); } catch (e) { return; }
        var h = d.getElementById(id);
        if (h) { byId[id] = a; io.observe(h); }
      });
    }
  }

  /* ---- interactive checklists: ticks persisted per page URL + task id ---- */
  var tasks = $$("li.task[data-task-id]").filter(function (li) { return $("input[type=checkbox]", li); });
  var tools = $("[data-checklist]");
  if (tasks.length) {
    var key = "qunce-tasks:" + (body.getAttribute("data-url") || location.pathname);
    var state = {};
    try { state = JSON.parse(store(key) || "{}") || {}; } catch (e) { state = {}; }
    var update = function () {
      var n = 0;
      tasks.forEach(function (li) { var c = $("input", li).checked; li.classList.toggle("done", c); if (c) n++; });
      if (!tools) return;
      tools.hidden = false;
      var bar = $(".progress-bar", tools), txt = $(".progress-text", tools), pb = $(".progress", tools);
      if (bar) bar.style.width = (100 * n / tasks.length) + "%";
      if (txt) txt.textContent = n + "/" + tasks.length;
      if (pb) { pb.setAttribute("aria-valuenow", n); pb.setAttribute("aria-valuemax", tasks.length); }
      tools.classList.toggle("complete", n === tasks.length);
    };
    tasks.forEach(function (li) {
      var cb = $("input", li), id = li.getAttribute("data-task-id");
      if (Object.prototype.hasOwnProperty.call(state, id)) cb.checked = !!state[id];
      cb.disabled = false;
      cb.setAttribute("aria-label", li.textContent.replace(/\s+/g, " ").trim());
      cb.addEventListener("change", function () {
        state[id] = cb.checked; store(key, JSON.stringify(state)); update();
      });
      li.addEventListener("click", function (e) {
        if (e.target === cb || e.target.closest("a, button, input, label")) return;
        cb.click();
      });
    });
    if (tools) {
      tools.addEventListener("click", function (e) {
        var b = e.target.closest("[data-action]");
        if (!b) return;
        if (b.getAttribute("data-action") === "print") window.print();
        if (b.getAttribute("data-action") === "reset") {
          var q = b.getAttribute("data-confirm");
          if (q && !window.confirm(q)) return;
          state = {}; store(key, null);
          tasks.forEach(function (li) { var cb = $("input", li); cb.checked = cb.defaultChecked; });
          update();
        }
      });
    }
    update();
  }

  /* ---- "copy as group announcement": clean plain text ---- */
  var src = $("[data-copy-source]"), cbtn = $("[data-action=copy]");
  if (src && cbtn) {
    cbtn.hidden = false;
    var status = $(".copy-status");
    var text = function (el) {
      var c = el.cloneNode(true);
      $$(".anchor, .letter, input, script, style, .sr", c).forEach(function (x) { x.remove(); });
      $$("li", c).forEach(function (x) { x.appendChild(d.createTextNode(" ")); });
      return c.textContent.replace(/\s+/g, " ").trim();
    };
    var walk = function (el, out) {
      Array.prototype.forEach.call(el.children, function (c) {
        var tag = c.tagName;
        if (/^H[1-6]$/.test(tag)) { out.push("", "【" + text(c) + "】"); }
        else if (tag === "OL") {
          var start = parseInt(c.getAttribute("start") || "1", 10) || 1;
          $$(":scope > li", c).forEach(function (li, i) { out.push((start + i) + ". " + text(li)); });
        } else if (tag === "UL") {
          $$(":scope > li", c).forEach(function (li) {
            var cb = $("input[type=checkbox]", li);
            out.push((cb ? (cb.checked ? "☑ " : "□ ") : "· ") + text(li));
          });
        } else if (tag === "TABLE") {
          $$("tr", c).forEach(function (tr) { out.push($$("th, td", tr).map(text).join("  ")); });
        } else if (tag === "PRE") { out.push(c.textContent.replace(/\s+$/, "")); }
        else if (tag === "DIV" || tag === "SECTION" || tag === "BLOCKQUOTE") { walk(c, out); }
        else if (tag !== "HR") { var t = text(c); if (t) out.push(t); }
      });
    };
    var plain = function () {
      var out = [], h1 = $("h1", src);
      if (h1) out.push(text(h1));
      $$(".facts > div", src).forEach(function (f) {
        var dt = $("dt", f), dd = $("dd", f);
        if (!dt || !dd) return;
        var items = $$("li", dd).map(text);
        out.push(text(dt) + "：" + (items.length ? items.join("、") : text(dd)));
      });
      var content = $(".content", src);
      if (content) { out.push(""); walk(content, out); }
      return out.join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n";
    };
    var legacy = function (t) {
      var ta = d.createElement("textarea"), ok = false;
      ta.value = t; ta.setAttribute("readonly", "");
      ta.style.cssText = "position:fixed;top:0;left:0;opacity:0";
      body.appendChild(ta); ta.select();
      try { ok = d.execCommand("copy"); } catch (e) { ok = false; }
      body.removeChild(ta);
      return ok;
    };
    var say = function (msg) {
      if (!status) return;
      status.textContent = msg;
      clearTimeout(say.t); say.t = setTimeout(function () { status.textContent = ""; }, 4000);
    };
    cbtn.addEventListener("click", function () {
      var t = plain();
      var done = function () { say(cbtn.getAttribute("data-done")); };
      var fail = function () { say(cbtn.getAttribute("data-fail")); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(t).then(done, function () { if (legacy(t)) done(); else fail(); });
      } else if (legacy(t)) done(); else fail();
    });
  }

  /* ---- link previews: popup on hover/focus, bottom sheet on touch ---- */
  var pv = $("#preview");
  if (pv) {
    var data = null, loading = null, timer = 0, curA = null;
    var pOpen = $(".preview-open", pv), pClose = $(".preview-close", pv);
    var load = function () {
      if (!loading) {
        loading = fetch((body.getAttribute("data-root") || "/") + "previews.json")
          .then(function (r) { return r.ok ? r.json() : {}; })
          .catch(function () { return {}; })
          .then(function (j) { data = j || {}; return data; });
      }
      return loading;
    };
    var lookup = function (a) {
      if (!data) return null;
      var u;
      try { u = new URL(a.href, location.href); } catch (e) { return null; }
      if (u.origin !== location.origin) return null;
      var p = u.pathname, keys = [p, p.replace(/index\.html$/, "")];
      try { keys.push(decodeURIComponent(p), decodeURIComponent(p).replace(/index\.html$/, "")); } catch (e) { /* keep raw */ }
      for (var i = 0; i < keys.length; i++) if (data[keys[i]]) return data[keys[i]];
      return null;
    };
    var hide = function () { pv.hidden = true; pv.classList.remove("sheet"); curA = null; };
    var fill = function (a, e) {
      $(".preview-k", pv).textContent = e.k || "";
      $(".preview-t", pv).textContent = e.t || a.textContent;
      $(".preview-s", pv).textContent = e.s || "";
      if (pOpen) pOpen.href = a.href;
      curA = a;
    };
    var place = function (a) {
      pv.classList.remove("sheet"); pv.hidden = false;
      var r = a.getBoundingClientRect(), w = pv.offsetWidth, h = pv.offsetHeight;
      var top = r.bottom + 8;
      if (top + h > innerHeight - 8 && r.top - h - 8 > 0) top = r.top - h - 8;
      var left = Math.max(8, Math.min(r.left, innerWidth - w - 8));
      pv.style.top = (top + scrollY) + "px"; pv.style.left = (left + scrollX) + "px";
    };
    var hoverIn = function (a) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        load().then(function () { var e = lookup(a); if (e) { fill(a, e); place(a); } });
      }, 250);
    };
    var hoverOut = function () { clearTimeout(timer); if (!pv.classList.contains("sheet")) hide(); };
    var linkOf = function (t) { return t && t.closest ? t.closest("a.internal") : null; };
    d.addEventListener("mouseover", function (e) {
      var a = linkOf(e.target);
      if (a && lastPointer !== "touch" && a !== curA) hoverIn(a);
    });
    d.addEventListener("mouseout", function (e) {
      var a = linkOf(e.target);
      if (a && !(e.relatedTarget && a.contains(e.relatedTarget))) hoverOut();
    });
    d.addEventListener("focusin", function (e) { var a = linkOf(e.target); if (a && lastPointer !== "touch") hoverIn(a); });
    d.addEventListener("focusout", function (e) { if (linkOf(e.target)) hoverOut(); });
    d.addEventListener("click", function (e) {
      var a = linkOf(e.target);
      if (!a) {
        if (pv.classList.contains("sheet") && !pv.contains(e.target)) hide();
        return;
      }
      var touch = lastPointer === "touch" || lastPointer === "pen";
      if (!touch || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey) return;
      if (curA === a && pv.classList.contains("sheet") && !pv.hidden) return; /* second tap: navigate */
      e.preventDefault();
      load().then(function () {
        var en = lookup(a);
        if (!en) { location.href = a.href; return; }
        fill(a, en);
        pv.classList.add("sheet"); pv.hidden = false;
        pv.style.top = ""; pv.style.left = "";
        if (pOpen) pOpen.focus({ preventScroll: true });
      });
    });
    if (pClose) pClose.addEventListener("click", hide);
    d.addEventListener("keydown", function (e) {
      if (e.key !== "Escape" || pv.hidden) return;
      var a = curA, sheet = pv.classList.contains("sheet");
      hide();
      if (sheet && a) a.focus();
    });
  }
})();
