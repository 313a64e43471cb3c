(function () {
  "use strict";
  if (window.__qunceLive) return;
  window.__qunceLive = true;
  var build = "__QUNCE_BUILD__";
  // The overlay's words in the writer's language (filled in by the server).
  var labels = __QUNCE_LABELS__;
  var scrollKey = "qunce:scroll:" + location.pathname + location.search;
  var overlayId = "__qunce_overlay";

  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      var y = parseFloat(saved) || 0;
      var restore = function () { window.scrollTo(0, y); };
      if (document.readyState === "complete") restore();
      else window.addEventListener("load", restore);
    }
  } catch (e) {}

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY || window.pageYOffset || 0)); } catch (e) {}
    location.reload();
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url;
      try { url = new URL(link.href, location.href); } catch (e) { return; }
      if (url.origin !== location.origin || !link.parentNode) return;
      url.searchParams.set("qunce", String(Date.now()));
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      var done = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      fresh.addEventListener("load", done);
      fresh.addEventListener("error", done);
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  function el(tag, style, text) {
    var e = document.createElement(tag);
    if (style) e.setAttribute("style", style);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function clearErrors() {
    var old = document.getElementById(overlayId);
    if (old && old.parentNode) old.parentNode.removeChild(old);
  }

  function showErrors(diags) {
    clearErrors();
    if (!Array.isArray(diags)) return;
    var errors = diags.filter(function (d) { return d && d.severity === "error"; });
    if (!errors.length) return;
    var box = el("div", "position:fixed;z-index:2147483647;left:0;right:0;top:0;max-height:75vh;overflow:auto;" +
      "margin:0;padding:16px 20px;box-sizing:border-box;background:#1d1f21;color:#eee;text-align:left;" +
      "border-bottom:4px solid #e5484d;box-shadow:0 6px 24px rgba(0,0,0,.45);" +
      "font:13px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;word-break:break-word");
    box.id = overlayId;
    box.setAttribute("role", "alert");
    var close = el("button", "float:right;margin-left:12px;background:none;border:1px solid #666;color:#eee;" +
      "border-radius:4px;cursor:pointer;font:inherit;padding:0 8px", "\u00d7");
    close.setAttribute("aria-label", "close");
    close.addEventListener("click", clearErrors);
    box.appendChild(close);
    var count = (errors.length === 1 ? labels.one : labels.many).replace("{n}", errors.length);
    box.appendChild(el("div", "font-weight:bold;color:#ff6b6b;margin-bottom:6px",
      labels.title.replace("{count}", count)));
    errors.forEach(function (d) {
      var item = el("div", "margin-top:10px;padding-top:8px;border-top:1px solid #3a3a3a");
      var where = d.file ? d.file + (d.line ? ":" + d.line + ":" + d.column : "") : "site";
      item.appendChild(el("div", "color:#8ab4f8", where));
      item.appendChild(el("div", "color:#fff;font-weight:bold", d.message));
      if (d.help) item.appendChild(el("div", "color:#a8d58b", labels.help + d.help));
      box.appendChild(item);
    });
    (document.body || document.documentElement).appendChild(box);
  }

  var source = null;
  var retry = null;

  function connect() {
    if (!window.EventSource) return;
    if (source) source.close();
    source = new EventSource("/__qunce/events");
    // After a restart the server has a new build id: the page reloads once it reconnects.
    source.addEventListener("hello", function (e) {
      var d = parse(e.data);
      if (d && d.build !== build) reload();
    });
    source.addEventListener("reload", function () { reload(); });
    source.addEventListener("css", function (e) {
      var d = parse(e.data);
      if (d && d.build) build = d.build;
      clearErrors();
      swapStylesheets();
    });
    source.addEventListener("error", function (e) {
      if (typeof e.data === "string") {
        showErrors(parse(e.data));
        return;
      }
      // The connection dropped: EventSource retries by itself unless it gave up.
      if (source.readyState === 2 && !retry) {
        retry = setTimeout(function () { retry = null; connect(); }, 1000);
      }
    });
  }

  connect();
})();
