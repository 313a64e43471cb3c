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

	// Edit distance in code points, for the 404 page and search.js's "did you mean"
	function distance(a, b) {
		a = Array.from(a); b = Array.from(b);
		var prev = [], cur, i, j;
		for (j = 0; j <= b.length; j++) prev.push(j);
		for (i = 1; i <= a.length; i++) {
			cur = [i];
			for (j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
			prev = cur;
		}
		return prev[b.length];
	}
	window.qunceText = { distance: distance };

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
	// every handbook opened from disk shares one origin) + page URL + task id; in a print book
	// each page's section (data-page-url) reads the ticks of that page.
	var site = B.getAttribute("data-site") || "";
	var all = $$("li.task[data-task-id]").filter(function (li) { return $("input", li); });
	var ownUrl = B.getAttribute("data-url") || location.pathname;
	var urlOf = function (li) { var s = li.closest("[data-page-url]"); return s ? s.getAttribute("data-page-url") : ownUrl; };
	all.filter(function (li) { return urlOf(li) !== ownUrl; }).forEach(function (li) {
		var st = {};
		try { st = JSON.parse(store("qunce-tasks:" + site + ":" + urlOf(li))) || {}; } catch (e) { /* ignore bad data */ }
		var cb = $("input", li), id = li.getAttribute("data-task-id");
		if (id in st) cb.checked = !!st[id];
		li.classList.toggle("done", cb.checked);
	});
	var tasks = all.filter(function (li) { return urlOf(li) === ownUrl; });
	var tools = $("[data-checklist]");
	if (tasks.length) {
		var key = "qunce-tasks:" + site + ":" + ownUrl, state = {};
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

	// copying: the Clipboard API where the page may use it, else a selected textarea
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
	var copyText = function (t, done) {
		if (navigator.clipboard && window.isSecureContext) {
			navigator.clipboard.writeText(t).then(function () { done(true); }, function () { done(legacy(t)); });
		} else done(legacy(t));
	};

	// "我们的社群": the reader's own names, start date and cohort length, kept per handbook in
	// this browser; every template, copied text and the run sheet use them
	var cm = $("#community"), storeKey = cm ? cm.getAttribute("data-store") : "qunce-community";
	var settings = { ph: {}, start: "", cohort: 0 }, defaults = {};
	try {
		var saved = JSON.parse(store(storeKey));
		if (saved && typeof saved === "object") {
			settings.ph = saved.ph && typeof saved.ph === "object" ? saved.ph : {};
			settings.start = typeof saved.start === "string" ? saved.start : "";
			settings.cohort = Math.max(0, Math.min(366, parseInt(saved.cohort, 10) || 0));
		}
	} catch (e) { /* ignore bad data */ }
	var sources = {}, cohortDefault = 21;
	if (cm) {
		$$("input[data-ph]", cm).forEach(function (i) {
			defaults[i.getAttribute("data-ph")] = i.getAttribute("data-default") || "";
			if (i.getAttribute("data-from")) sources[i.getAttribute("data-ph")] = i.getAttribute("data-from");
		});
		cohortDefault = parseInt($("input[name=cohort]", cm).getAttribute("data-default"), 10) || 21;
	}
	// A placeholder declared `from = "start" | "end" | "cohort_days"` follows the reader's cohort.
	var fromCohort = function (name) {
		var from = sources[name], days = settings.cohort || cohortDefault;
		var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(settings.start || "");
		if (from === "cohort_days") return String(days);
		if (!m || (from !== "start" && from !== "end")) return "";
		var date = new Date(Date.UTC(+m[1], m[2] - 1, +m[3] + (from === "end" ? days : 0)));
		return date.toLocaleDateString(R.getAttribute("lang") || "zh-CN", { month: "long", day: "numeric", weekday: "short", timeZone: "UTC" });
	};
	var phValue = function (name) { return settings.ph[name] || fromCohort(name) || defaults[name] || ""; };
	var fillPlaceholders = function () {
		var unfilled = cm ? cm.getAttribute("data-unfilled") : "";
		$$(".ph[data-ph]").forEach(function (s) {
			var n = s.getAttribute("data-ph"), v = phValue(n);
			s.textContent = v || "{" + n + "}";
			s.classList.toggle("empty", !v);
			if (v) s.removeAttribute("title"); else s.title = unfilled;
		});
	};
	var applyAll = function () {
		fillPlaceholders();
		if (calendar) calendar.render();
	};
	var saveSettings = function () {
		store(storeKey, JSON.stringify(settings));
		applyAll();
	};
	window.qunceCommunity = {
		get: function () { return JSON.parse(JSON.stringify(settings)); },
		set: function (s) {
			settings.ph = s.ph || {};
			settings.start = s.start || "";
			settings.cohort = parseInt(s.cohort, 10) || 0;
			saveSettings();
		}
	};
	if (cm) {
		var form = $("form", cm);
		var loadForm = function () {
			$$("input[data-ph]", cm).forEach(function (i) { i.value = settings.ph[i.getAttribute("data-ph")] || ""; });
			form.elements.start.value = settings.start;
			form.elements.cohort.value = settings.cohort || "";
		};
		$$("[data-action=community]").forEach(function (b) {
			b.addEventListener("click", function () { loadForm(); if (cm.showModal) cm.showModal(); else cm.setAttribute("open", ""); });
		});
		cm.addEventListener("close", function () {
			if (cm.returnValue !== "save") return;
			settings.ph = {};
			$$("input[data-ph]", cm).forEach(function (i) { if (i.value.trim()) settings.ph[i.getAttribute("data-ph")] = i.value.trim(); });
			settings.start = form.elements.start.value;
			settings.cohort = Math.max(0, Math.min(366, parseInt(form.elements.cohort.value, 10) || 0));
			saveSettings();
		});
		$("[data-action=community-clear]", cm).addEventListener("click", function () {
			settings = { ph: {}, start: "", cohort: 0 };
			store(storeKey, null);
			loadForm();
			applyAll();
		});
	}

	// template cards: each gets a button that copies only its text, as members will see it
	$$("figure.template").forEach(function (fig) {
		var cap = $("figcaption", fig), body = $(".template-text", fig);
		if (!cap || !body || !cm) return;
		var b = d.createElement("button");
		b.type = "button";
		b.className = "btn template-copy";
		b.setAttribute("data-action", "copy-template");
		b.textContent = cm.getAttribute("data-copy");
		cap.appendChild(b);
		b.addEventListener("click", function () {
			copyText(body.textContent, function (ok) {
				b.textContent = cm.getAttribute(ok ? "data-done" : "data-fail");
				clearTimeout(b.t);
				b.t = setTimeout(function () { b.textContent = cm.getAttribute("data-copy"); }, 3000);
			});
		});
	});

	// the run sheet (运营日历): laid out again from the reader's start date and cohort length
	var cal = $(".calendar"), pool = $("#cal-pool"), calendar = null;
	if (cal && pool) {
		var WD = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], lang = cal.getAttribute("data-lang") || "zh-CN";
		var defaultCohort = parseInt(cal.getAttribute("data-cohort"), 10) || 21;
		var startDate = function () {
			var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(settings.start || "");
			return m ? new Date(Date.UTC(+m[1], m[2] - 1, +m[3])) : null;
		};
		var plus = function (date, n) { return new Date(date.getTime() + n * 864e5); };
		var ymd = function (date) { return date.toISOString().slice(0, 10).replace(/-/g, ""); };
		var days = function (code, end, wd0) {
			var m, out = [], i;
			if ((m = /^D(-?\d+)(?:-D(-?\d+))?$/.exec(code))) for (i = +m[1]; i <= (m[2] == null ? +m[1] : +m[2]); i++) out.push(i);
			else if (code === "daily") for (i = 1; i <= end; i++) out.push(i);
			else if ((m = /^weekly:(\w+)$/.exec(code))) for (i = ((WD.indexOf(m[1]) - wd0) % 7 + 7) % 7; i <= end; i += 7) out.push(i);
			else if (code === "biweekly") for (i = 14; i <= end; i += 14) out.push(i);
			else if (code === "monthly") for (i = 30; i <= end; i += 30) out.push(i);
			else if ((m = /^end([+-]\d+)?$/.exec(code))) out.push(end + (m[1] ? +m[1] : 0));
			return out;
		};
		var el = function (tag, cls, text) {
			var e = d.createElement(tag);
			if (cls) e.className = cls;
			if (text != null) e.textContent = text;
			return e;
		};
		var calTools = $("[data-cal-tools]"), icsBtn = calTools && $("[data-action=ics]", calTools);
		calendar = window.qunceCalendar = {
			/** The days the cohort has something on, in order: [{ day, date, entries }]. */
			layout: function () {
				var end = settings.cohort || defaultCohort, start = startDate();
				var wd0 = start ? (start.getUTCDay() + 6) % 7 : 0, byDay = {};
				$$(".cal-entry", pool.content).forEach(function (e) {
					days(e.getAttribute("data-code"), end, wd0).forEach(function (n) { (byDay[n] = byDay[n] || []).push(e); });
				});
				return Object.keys(byDay).map(Number).sort(function (a, b) { return a - b; }).map(function (n) {
					return { day: n, date: start ? plus(start, n) : null, entries: byDay[n] };
				});
			},
			render: function () {
				var end = settings.cohort || defaultCohort, weeks = [], last = null;
				calendar.layout().forEach(function (x) {
					var key = x.day < 0 ? "before" : x.day > end ? "after" : "w" + (Math.floor(x.day / 7) + 1);
					if (!last || last.key !== key) weeks.push(last = { key: key, days: [] });
					last.days.push(x);
				});
				cal.textContent = "";
				weeks.forEach(function (w) {
					var sec = el("section", "cal-week"), ol = el("ol", "cal-days");
					sec.setAttribute("data-week", w.key);
					sec.appendChild(el("h2", null, w.key === "before" ? cal.getAttribute("data-before") : w.key === "after" ? cal.getAttribute("data-after") : cal.getAttribute("data-week").replace("{n}", w.key.slice(1))));
					w.days.forEach(function (x) {
						var li = el("li", "cal-day"), p = el("p", "cal-when"), t = el("time", "cal-date"), ul = el("ul", "cal-entries");
						li.setAttribute("data-day", x.day);
						p.appendChild(el("span", "cal-d", cal.getAttribute("data-day").replace("{n}", x.day)));
						p.appendChild(d.createTextNode(" "));
						if (x.date) {
							t.setAttribute("datetime", x.date.toISOString().slice(0, 10));
							t.textContent = x.date.toLocaleDateString(lang, { month: "numeric", day: "numeric", weekday: "short", timeZone: "UTC" });
						}
						p.appendChild(t);
						x.entries.forEach(function (e) { ul.appendChild(d.importNode(e, true)); });
						li.appendChild(p);
						li.appendChild(ul);
						ol.appendChild(li);
					});
					sec.appendChild(ol);
					cal.appendChild(sec);
				});
				fillPlaceholders();
				if (calTools) {
					calTools.elements.start.value = settings.start;
					calTools.elements.cohort.value = end;
					icsBtn.hidden = false;
					icsBtn.disabled = !startDate();
				}
			},
			/** The run sheet as an iCalendar file: one all-day event per ritual and day. */
			ics: function () {
				var start = startDate();
				if (!start) return "";
				var esc = function (t) { return String(t).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n"); };
				var fold = function (line) {
					var out = "", n = 0;
					for (var ch of line) {
						var c = ch.codePointAt(0), len = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
						if (n + len > 73) { out += "\r\n "; n = 1; }
						out += ch;
						n += len;
					}
					return out;
				};
				var stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
				var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//qunce//run sheet//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:" + esc(cal.getAttribute("data-title"))];
				calendar.layout().forEach(function (x) {
					x.entries.forEach(function (e, k) {
						var a = $(".cal-title", e), url = new URL(a.getAttribute("href"), location.href).href;
						var roles = $$(".cal-roles > li", e).map(function (li) {
							var label = $(".sr", li), names = $$("a", li).map(function (r) { return r.textContent; }).join(cal.getAttribute("data-list-sep") || ", ");
							return (label ? label.textContent : "") + (cal.getAttribute("data-fact-sep") || ": ") + names;
						});
						var dur = $(".cal-dur", e);
						lines.push("BEGIN:VEVENT", "UID:" + ymd(x.date) + "-" + k + "-" + encodeURIComponent(a.textContent).replace(/%/g, "").slice(0, 40) + "@qunce",
							"DTSTAMP:" + stamp, "DTSTART;VALUE=DATE:" + ymd(x.date), "DTEND;VALUE=DATE:" + ymd(plus(x.date, 1)),
							"SUMMARY:" + esc(a.textContent), "DESCRIPTION:" + esc(roles.concat(dur ? [dur.textContent] : [], [url]).join("\n")),
							"URL:" + url, "END:VEVENT");
					});
				});
				lines.push("END:VCALENDAR");
				return lines.map(fold).join("\r\n") + "\r\n";
			}
		};
		if (calTools) {
			calTools.addEventListener("change", function () {
				settings.start = calTools.elements.start.value;
				var n = parseInt(calTools.elements.cohort.value, 10);
				settings.cohort = n >= 1 && n <= 366 ? (n === defaultCohort ? 0 : n) : 0;
				saveSettings();
			});
			calTools.addEventListener("submit", function (e) { e.preventDefault(); });
			$("[data-action=print]", calTools).addEventListener("click", function () { window.print(); });
			icsBtn.addEventListener("click", function () {
				var text = calendar.ics();
				if (!text) return;
				var a = d.createElement("a");
				a.href = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
				a.download = "run-sheet-" + settings.start + ".ics";
				B.appendChild(a);
				a.click();
				setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
			});
		}
		calendar.render();
	}
	fillPlaceholders();

	// the page's copy button: the team's run sheet of the page (title, facts, numbered steps,
	// □/☑ lines, templates filled in), labelled as the team's, no markup
	var src = $("[data-copy-source]"), copyBtn = $("[data-action=copy]");
	if (src && copyBtn) {
		copyBtn.hidden = false;
		// Punctuation of the copied text follows the site's language (UI strings on the button).
		var attr = function (name, fallback) { return copyBtn.getAttribute(name) || fallback; };
		var factSep = attr("data-fact-sep", ": "), listSep = attr("data-list-sep", ", ");
		var partSep = attr("data-part-sep", "; "), kindSep = attr("data-kind-sep", " | ");
		var heading = function (t) { return attr("data-heading-format", "{t}").replace("{t}", t); };
		// only what the reader sees: no text hidden by CSS (display, visibility, opacity, a tiny
		// font, transparent colour, a 1 px or off-screen box) or by raw HTML (hidden, closed details)
		var unseen = function (e) {
			if (e.matches(".anchor, .letter, .sr, input, button, script, style, template") || !e.getClientRects().length) return true;
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
				if (/^H\d$/.test(t)) out.push("", heading(text(c)));
				else if (t === "FIGURE" && c.classList.contains("template")) {
					var k = $(".template-kind", c), body = $(".template-text", c);
					out.push("", heading(text($(".template-title", c) || c) + (k ? kindSep + text(k) : "")), body ? seen(body, []).trim() : "");
				}
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
			var out = [heading(copyBtn.getAttribute("data-heading")) + text($("h1", src) || src)];
			$$(".facts > div", src).forEach(function (f) {
				var dd = $("dd", f), parts = $$(".raci > li", dd), li = $$("li", dd).map(text).filter(Boolean);
				var value = parts.length ? parts.map(function (p) {
					return text($(".raci-label", p)) + factSep + $$(".inline-refs li", p).map(text).filter(Boolean).join(listSep);
				}).join(partSep) : li.length ? li.join(listSep) : text(dd);
				out.push(text($("dt", f)) + factSep + value);
			});
			out.push("");
			walk($(".content", src) || src, out);
			return out.join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n";
		};
		var say = function (ok) {
			var s = $(".copy-status");
			if (!s) return;
			s.textContent = copyBtn.getAttribute(ok ? "data-done" : "data-fail");
			clearTimeout(say.t);
			say.t = setTimeout(function () { s.textContent = ""; }, 4000);
		};
		copyBtn.addEventListener("click", function () { copyText(plain(), say); });
	}

	// link previews: popup on hover/focus; on touch, a long press shows a bottom sheet (a tap opens the link)
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
		// Previews are a hover feature of devices that hover; a touch opens the link at the first
		// tap, and only a long press (held still) shows the preview as a bottom sheet.
		// A touch-only device (coarse pointer, nothing that hovers) never gets hover previews; on
		// others a touch is told from a mouse by the pointerdown before the emulated mouseover.
		var touchOnly = matchMedia("(any-pointer: coarse) and (any-hover: none)");
		var enter = function (e) {
			var a = linkOf(e.target);
			if (!a || a === shown || pointer === "touch" || (e.type === "mouseover" && touchOnly.matches)) return;
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
		var press = null, pressed = null, pressAt = 0;
		d.addEventListener("touchstart", function (e) {
			var a = linkOf(e.target);
			clearTimeout(press);
			pressed = null;
			pressAt = e.timeStamp;
			if (!a || e.touches.length > 1) return;
			press = setTimeout(function () {
				load().then(function () {
					var en = lookup(a);
					if (!en) return;
					pressed = a;
					fill(a, en, true);
					$(".preview-open", pv).focus({ preventScroll: true });
				});
			}, 500);
		}, { passive: true });
		["touchmove", "touchend", "touchcancel"].forEach(function (t) {
			d.addEventListener(t, function (e) {
				clearTimeout(press);
				// A touch that ended within the long-press time was a tap, whenever the page got
				// to hear of it: it opens the link, whatever the timer did meanwhile.
				if (t === "touchend" && pressed && e.timeStamp - pressAt < 500) { pressed = null; hide(); }
			}, { passive: true });
		});
		// The long press's own click and menu must not open the link under the sheet.
		d.addEventListener("contextmenu", function (e) { if (pressed && linkOf(e.target) === pressed) e.preventDefault(); });
		d.addEventListener("click", function (e) {
			var a = linkOf(e.target);
			if (a && a === pressed) { e.preventDefault(); pressed = null; return; }
			if (!a && pv.classList.contains("sheet") && !pv.contains(e.target)) hide();
		});
		$(".preview-close", pv).addEventListener("click", hide);
		d.addEventListener("keydown", function (e) {
			if (e.key !== "Escape" || pv.hidden) return;
			var a = shown, sheet = pv.classList.contains("sheet");
			hide();
			if (sheet && a) a.focus();
		});
	}
	// the TOC follows the scroll: the section being read is marked
	var tocLinks = $$(".toc a[href^='#']");
	if (tocLinks.length) {
		var targets = tocLinks.map(function (a) {
			var id = decodeURIComponent(a.getAttribute("href").slice(1));
			return d.getElementById(id);
		});
		var current = null, ticking = false;
		var follow = function () {
			ticking = false;
			var line = parseFloat(getComputedStyle(R).scrollPaddingTop) || 80, at = -1;
			targets.forEach(function (h, k) { if (h && h.getBoundingClientRect().top <= line + 8) at = k; });
			// At the very end of the page the last section is the one being read.
			if (innerHeight + scrollY >= R.scrollHeight - 2) for (var k = targets.length - 1; k >= 0; k--) if (targets[k]) { at = k; break; }
			var a = at >= 0 ? tocLinks[at] : null;
			if (a === current) return;
			if (current) current.removeAttribute("aria-current");
			if (a) a.setAttribute("aria-current", "true");
			current = a;
		};
		addEventListener("scroll", function () { if (!ticking) { ticking = true; requestAnimationFrame(follow); } }, { passive: true });
		follow();
	}

	// back to top, in the top bar, on pages longer than three screens once the reader is past
	// the first
	var top = $(".to-top");
	if (top) {
		var showTop = function () { top.hidden = !(R.scrollHeight > 3 * innerHeight && scrollY > innerHeight); };
		addEventListener("scroll", showTop, { passive: true });
		addEventListener("resize", showTop);
		top.addEventListener("click", function () {
			scrollTo({ top: 0, behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
			var m = $("#main");
			if (m) m.focus({ preventScroll: true });
		});
		showTop();
	}

	// ← → open the previous and next page (as mdBook), unless the reader is typing
	d.addEventListener("keydown", function (e) {
		if ((e.key !== "ArrowLeft" && e.key !== "ArrowRight") || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || e.defaultPrevented) return;
		var t = e.target;
		if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.closest("[role=listbox], .table-scroll")) return;
		var a = $(e.key === "ArrowLeft" ? ".pager a[rel=prev]" : ".pager a[rel=next]");
		if (a) location.href = a.href;
	});

	// ?h=words (the search result the reader came from): the words are marked on the page
	var h = "";
	try { h = new URLSearchParams(location.search).get("h") || ""; } catch (e) { /* no query */ }
	var words = h.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
	var body = $(".doc .content") || $(".doc");
	if (words.length && body) {
		words.sort(function (x, y) { return y.length - x.length; });
		var re = new RegExp(words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "gi");
		var walker = d.createTreeWalker(body, NodeFilter.SHOW_TEXT, {
			acceptNode: function (n) { return n.parentNode.closest("script, style, mark, .anchor") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
		});
		var nodes = [];
		while (walker.nextNode()) nodes.push(walker.currentNode);
		var first = null;
		nodes.forEach(function (n) {
			var text = n.nodeValue, m, last = 0, frag = null;
			re.lastIndex = 0;
			while ((m = re.exec(text))) {
				if (!m[0]) { re.lastIndex++; continue; }
				frag = frag || d.createDocumentFragment();
				frag.append(text.slice(last, m.index));
				var mk = d.createElement("mark");
				mk.className = "hl";
				mk.textContent = m[0];
				frag.append(mk);
				first = first || mk;
				last = m.index + m[0].length;
			}
			if (frag) { frag.append(text.slice(last)); n.parentNode.replaceChild(frag, n); }
		});
		if (first && !location.hash) first.scrollIntoView({ block: "center" });
	}

	// print books: the button prints
	d.addEventListener("click", function (e) { if (e.target.closest("[data-action=print-book]")) window.print(); });

	// 404: the pages whose slug or title is closest to the missing URL (from previews.json)
	var nf = $("[data-not-found] .nf-close");
	if (nf) {
		var root404 = B.getAttribute("data-root") || "/", off404 = !/^(\/|[a-z]+:)/.test(root404);
		var missing = location.pathname;
		try { missing = decodeURIComponent(missing); } catch (e) { /* keep encoded */ }
		var rootPath = off404 ? "" : new URL(root404, location.href).pathname;
		if (rootPath && missing.lastIndexOf(rootPath, 0) === 0) missing = missing.slice(rootPath.length);
		var want = missing.toLowerCase().replace(/index\.html$|\.html?$/, "").split("/").filter(Boolean).pop() || "";
		var show404 = function (data) {
			if (!want || !data) return;
			var scored = Object.keys(data).map(function (u) {
				var slug = u.toLowerCase().split("/").filter(Boolean).pop() || "", t = (data[u].t || "").toLowerCase();
				var s = Math.min(distance(want, slug) / Math.max(want.length, slug.length, 1), distance(want, t) / Math.max(Array.from(want).length, Array.from(t).length, 1));
				if (slug && (slug.indexOf(want) >= 0 || want.indexOf(slug) >= 0)) s = Math.min(s, 0.2);
				return { u: u, s: s, e: data[u] };
			}).filter(function (x) { return x.s <= 0.5; }).sort(function (a, b) { return a.s - b.s; }).slice(0, 5);
			if (!scored.length) return;
			var ul = $("ul", nf);
			scored.forEach(function (x) {
				var li = d.createElement("li"), a = d.createElement("a");
				a.href = off404 ? root404 + x.u.replace(/^\//, "") + "index.html" : x.u;
				a.textContent = x.e.t;
				li.append(a);
				if (x.e.k) { var k = d.createElement("span"); k.className = "stage"; k.textContent = x.e.k; li.append(" ", k); }
				ul.append(li);
			});
			nf.hidden = false;
		};
		if (off404) {
			window.qunceSetPreviews = show404;
			var sc = d.createElement("script");
			sc.src = root404 + "previews.js";
			d.head.appendChild(sc);
		} else {
			fetch(root404 + "previews.json").then(function (r) { return r.ok ? r.json() : null; }).then(show404, function () { /* no suggestions */ });
		}
	}
})();
