"""The site's stylesheet and search script (small, no library, works from file://)."""

CSS = """
:root { --accent: #1f4e79; --muted: #667085; --line: #d0d5dd; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", system-ui, sans-serif; color: #1d2939; line-height: 1.6; }
header.top { background: var(--accent); color: #fff; padding: .6em 1.2em; display: flex;
  justify-content: space-between; align-items: center; }
header.top a { color: #fff; }
.layout { display: flex; min-height: calc(100vh - 3em); }
nav.sidebar { width: 19em; flex: none; border-right: 1px solid var(--line); padding: 1em;
  background: #f9fafb; position: sticky; top: 0; align-self: flex-start; max-height: 100vh;
  overflow-y: auto; }
nav.sidebar input { width: 100%; padding: .4em .6em; font-size: 1em;
  border: 1px solid var(--line);
  border-radius: 4px; }
nav.sidebar ol { padding-left: 1.4em; }
nav.sidebar li.current > a { font-weight: bold; color: #000; }
#search-results { font-size: .9em; }
#search-results .hit { margin: .5em 0; }
#search-results .snippet { color: var(--muted); }
#search-results mark { background: #fde68a; }
main { flex: 1; padding: 1em 2.5em 3em; max-width: 62em; }
nav.toc { font-size: .9em; border: 1px solid var(--line); border-radius: 4px; padding: .2em 1em;
  margin-bottom: 1em; background: #fcfcfd; }
nav.toc ul { padding-left: 1.2em; margin: .3em 0; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid var(--line); padding: .25em .6em; vertical-align: top; }
th { background: #f2f4f7; }
blockquote { border-left: 4px solid var(--line); margin: .8em 0; padding: .1em 1em;
  color: #344054; }
code { background: #f2f4f7; padding: 0 .2em; border-radius: 3px; }
math[display="block"] { margin: .6em 0; overflow-x: auto; }
nav.pager { display: flex; justify-content: space-between; border-top: 1px solid var(--line);
  margin-top: 2em; padding-top: .8em; }
a { color: var(--accent); }
:target { background: #fef9c3; }
"""

SEARCH_JS = r"""
(function () {
  var index = window.CCUA_SEARCH || [];
  var box = document.getElementById('search');
  var out = document.getElementById('search-results');
  var words = window.CCUA_WORDS || {};
  if (!box || !out) return;
  function esc(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c];
    });
  }
  function snippet(text, term) {
    var i = text.toLowerCase().indexOf(term);
    if (i < 0) return esc(text.slice(0, 80));
    var start = Math.max(0, i - 30), end = Math.min(text.length, i + term.length + 50);
    return (start > 0 ? '…' : '') + esc(text.slice(start, i)) + '<mark>' +
      esc(text.slice(i, i + term.length)) + '</mark>' + esc(text.slice(i + term.length, end)) +
      (end < text.length ? '…' : '');
  }
  // Substring search: Chinese has no spaces between words, so every term is matched as a
  // substring of the title or the text (case-insensitive); all terms must match.
  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { out.innerHTML = ''; return []; }
    var hits = [];
    index.forEach(function (e) {
      var title = e.t.toLowerCase(), hay = title + ' ' + e.x.toLowerCase();
      if (terms.every(function (t) { return hay.indexOf(t) >= 0; })) {
        var score = terms.filter(function (t) { return title.indexOf(t) >= 0; }).length;
        hits.push({e: e, score: score});
      }
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    var html = '<p class="count">' + esc((words.count || '{n}').replace('{n}', hits.length)) +
      '</p>';
    if (!hits.length) html = '<p class="count">' + esc(words.none || '') + '</p>';
    hits.slice(0, 40).forEach(function (h) {
      html += '<div class="hit"><a href="' + h.e.p + (h.e.a ? '#' + h.e.a : '') + '">' +
        esc(h.e.t) + '</a><div class="snippet">' + snippet(h.e.x, terms[0]) + '</div></div>';
    });
    out.innerHTML = html;
    return hits;
  }
  window.ccuaSearch = search;
  box.addEventListener('input', function () { search(box.value); });
  var q = new URLSearchParams(window.location.search).get('q');
  if (q) { box.value = q; search(q); }
})();
"""
