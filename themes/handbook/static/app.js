/* qunce handbook theme: no framework, no network except previews.json */
(function () {
	"use strict";
	var d = document, R = d.documentElement, B = d.body, pointer = "mouse";
	function $(s, el) { return (el || d).querySelector(s); }
	function $$(s, el) { return [].slice.call((el || d).querySelectorAll(s)); }
	function store(k, v) { // get (v undefined), remove (v null) or set
		try { return v === undefined ? localStorage.getItem(k) : v === null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch (e) { return null; }
	}
	d.addEventListener("pointerdown", function (e) { pointer = e.pointerType || "mouse"; }, true);

	// colour scheme: auto -> light -> dark
	var tb = $(".theme-toggle");
	if (tb) {
		var label = tb.getAttribute("aria-label"), icons = { auto: "◐", light: "☀", dark: "☾" };
		var mode = function () { return R.getAttribute("data-theme") || "auto"; };
		var show = function () {
			var m = mode();
			tb.setAttribute("aria-label", label + " (" + (tb.getAttribute("data-" + m) || m) + ")");
			tb.firstElementChild.textContent = icons[m];
		};
		tb.addEventListener("click", function () {
			var m = { auto: "light", light: "dark", dark: "auto" }[mode()];
			if (m === "auto") R.removeAttribute("data-theme"); else R.setAttribute("data-theme", m);
			store("qunce-theme", m === "auto" ? null : m);
			show();
		});
		show();
	}

	// sidebar drawer on phones
	var nt = $(".nav-toggle"), sb = $("#sidebar"), scrim = $(".scrim");
	if (nt && sb) {
		var nav = function (open) {
			R.classList.toggle("nav-open", open);
			nt.setAttribute("aria-expanded", String(open));
			if (scrim) scrim.hidden = !open;
			if (open) setTimeout(function () { var a = $("[aria-current=page]", sb) || $("a", sb); if (a) a.focus(); }, 50);
		};
		nt.addEventListener("click", function () { nav(!R.classList.contains("nav-open")); });
		if (scrim) scrim.addEventListener("click", function () { nav(false); });
		d.addEventListener("keydown", function (e) {
			if (e.key === "Escape" && R.classList.contains("nav-open")) { nav(false); nt.focus(); }
		});
		var cur = $("[aria-current=page]", sb);
		if (cur && getComputedStyle(sb).position === "sticky") sb.scrollTop = cur.offsetTop - sb.clientHeight / 3;
	}

	// TOC: open on wide screens, folded on phones
	var toc = $(".toc");
	if (toc) {
		var wide = matchMedia("(min-width: 75em)");
		var sync = function () { toc.open = wide.matches; };
		sync();
		if (wide.addEventListener) wide.addEventListener("change", sync);
		toc.addEventListener("click", function (e) { if (e.target.closest("a") && !wide.matches) toc.open = false; });
	}

	// checklists: ticks kept per handbook (its base URL, or a site id when built offline, where
	// every handbook opened from disk shares one origin) + page URL + task id
	var tasks = $$("li.task[data-task-id]").filter(function (li) { return $("input", li); });
	var tools = $("[data-checklist]");
	if (tasks.length) {
		var key = "qunce-tasks:" + (B.getAttribute("data-site") || "") + ":" + (B.getAttribute("data-url") || location.pathname), state = {};
		try { state = JSON.parse(store(key)) || {}; } catch (e) { /* ignore bad data */ }
		var update = function () {
			var n = tasks.filter(function (li) {
				var c = $("input", li).checked;
				li.classList.toggle("done", c);
				return c;
			}).length;
			if (!tools) return;
			tools.hidden = false;
			tools.classList.toggle("complete", n === tasks.length);
			$(".progress-bar", tools).style.width = (100 * n / tasks.length) + "%";
			$(".progress-text", tools).textContent = n + "/" + tasks.length;
			$(".progress", tools).setAttribute("aria-valuenow", n);
			$(".progress", tools).setAttribute("aria-valuemax", tasks.length);
		};
		tasks.forEach(function (li) {
			var cb = $("input", li), id = li.getAttribute("data-task-id");
			if (id in state) cb.checked = !!state[id];
			cb.disabled = false;
			cb.setAttribute("aria-label", li.textContent.trim());
			cb.addEventListener("change", function () { state[id] = cb.checked; store(key, JSON.stringify(state)); update(); });
			li.addEventListener("click", function (e) { if (!e.target.closest("a, input")) cb.click(); });
		});
		if (tools) tools.addEventListener("click", function (e) {
			var btn = e.target.closest("[data-action]"), act = btn && btn.getAttribute("data-action");
			if (act === "print") window.print();
			if (act === "reset" && confirm(btn.getAttribute("data-confirm") || "?")) {
				state = {};
				store(key, null);
				tasks.forEach(function (li) { var cb = $("input", li); cb.checked = cb.defaultChecked; });
				update();
			}
		});
		update();
	}

	// "copy as group announcement": title, facts, numbered steps, □/☑ lines, no markup
	var src = $("[data-copy-source]"), copyBtn = $("[data-action=copy]");
	if (src && copyBtn) {
		copyBtn.hidden = false;
		// only what the reader sees: no text hidden by CSS (display, visibility, opacity, a tiny
		// font, transparent colour, a 1 px or off-screen box) or by raw HTML (hidden, closed details)
		var unseen = function (e) {
			if (e.matches(".anchor, .letter, .sr, input, script, style, template") || !e.getClientRects().length) return true;
			var cs = getComputedStyle(e), r = e.getBoundingClientRect();
			return cs.visibility !== "visible" || +cs.opacity === 0 || parseFloat(cs.fontSize) < 4 ||
				cs.color === "transparent" || /^rgba\(.*,\s*0\)$/.test(cs.color) ||
				(r.width < 2 && r.height < 2) || r.right + scrollX < 0 || r.bottom + scrollY < 0 ||
				(cs.clipPath !== "none" && cs.position === "absolute") || /rect\(0/.test(cs.clip);
		};
		var box = d.createRange();
		var seen = function (el, out) {
			[].forEach.call(el.childNodes, function (c) {
				// a text node laid out nowhere (the body of a closed <details>) is not seen either
				if (c.nodeType === 3) { box.selectNodeContents(c); if (!c.nodeValue.trim() || box.getClientRects().length) out.push(c.nodeValue); }
				else if (c.nodeType === 1 && !unseen(c)) {
					// of a closed <details> only its summary shows
					var sm = c.tagName === "DETAILS" && !c.open && $(":scope > summary", c);
					if (sm === false) seen(c, out); else if (sm) seen(sm, out);
					if (c.tagName === "LI") out.push(" ");
				}
			});
			return out.join("");
		};
		var text = function (el) { return seen(el, []).replace(/\s+/g, " ").trim(); };
		var walk = function (el, out) {
			[].forEach.call(el.children, function (c) {
				if (unseen(c)) return;
				var t = c.tagName, items = $$(":scope > li", c).filter(function (li) { return !unseen(li); });
				if (/^H\d$/.test(t)) out.push("", "【" + text(c) + "】");
				else if (t === "OL") items.forEach(function (li, i) { out.push((+c.getAttribute("start") || 1) + i + ". " + text(li)); });
				else if (t === "UL") items.forEach(function (li) {
					var cb = $("input", li);
					out.push((cb ? (cb.checked ? "☑ " : "□ ") : "· ") + text(li));
				});
				else if (t === "TABLE") $$("tr", c).forEach(function (tr) { if (!unseen(tr)) out.push($$("th, td", tr).filter(function (x) { return !unseen(x); }).map(text).join("  ")); });
				else if (t === "PRE") out.push(seen(c, []).trim());
				else if (/^(DIV|SECTION|BLOCKQUOTE)$/.test(t)) walk(c, out);
				else if (t !== "HR" && text(c)) out.push(text(c));
			});
		};
		var plain = function () {
			var out = [text($("h1", src) || src)];
			$$(".facts > div", src).forEach(function (f) {
				var li = $$("dd li", f).map(text).filter(Boolean);
				out.push(text($("dt", f)) + "：" + (li.length ? li.join("、") : text($("dd", f))));
			});
			out.push("");
			walk($(".content", src) || src, out);
			return out.join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n";
		};
		var legacy = function (t) {
			var ta = d.createElement("textarea"), ok = false;
			ta.value = t;
			ta.setAttribute("readonly", "");
			ta.style.cssText = "position:fixed;top:0;opacity:0";
			B.appendChild(ta);
			ta.select();
			try { ok = d.execCommand("copy"); } catch (e) { ok = false; }
			ta.remove();
			return ok;
		};
		var say = function (ok) {
			var s = $(".copy-status");
			if (!s) return;
			s.textContent = copyBtn.getAttribute(ok ? "data-done" : "data-fail");
			clearTimeout(say.t);
			say.t = setTimeout(function () { s.textContent = ""; }, 4000);
		};
		copyBtn.addEventListener("click", function () {
			var t = plain();
			if (navigator.clipboard && window.isSecureContext) {
				navigator.clipboard.writeText(t).then(function () { say(true); }, function () { say(legacy(t)); });
			} else say(legacy(t));
		});
	}

	// link previews: popup on hover/focus, bottom sheet on touch (second tap opens)
	var pv = $("#preview");
	if (pv) {
		var data, loading, timer, shown = null;
		// An offline build (relative data-root) has previews.js, keyed below the site root: pages
		// opened from file:// can run scripts but not fetch.
		var root = B.getAttribute("data-root") || "/", offline = !/^(\/|[a-z]+:)/.test(root);
		var load = function () {
			if (offline) return loading || (loading = new Promise(function (done) {
				var s = d.createElement("script");
				window.qunceSetPreviews = function (j) { data = j || {}; done(); };
				s.src = root + "previews.js";
				s.onerror = function () { data = {}; done(); };
				d.head.appendChild(s);
			}));
			return loading || (loading = fetch(root + "previews.json")
				.then(function (r) { return r.ok ? r.json() : {}; })
				.catch(function () { return {}; })
				.then(function (j) { data = j || {}; }));
		};
		var lookup = function (a) {
			var u = new URL(a.href, location.href), p = u.pathname;
			if (u.origin !== location.origin || !data) return null;
			if (offline) {
				var r = new URL(root, location.href).pathname;
				p = p.lastIndexOf(r, 0) === 0 ? p.slice(r.length).replace(/index\.html$/, "") : p;
			}
			try { p = decodeURIComponent(p); } catch (e) { /* keep encoded */ }
			return data[p] || data[u.pathname] || null;
		};
		var hide = function () { pv.hidden = true; pv.classList.remove("sheet"); shown = null; };
		var fill = function (a, e, sheet) {
			$(".preview-k", pv).textContent = e.k || "";
			$(".preview-t", pv).textContent = e.t || a.textContent;
			$(".preview-s", pv).textContent = e.s || "";
			$(".preview-open", pv).href = a.href;
			pv.classList.toggle("sheet", sheet);
			pv.hidden = false;
			shown = a;
			if (sheet) { pv.style.top = pv.style.left = ""; return; }
			var r = a.getBoundingClientRect(), h = pv.offsetHeight, top = r.bottom + 8;
			if (top + h > innerHeight && r.top > h + 16) top = r.top - h - 8;
			pv.style.top = top + scrollY + "px";
			pv.style.left = Math.max(8, Math.min(r.left, innerWidth - pv.offsetWidth - 8)) + scrollX + "px";
		};
		var linkOf = function (t) { return t && t.closest ? t.closest("a.internal") : null; };
		var enter = function (e) {
			var a = linkOf(e.target);
			if (!a || a === shown || pointer === "touch") return;
			clearTimeout(timer);
			timer = setTimeout(function () {
				load().then(function () { var en = lookup(a); if (en) fill(a, en, false); });
			}, 250);
		};
		var leave = function (e) {
			var a = linkOf(e.target);
			if (!a || (e.relatedTarget && a.contains(e.relatedTarget))) return;
			clearTimeout(timer);
			if (!pv.classList.contains("sheet")) hide();
		};
		d.addEventListener("mouseover", enter);
		d.addEventListener("focusin", enter);
		d.addEventListener("mouseout", leave);
		d.addEventListener("focusout", leave);
		d.addEventListener("click", function (e) {
			var a = linkOf(e.target);
			if (!a) { if (pv.classList.contains("sheet") && !pv.contains(e.target)) hide(); return; }
			if (pointer === "mouse" || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey) return;
			if (shown === a && pv.classList.contains("sheet")) return; // second tap navigates
			e.preventDefault();
			load().then(function () {
				var en = lookup(a);
				if (!en) { location.href = a.href; return; }
				fill(a, en, true);
				$(".preview-open", pv).focus({ preventScroll: true });
			});
		});
		$(".preview-close", pv).addEventListener("click", hide);
		d.addEventListener("keydown", function (e) {
			if (e.key !== "Escape" || pv.hidden) return;
			var a = shown, sheet = pv.classList.contains("sheet");
			hide();
			if (sheet && a) a.focus();
		});
	}
})();
