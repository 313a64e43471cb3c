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
	// Matchers of a query. A part (a run of Chinese characters, or a Latin word) is a group of
	// routes, each a list of tokens that must all match; a token is a list of index terms (any
	// may match) with `exact` of them exact (the rest are expansions, ranked lower). A page
	// matches a part when it matches any of its routes, so one way of reading the query can
	// add pages but never take away pages another way found:
	// - words: longest match against the index's vocabulary, each word also matching the
	//   longer words it starts (开营 → 开营仪式);
	// - pairs: every character pair of the run (the index holds the pairs inside long words),
	//   so a word inside a longer one (马斯克 in 马斯克传) still reaches its page;
	// - prefix: while the last part is still being typed, the words it starts.
	// `units` are the words, for partial matches of a long query.
	function has1(t) { return t && has(t) ? [t] : []; }
	function words(r, i0) {
		// Longest match from i0; null when a character cannot be matched (no word, no pair).
		var out = [], n = r.length, i = i0;
		while (i < n) {
			var j = Math.min(n, i + 12), hit = null;
			for (; j >= i + 2; j--) { var w = r.slice(i, j).join(""); if (has(w)) { hit = w; break; } }
			if (hit) {
				out.push({ terms: [hit].concat(prefixed(hit, 50).filter(function (t) { return t !== hit; })), marks: [hit], exact: 1 });
				i = j;
				continue;
			}
			var bi = i > 0 ? r[i - 1] + r[i] : "";
			if (bi && has(bi)) { out.push({ terms: [bi], marks: [bi], exact: 1 }); i++; continue; }
			out.push({ terms: n === 1 ? has1(r[i]) : [], marks: [r[i]], exact: 1, single: true });
			i++;
		}
		return out;
	}
	function groups(ps, typing) {
		return ps.map(function (p, pi) {
			var last = typing && pi === ps.length - 1, g = { routes: [], units: [], text: p.chars.join("") };
			if (p.type === "w") {
				var w = g.text, s = sh(w), terms = [];
				// The word as written, then without a plural or tense ending (the index maps the
				// words it saw to their stems; these cover forms it did not see).
				[w, w.replace(/(ies|es|s|ing|ed|ly)$/, ""), w.replace(/(ies|es|s|ing|ed|ly)$/, "e")].forEach(function (c) {
					if (s && s.s[c] && has(s.s[c]) && terms.indexOf(s.s[c]) < 0) terms.push(s.s[c]);
					if (c.length > 1 && has(c) && terms.indexOf(c) < 0) terms.push(c);
				});
				var exact = terms.length;
				if ((last || !exact || w.length > 3) && w.length > 1) terms = terms.concat(prefixed(w, last ? 30 : 50).filter(function (t) { return terms.indexOf(t) < 0; }));
				var tok = { terms: terms, marks: [w].concat(terms.slice(0, exact)), exact: exact };
				if (terms.length) g.routes.push([tok]);
				g.units.push(tok);
				return g;
			}
			var r = p.chars, n = r.length, ws = words(r, 0);
			g.units = ws;
			if (ws.every(function (t) { return t.terms.length; })) g.routes.push(ws);
			if (n >= 2) {
				var pairs = [];
				for (var i = 0; i + 1 < n; i++) pairs.push({ terms: has1(r[i] + r[i + 1]), marks: [g.text], exact: 1, pair: true });
				if (pairs.every(function (t) { return t.terms.length; })) g.routes.push(pairs);
			}
			if (last) {
				var pf = prefixed(g.text, 50);
				if (pf.length) g.routes.push([{ terms: pf, marks: [g.text], exact: 0 }]);
			}
			return g;
		});
	}

	// id → score of one token: the best of its terms, weighted by rarity.
	function tokenScores(tok, N, m, f0) {
		tok.terms.forEach(function (t, k) {
			var p = postings(t), idf = Math.log(1 + N / p[0].length), f = (k < tok.exact ? 1 : 0.7) * f0;
			for (var x = 0; x < p[0].length; x++) {
				var v = p[1][x] * idf * f;
				if (!(m[p[0][x]] >= v)) m[p[0][x]] = v;
			}
		});
		return m;
	}
	// id → score of a group: its routes' matches (all tokens of a route), the best route's score.
	function groupScores(g, N) {
		var out = {};
		g.routes.forEach(function (route) {
			var acc = null;
			route.forEach(function (tok) {
				var m = tokenScores(tok, N, {}, tok.pair ? 0.6 / route.length : 1), next = {};
				if (!acc) { acc = m; return; }
				for (var id in m) if (id in acc) next[id] = acc[id] + m[id];
				acc = next;
			});
			for (var id in acc || {}) if (!(out[id] >= acc[id])) out[id] = acc[id];
		});
		return out;
	}
	function ofKind(id, kind) { return !kind || M.k[M.dk.charCodeAt(id) - 48][0] === kind; }
	function sorted(all, keep) {
		var ids = [];
		for (var id in all) if (keep(+id)) ids.push(+id);
		ids.sort(function (a, b) { return all[b] - all[a] || a - b; });
		return ids.map(function (i) { return { id: i, score: all[i] }; });
	}
	// Ranks pages that match every group. Kind filter applied here, before cards are loaded.
	function rank(gs, kind) {
		var N = M.d, all = null;
		gs.forEach(function (g) {
			var m = groupScores(g, N), next = {};
			if (!all) { all = m; return; }
			for (var id in m) if (id in all) next[id] = all[id] + m[id];
			all = next;
		});
		return sorted(all || {}, function (id) { return ofKind(id, kind); });
	}
	// Pages containing most of the words of a query no page contains whole: ranked by how many
	// words they contain, then by score. Only words of two or more characters count.
	function rankPartial(gs, kind) {
		var units = [];
		gs.forEach(function (g) { g.units.forEach(function (u) { if (u.terms.length && (!u.single || u.marks[0].length > 1)) units.push(u); }); });
		var total = 0;
		gs.forEach(function (g) { g.units.forEach(function (u) { if (!u.single || Array.from(u.marks[0]).length > 1 || u.terms.length) total++; }); });
		var need = Math.max(1, Math.ceil(total / 2)), count = {}, score = {}, N = M.d;
		units.forEach(function (u) {
			var m = tokenScores(u, N, {}, 1);
			for (var id in m) { count[id] = (count[id] || 0) + 1; score[id] = (score[id] || 0) + m[id]; }
		});
		var all = {};
		for (var id in count) if (count[id] >= need) all[id] = count[id] * 1000 + score[id];
		return sorted(all, function (id) { return ofKind(id, kind); });
	}
	// A query is short when it is one word or four characters or fewer: a short miss shows only
	// the empty state, never pages that merely share a character with it.
	function short(q, gs) {
		var units = 0;
		gs.forEach(function (g) { units += g.units.filter(function (u) { return !u.single; }).length + (g.units.some(function (u) { return u.single; }) ? 1 : 0); });
		return Array.from(q.replace(/\s+/g, "")).length <= 4 || units <= 1;
	}

	// ---- "Did you mean": names (titles, aliases) within a small edit distance of the query,
	// a homophone (same pinyin) counting as no edit. Loaded only after a miss.
	var names = {}, PY = null;
	api.names = function (len, list) { names[len] = list; settle("n" + len, list); };
	api.py = function (table) {
		PY = {};
		for (var syl in table) Array.from(table[syl]).forEach(function (c) { (PY[c] = PY[c] || []).push(syl); });
		settle("py", PY);
	};
	function readings(s) {
		var out = [""];
		Array.from(s).forEach(function (c) {
			if (!CJK.test(c)) return;
			var r = PY[c] || [c], next = [];
			out.forEach(function (o) { r.forEach(function (x) { if (next.length < 8) next.push(o + x); }); });
			out = next;
		});
		return out;
	}
	// The edit distance is app.js's (window.qunceText), so "did you mean" and the 404 page measure
	// alike. app.js is deferred and this file is loaded on demand, so it may run first: wait for
	// the document's deferred scripts (null if app.js never came).
	function appText() {
		if (window.qunceText || d.readyState === "complete") return Promise.resolve(window.qunceText || null);
		return new Promise(function (resolve) {
			var done = function () { resolve(window.qunceText || null); };
			d.addEventListener("DOMContentLoaded", done);
			window.addEventListener("load", done);
		});
	}
	function suggest(q) {
		var w = lower(q).replace(/\s+/g, ""), n = Array.from(w).length;
		if (n < 2 || n > 16) return Promise.resolve(null);
		var lens = [n - 1, n, n + 1].filter(function (l) { return l >= 2 && l <= 16; });
		return Promise.all([appText(), load("py", "py.js", function () { return PY || undefined; })].concat(lens.map(function (l) {
			return load("n" + l, "n/" + l + ".js", function () { return names[l]; });
		}))).then(function (got) {
			var text = got[0];
			if (!text) return null;
			var best = null, mine = PY ? readings(w) : [];
			lens.forEach(function (l) {
				(names[l] || []).forEach(function (e) {
					var name = lower(e[0]);
					if (name === w) return;
					var dist = text.distance(w, name);
					// Same sound: a homophone typed by a pinyin keyboard.
					if (e.slice(2).some(function (r) { return mine.indexOf(r) >= 0; })) dist = Math.min(dist, 0.5);
					var limit = n <= 4 ? 1 : 2;
					if (dist <= limit && (!best || dist < best.d)) best = { d: dist, text: e[0], id: e[1] };
				});
			});
			return best && best.text;
		});
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
	// A result's link; `h` (the query) goes along as `?h=` so the page marks the words.
	function href(f, anchor, h) {
		var u = root + f.u;
		if (!/^(\/|[a-z]+:)/.test(root) && (u === "" || /\/$/.test(u))) u += "index.html";
		if (u === "") u = "./";
		return u + (h ? "?h=" + encodeURIComponent(h.trim()) : "") + (anchor ? "#" + anchor : "");
	}

	// The result entries of ranked pages `top` (their cards loaded).
	function entries(top, gs, q) {
		var toks = [];
		gs.forEach(function (g) { (g.routes[0] || g.units).forEach(function (t) { toks.push(t); }); });
		var phrase = lower(q).trim().replace(/\s+/g, " "), tight = phrase.replace(/\s+/g, "");
		var hi = top.length ? top[0].score : 0;
		// The words to mark on the page a result opens (?h=): what matched, not the raw query.
		var hl = [];
		toks.forEach(function (t) { var w = t.pair ? null : t.marks[0]; if (w && hl.indexOf(w) < 0) hl.push(w); });
		gs.forEach(function (g) { if (g.routes.length && g.routes[0][0] && g.routes[0][0].pair && hl.indexOf(g.text) < 0) hl.push(g.text); });
		var res = top.filter(function (r) { return frags[r.id]; }).map(function (r) {
			var f = frags[r.id], sec = bestSection(f, toks), s = f.h[sec.k];
			var names = [f.t].concat(f.a || []).map(lower);
			var inText = function (t) { t = lower(t); return t.indexOf(phrase) >= 0 || t.indexOf(tight) >= 0; };
			var bonus = names.indexOf(phrase) >= 0 || names.indexOf(tight) >= 0 ? 4 :
				names.some(inText) ? 3 : f.h.some(function (h) { return inText(h[1]); }) ? 2 :
				f.h.some(function (h) { return inText(h[2]); }) ? 1 : 0;
			var text = sec.n > 0 && sec.at >= lower(s[1] + " ").length ? s[2] : s[2] || f.h[0][2];
			return {
				id: r.id, path: f.u, url: href(f, s[0], hl.join(" ")), page: href(f, "", ""), title: f.t, kind: f.k,
				heading: s[1], anchor: s[0], snippet: snippet(text, toks), score: r.score + bonus * hi
			};
		});
		res.sort(function (a, b) { return b.score - a.score; });
		return { results: res, tokens: toks.map(function (t) { return t.marks[0]; }) };
	}
	function cards(list) { return Promise.all(list.map(function (r) { return frag(r.id); })); }

	/** Runs a query: resolves with { tokens, total, results: [{ url, title, kind, heading,
	 * snippet: [[text, marked]…], score }], partial, suggest, popular }. `partial` is true when
	 * no page contains every word and the results contain most of them; after a miss `suggest`
	 * is a near name ("did you mean") or null and `popular` the most linked pages.
	 * opts: { kind, limit, typing } (typing: the last word may be half-typed; default false). */
	function query(q, opts) {
		opts = opts || {};
		var limit = opts.limit || PAGE;
		return manifest().then(function (m) {
			if (!m) return { total: 0, results: [], error: true };
			var ps = parts(q);
			if (!ps.length) return { total: 0, results: [] };
			return Promise.all(needed(ps).map(shard)).then(function () {
				var gs = groups(ps, !!opts.typing && !/\s$/.test(q));
				var ranked = rank(gs, opts.kind), partial = false;
				if (!ranked.length && !short(q, gs)) { ranked = rankPartial(gs, opts.kind); partial = ranked.length > 0; }
				var top = ranked.slice(0, limit);
				if (top.length) return cards(top).then(function () {
					var e = entries(top, gs, q);
					return { total: ranked.length, results: e.results, tokens: e.tokens, partial: partial };
				});
				// A miss: a near name, and the most linked pages.
				var pop = (m.top || []).map(function (i) { return { id: i, score: 0 }; });
				return Promise.all([suggest(q), cards(pop)]).then(function (x) {
					var popular = pop.filter(function (r) { return frags[r.id]; }).map(function (r) {
						var f = frags[r.id];
						return { url: href(f, "", ""), title: f.t, kind: f.k };
					});
					return { total: 0, results: [], tokens: [], partial: false, suggest: x[0], popular: popular };
				});
			});
		});
	}

	// ---- UI: the search box in the top bar, and the search page's own box.
	var ui = form ? {
		none: form.getAttribute("data-none"), count: form.getAttribute("data-count"),
		all: form.getAttribute("data-all"), loading: form.getAttribute("data-loading"),
		filters: form.getAttribute("data-filters"), partial: form.getAttribute("data-partial-count"),
		partialHead: form.getAttribute("data-partial"), didYouMean: form.getAttribute("data-did-you-mean"),
		popular: form.getAttribute("data-popular")
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
		var item = function (x, n) {
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
			a.append(head);
			if (x.snippet) {
				var p = d.createElement("span"); p.className = "sr-snip";
				x.snippet.forEach(function (piece) {
					if (piece[1]) { var mk = d.createElement("mark"); mk.textContent = piece[0]; p.append(mk); }
					else p.append(piece[0]);
				});
				a.append(p);
			}
			li.append(a);
			li.addEventListener("mousemove", function () { if (active !== n) select(n); });
			return li;
		};
		var heading = function (text, cls) {
			var li = d.createElement("li"); li.className = cls; li.setAttribute("role", "presentation"); li.textContent = text;
			list.append(li);
		};
		var show = function (r, q) {
			list.textContent = "";
			active = -1;
			input.removeAttribute("aria-activedescendant");
			status.textContent = r.results.length ? (r.partial ? ui.partial : ui.count).replace("{n}", r.total) : ui.none.replace("{q}", q);
			panel.classList.toggle("sr-empty", !r.results.length);
			if (r.partial) heading(ui.partialHead, "sr-group");
			r.results.forEach(function (x, n) { list.append(item(x, n)); });
			if (!r.results.length && r.suggest) {
				var li = d.createElement("li"), b = d.createElement("a");
				li.className = "sr-suggest";
				li.setAttribute("role", "presentation");
				li.append(ui.didYouMean + " ");
				b.href = root + "search/?q=" + encodeURIComponent(r.suggest);
				b.textContent = r.suggest;
				b.addEventListener("click", function (e) { e.preventDefault(); input.value = r.suggest; run(false); input.focus(); });
				li.append(b);
				list.append(li);
			}
			if (!r.results.length && r.popular && r.popular.length) {
				heading(ui.popular, "sr-group");
				r.popular.forEach(function (x, n) { list.append(item(x, n)); });
			}
			open(true);
		};
		// typing: the last word may be half-typed (prefixes add results); Enter and the URL run
		// the query as complete.
		var run = function (typing, open1) {
			var q = input.value.trim(), me = ++seq;
			if (onPage && history.replaceState) {
				var u = new URL(location.href);
				if (q) u.searchParams.set("q", q); else u.searchParams.delete("q");
				try { history.replaceState(null, "", u.href); } catch (e) { /* file:// may refuse */ }
			}
			if (!q) { list.textContent = ""; status.textContent = ""; open(false); return; }
			if (!M) status.textContent = ui.loading;
			query(input.value, { kind: kind, limit: onPage ? 30 : PAGE, typing: typing === true }).then(function (r) {
				if (me !== seq) return;
				show(r, q);
				if (open1 && r.results.length) go();
			});
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
		input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { run(true); }, 60); });
		input.addEventListener("keydown", function (e) {
			if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1); }
			else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
			// Enter: the chosen result, else the query runs as complete; in the top bar its first
			// result opens (the search page lists them).
			else if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); if (active >= 0 && options().length) go(); else run(false, !onPage); }
			else if (e.key === "Escape" && !onPage) { open(false); input.blur(); }
		});
		if (!onPage) {
			input.addEventListener("focus", function () { if (input.value.trim() && list.childElementCount) open(true); });
			d.addEventListener("pointerdown", function (e) { if (!panel.contains(e.target) && e.target !== input) open(false); });
			input.closest("form").addEventListener("focusout", function (e) {
				if (!e.relatedTarget || !input.closest("form").contains(e.relatedTarget)) setTimeout(function () { if (!input.closest("form").contains(d.activeElement)) open(false); }, 150);
			});
		}
		if (input.value.trim()) run(false);
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
