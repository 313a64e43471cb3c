/* qunce search: the build-time index is loaded on demand as classic scripts (search/index.js,
 * then only the shards and result cards a query needs), so the same code works over http and
 * from file://. Queries are segmented against the index's own vocabulary (longest match, then
 * bigrams), so they agree with how the build segmented the pages. API: window.qunceSearch. */
(function () {
	"use strict";
	if (window.qunceSearch && window.qunceSearch.query) return;
	var d = document, B = d.body;
	var root = B.getAttribute("data-root") || "/";
	var form = d.querySelector("form.search");
	var ver = (form && form.getAttribute("data-v")) || "";
	var dir = root + "search/";
	var M = null, shards = {}, frags = {}, waiting = {}, loading = {};
	var CJK = /[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]|[\uD840-\uD87E][\uDC00-\uDFFF]/;
	var WORD = /[\p{Alphabetic}\p{N}]/u;
	var PAGE = 10;

	function settle(key, v) { (waiting[key] || []).forEach(function (f) { f(v); }); delete waiting[key]; }
	// Loads search/<path> once as a script; resolves with what it registered (null on error).
	function load(key, path, have) {
		if (have() !== undefined) return Promise.resolve(have());
		return new Promise(function (resolve) {
			(waiting[key] = waiting[key] || []).push(resolve);
			if (loading[key]) return;
			loading[key] = true;
			var s = d.createElement("script");
			s.src = dir + path + (ver ? "?v=" + encodeURIComponent(ver) : "");
			s.async = true;
			s.onerror = function () { loading[key] = false; settle(key, null); };
			d.head.appendChild(s);
		});
	}
	function manifest() { return load("m", "index.js", function () { return M || undefined; }); }
	// The shard of a term: a hash of its first two characters (as `search::bucket` in Rust).
	function shardOf(t) {
		var c = Array.from(t.slice(0, 4)), c1 = c[0].codePointAt(0), c2 = c.length > 1 ? c[1].codePointAt(0) : 0;
		return (Math.imul((Math.imul(c1, 31) + c2) | 0, 0x9E3779B1) >>> 22) >> (10 - Math.log2(M.n));
	}
	function shard(n) { return load("s" + n, "s" + n + ".js", function () { return shards[n]; }); }
	function frag(i) { return load("f" + i, "f/" + i + ".js", function () { return frags[i]; }); }

	var api = window.qunceSearch = {
		manifest: function (m) { M = m; settle("m", m); },
		shard: function (n, terms, surfaces) { shards[n] = { t: terms, s: surfaces, keys: null, p: {} }; settle("s" + n, shards[n]); },
		frag: function (i, f) { frags[i] = f; settle("f" + i, f); },
		query: query,
		kinds: function () { return manifest().then(function (m) { return m ? m.f.map(function (k) { return { name: m.k[k][0], label: m.k[k][1] }; }) : []; }); },
		loaded: function () { return { shards: Object.keys(shards).length, cards: Object.keys(frags).length }; }
	};

	function sh(t) { return shards[shardOf(t)]; }
	function has(t) { var s = sh(t); return !!s && Object.prototype.hasOwnProperty.call(s.t, t); }
	// Terms starting with p (at most max), from the sorted keys of p's shard.
	function prefixed(p, max) {
		var s = sh(p), out = [];
		if (!s) return out;
		var k = s.keys || (s.keys = Object.keys(s.t).sort()), lo = 0, hi = k.length;
		while (lo < hi) { var mid = (lo + hi) >> 1; if (k[mid] < p) lo = mid + 1; else hi = mid; }
		for (; lo < k.length && out.length < max && k[lo].lastIndexOf(p, 0) === 0; lo++) out.push(k[lo]);
		return out;
	}
	var ALPHA = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
	// [ids, scores] of a term (decoded once per shard).
	function postings(t) {
		var s = sh(t);
		if (s.p[t]) return s.p[t];
		var str = s.t[t], ids = [], sc = [], prev = 0, acc = 0;
		for (var i = 0; i < str.length; i++) {
			var v = ALPHA.indexOf(str[i]);
			acc = acc * 32 + (v & 31);
			if (v < 32) { prev += acc; acc = 0; ids.push(prev); sc.push(ALPHA.indexOf(str[++i])); }
		}
		return (s.p[t] = [ids, sc]);
	}

	// The query as parts: runs of Chinese characters and Latin words, lowercased.
	function parts(q) {
		var out = [], cur = null, chars = Array.from(q.toLowerCase());
		chars.forEach(function (c) {
			var type = CJK.test(c) ? "c" : WORD.test(c) ? "w" : null;
			if (!type) { cur = null; return; }
			if (!cur || cur.type !== type) out.push(cur = { type: type, chars: [] });
			cur.chars.push(c);
		});
		return out;
	}
	// Shards a query needs: every word that can match at a position starts with the two
	// characters there; a lone character or letter is its own key.
	function needed(ps) {
		var n = {};
		ps.forEach(function (p) {
			var r = p.type === "c" ? p.chars : p.chars.slice(0, 2);
			if (r.length === 1) n[shardOf(r[0])] = 1;
			for (var i = 0; i + 1 < r.length; i++) n[shardOf(r[i] + r[i + 1])] = 1;
		});
		return Object.keys(n).map(Number);
	}
	// Tokens: each a list of index terms (any may match), the text to highlight, and whether the
	// terms are prefix expansions (ranked a little lower than exact words).
	function tokens(ps, typing) {
		var out = [];
		ps.forEach(function (p, pi) {
			var last = typing && pi === ps.length - 1;
			if (p.type === "w") {
				var w = p.chars.join(""), s = sh(w), terms = [];
				// The word as written, then without a plural or tense ending (the index maps the
				// words it saw to their stems; these cover forms it did not see).
				[w, w.replace(/(ies|es|s|ing|ed|ly)$/, ""), w.replace(/(ies|es|s|ing|ed|ly)$/, "e")].forEach(function (c) {
					if (s && s.s[c] && has(s.s[c]) && terms.indexOf(s.s[c]) < 0) terms.push(s.s[c]);
					if (c.length > 1 && has(c) && terms.indexOf(c) < 0) terms.push(c);
				});
				var exact = terms.length;
				if ((last || !exact) && w.length > 1) terms = terms.concat(prefixed(w, 30).filter(function (t) { return terms.indexOf(t) < 0; }));
				out.push({ terms: terms, marks: [w].concat(terms.slice(0, exact)), exact: exact });
				return;
			}
			var r = p.chars, n = r.length, i = 0;
			while (i < n) {
				var rest = r.slice(i).join("");
				if (last && n - i >= 2 && !has(rest)) {
					var pf = prefixed(rest, 30);
					if (pf.length) { out.push({ terms: pf, marks: [rest], exact: 0 }); break; }
				}
				var j = Math.min(n, i + 12), hit = null;
				for (; j >= i + 2; j--) { var w2 = r.slice(i, j).join(""); if (has(w2)) { hit = w2; break; } }
				// A word also matches the longer words it starts (开营 → 开营仪式), ranked lower.
				if (hit) {
					out.push({ terms: [hit].concat(prefixed(hit, 20).filter(function (t) { return t !== hit; })), marks: [hit], exact: 1 });
					i = j;
					continue;
				}
				var c = r[i], bi = i > 0 ? r[i - 1] + c : "";
				if (bi && has(bi)) out.push({ terms: [bi], marks: [bi], exact: 1 });
				else {
					// A lone character typed on its own matches where it stands alone in the text;
					// inside a longer query a character no word or bigram covers is dropped.
					var t1 = n === 1 && has(c) ? [c] : [];
					out.push({ terms: t1, marks: [c], exact: t1.length, single: true });
				}
				i++;
			}
		});
		return out;
	}

	// Ranks pages: every token must match (else the most tokens); a token scores the best of its
	// terms, weighted by rarity. Kind filter applied here, before cards are loaded.
	function rank(toks, kind) {
		var useful = toks.filter(function (t) { return t.terms.length || !t.single; });
		if (useful.length) toks = useful;
		var N = M.d, per = toks.map(function (tok) {
			var m = {};
			tok.terms.forEach(function (t, k) {
				var p = postings(t), idf = Math.log(1 + N / p[0].length), f = k < tok.exact ? 1 : 0.7;
				for (var x = 0; x < p[0].length; x++) {
					var v = p[1][x] * idf * f;
					if (!(m[p[0][x]] >= v)) m[p[0][x]] = v;
				}
			});
			return m;
		});
		var all = {};
		per.forEach(function (m) {
			for (var id in m) { var a = all[id] || (all[id] = [0, 0]); a[0]++; a[1] += m[id]; }
		});
		var ids = [];
		for (var id in all) {
			if (kind && M.k[M.dk.charCodeAt(id) - 48][0] !== kind) continue;
			if (all[id][0] === toks.length) ids.push(+id);
		}
		ids.sort(function (a, b) { return all[b][1] - all[a][1] || a - b; });
		return ids.map(function (i) { return { id: i, score: all[i][1] }; });
	}

	function lower(s) { return (s || "").toLowerCase(); }
	// The section of a card that matches most tokens, and where.
	function bestSection(f, toks) {
		// Most words matched; among equals the first, unless a template's title (anchor `tpl-…`)
		// has them: a reader searching a template's name wants the template itself (but one
		// searching the page's own title wants the page).
		var best = 0, bestN = -1, bestAt = -1, bestScore = -1, page = lower(f.t);
		var pageHit = toks.every(function (t) { return firstMark(page, t.marks) >= 0; });
		f.h.forEach(function (s, k) {
			var text = lower(s[1] + " " + s[2]), n = 0, inTitle = 0, at = -1;
			var template = !pageHit && (s[0].lastIndexOf("tpl-", 0) === 0 || s[0] === "tpl");
			toks.forEach(function (t) {
				var p = firstMark(text, t.marks);
				if (p >= 0) { n++; if (at < 0 || p < at) at = p; }
				if (template && firstMark(lower(s[1]), t.marks) >= 0) inTitle++;
			});
			if (n * 64 + inTitle > bestScore) { best = k; bestN = n; bestAt = at; bestScore = n * 64 + inTitle; }
		});
		return { k: best, n: bestN, at: bestAt };
	}
	function firstMark(text, marks) {
		var at = -1;
		marks.forEach(function (m) { var p = m ? text.indexOf(m) : -1; if (p >= 0 && (at < 0 || p < at)) at = p; });
		return at;
	}
	// A window of text around the first match, as [text, marked] pieces.
	function snippet(text, toks) {
		var marks = [];
		toks.forEach(function (t) { t.marks.forEach(function (m) { if (m && marks.indexOf(m) < 0) marks.push(m); }); });
		marks.sort(function (a, b) { return b.length - a.length; });
		var chars = Array.from(text), low = lower(text), first = firstMark(low, marks);
		var startUnits = Math.max(0, first - 24);
		var start = Array.from(text.slice(0, startUnits)).length;
		var win = chars.slice(start, start + 96).join(""), lw = lower(win), out = [], i = 0, plain = "";
		while (i < win.length) {
			var m = null;
			for (var k = 0; k < marks.length; k++) if (lw.substr(i, marks[k].length) === marks[k]) { m = marks[k]; break; }
			if (m) {
				if (plain) { out.push([plain, false]); plain = ""; }
				out.push([win.substr(i, m.length), true]);
				i += m.length;
			} else { plain += win[i]; i++; }
		}
		if (plain) out.push([plain, false]);
		if (start > 0) out.unshift(["…", false]);
		if (start + 96 < chars.length) out.push(["…", false]);
		return out;
	}
	function href(f, anchor) {
		var u = root + f.u;
		if (!/^(\/|[a-z]+:)/.test(root) && (u === "" || /\/$/.test(u))) u += "index.html";
		if (u === "") u = "./";
		return u + (anchor ? "#" + anchor : "");
	}

	/** Runs a query: resolves with { tokens, total, results: [{ url, title, kind, heading,
	 * snippet: [[text, marked]…], score }] }. opts: { kind, limit, typing }. */
	function query(q, opts) {
		opts = opts || {};
		var limit = opts.limit || PAGE;
		return manifest().then(function (m) {
			if (!m) return { total: 0, results: [], error: true };
			var ps = parts(q);
			if (!ps.length) return { total: 0, results: [] };
			return Promise.all(needed(ps).map(shard)).then(function () {
				var toks = tokens(ps, opts.typing !== false && !/\s$/.test(q));
				var ranked = rank(toks, opts.kind);
				var top = ranked.slice(0, limit);
				return Promise.all(top.map(function (r) { return frag(r.id); })).then(function () {
					var phrase = lower(q).trim().replace(/\s+/g, " "), tight = phrase.replace(/\s+/g, "");
					var hi = top.length ? top[0].score : 0;
					var res = top.filter(function (r) { return frags[r.id]; }).map(function (r) {
						var f = frags[r.id], sec = bestSection(f, toks), s = f.h[sec.k];
						var names = [f.t].concat(f.a || []).map(lower);
						var inText = function (t) { t = lower(t); return t.indexOf(phrase) >= 0 || t.indexOf(tight) >= 0; };
						var bonus = names.indexOf(phrase) >= 0 || names.indexOf(tight) >= 0 ? 4 :
							names.some(inText) ? 3 : f.h.some(function (h) { return inText(h[1]); }) ? 2 :
							f.h.some(function (h) { return inText(h[2]); }) ? 1 : 0;
						var text = sec.n > 0 && sec.at >= lower(s[1] + " ").length ? s[2] : s[2] || f.h[0][2];
						return {
							id: r.id, path: f.u, url: href(f, s[0]), page: href(f, ""), title: f.t, kind: f.k,
							heading: s[1], anchor: s[0], snippet: snippet(text, toks), score: r.score + bonus * hi
						};
					});
					res.sort(function (a, b) { return b.score - a.score; });
					return { total: ranked.length, results: res, tokens: toks.map(function (t) { return t.marks[0]; }) };
				});
			});
		});
	}

	// ---- UI: the search box in the top bar, and the search page's own box.
	var ui = form ? {
		none: form.getAttribute("data-none"), count: form.getAttribute("data-count"),
		all: form.getAttribute("data-all"), loading: form.getAttribute("data-loading"),
		filters: form.getAttribute("data-filters")
	} : {};

	function bind(input, panel, onPage) {
		var status = panel.querySelector(".sr-status"), list = panel.querySelector(".sr-list");
		var bar = panel.querySelector(".sr-kinds"), kind = "", seq = 0, active = -1, timer;
		var options = function () { return [].slice.call(list.querySelectorAll("[role=option]")); };
		var open = function (yes) { if (!onPage) { panel.hidden = !yes; input.setAttribute("aria-expanded", String(yes)); } };
		var select = function (k) {
			var o = options();
			if (!o.length) return;
			active = (k + o.length) % o.length;
			o.forEach(function (el, n) { el.setAttribute("aria-selected", String(n === active)); });
			input.setAttribute("aria-activedescendant", o[active].id);
			o[active].scrollIntoView({ block: "nearest" });
		};
		var go = function () {
			var o = options(), el = o[active >= 0 ? active : 0];
			if (el) location.href = el.querySelector("a").href;
		};
		var show = function (r, q) {
			list.textContent = "";
			active = -1;
			input.removeAttribute("aria-activedescendant");
			status.textContent = r.results.length ? ui.count.replace("{n}", r.total) : ui.none.replace("{q}", q);
			panel.classList.toggle("sr-empty", !r.results.length);
			r.results.forEach(function (x, n) {
				var li = d.createElement("li"), a = d.createElement("a"), head = d.createElement("span");
				li.id = input.id + "-r" + n;
				li.setAttribute("role", "option");
				li.setAttribute("aria-selected", "false");
				a.href = x.url;
				a.tabIndex = -1;
				var k = d.createElement("span"); k.className = "sr-kind"; k.textContent = x.kind;
				var t = d.createElement("span"); t.className = "sr-title"; t.textContent = x.title;
				head.className = "sr-head";
				head.append(k, t);
				if (x.heading) { var h = d.createElement("span"); h.className = "sr-sec"; h.textContent = x.heading; head.append(h); }
				var p = d.createElement("span"); p.className = "sr-snip";
				x.snippet.forEach(function (piece) {
					if (piece[1]) { var mk = d.createElement("mark"); mk.textContent = piece[0]; p.append(mk); }
					else p.append(piece[0]);
				});
				a.append(head, p);
				li.append(a);
				li.addEventListener("mousemove", function () { if (active !== n) select(n); });
				list.append(li);
			});
			open(true);
		};
		var run = function () {
			var q = input.value.trim(), me = ++seq;
			if (onPage && history.replaceState) {
				var u = new URL(location.href);
				if (q) u.searchParams.set("q", q); else u.searchParams.delete("q");
				try { history.replaceState(null, "", u.href); } catch (e) { /* file:// may refuse */ }
			}
			if (!q) { list.textContent = ""; status.textContent = ""; open(false); return; }
			if (!M) status.textContent = ui.loading;
			query(input.value, { kind: kind, limit: onPage ? 30 : PAGE }).then(function (r) { if (me === seq) show(r, q); });
		};
		api.kinds().then(function (ks) {
			if (!bar || bar.childElementCount) return;
			[{ name: "", label: ui.all }].concat(ks).forEach(function (k) {
				var b = d.createElement("button");
				b.type = "button";
				b.className = "sr-kind-btn";
				b.textContent = k.label;
				b.setAttribute("aria-pressed", String(k.name === kind));
				b.setAttribute("data-kind", k.name);
				b.addEventListener("mousedown", function (e) { e.preventDefault(); });
				b.addEventListener("click", function () {
					kind = k.name;
					[].forEach.call(bar.children, function (x) { x.setAttribute("aria-pressed", String(x === b)); });
					run();
					if (!onPage) input.focus();
				});
				bar.append(b);
			});
		});
		input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 60); });
		input.addEventListener("keydown", function (e) {
			if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1); }
			else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
			else if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); if (options().length) go(); else run(); }
			else if (e.key === "Escape" && !onPage) { open(false); input.blur(); }
		});
		if (!onPage) {
			input.addEventListener("focus", function () { if (input.value.trim() && list.childElementCount) open(true); });
			d.addEventListener("pointerdown", function (e) { if (!panel.contains(e.target) && e.target !== input) open(false); });
			input.closest("form").addEventListener("focusout", function (e) {
				if (!e.relatedTarget || !input.closest("form").contains(e.relatedTarget)) setTimeout(function () { if (!input.closest("form").contains(d.activeElement)) open(false); }, 150);
			});
		}
		if (input.value.trim()) run();
		return { run: run };
	}

	var qi = d.getElementById("q"), qp = d.getElementById("search-panel");
	if (qi && qp) bind(qi, qp, false);
	var pi = d.getElementById("search-page-q"), pp = d.getElementById("search-page-panel");
	if (pi && pp) {
		var q0 = "";
		try { q0 = new URLSearchParams(location.search).get("q") || ""; } catch (e) { /* no query */ }
		if (q0) pi.value = q0;
		bind(pi, pp, true);
	}
	manifest();
})();
