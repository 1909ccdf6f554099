/**
 * The HTML report's style and its one script, inline (the page's Content-Security-Policy allows no
 * other source). The layout fits the window: tables take the page's width with fixed column shares and
 * wrap long text inside their cells, times never wrap, and only the role matrix may scroll, inside
 * its own box.
 */
export const HTML_STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em 1.5em 3em;max-width:1800px;color:#111}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:0;display:inline}
p{margin:.4em 0}code,.addr{font-family:ui-monospace,monospace;font-size:.95em}
table{border-collapse:collapse;margin:.3em 0;width:100%;table-layout:fixed}
th,td{border:1px solid #ccc;padding:.25em .45em;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#f3f3f3;font-weight:600;font-size:.9em;overflow-wrap:normal}.num{text-align:right;font-variant-numeric:tabular-nums}
.t{white-space:nowrap;font-variant-numeric:tabular-nums}
.dim,.role,.src{color:#555;font-size:.88em}td.ev{font-size:.9em}.name{font-weight:600}
details.section{margin:1.2em 0;border-top:2px solid #ddd;padding-top:.5em}
details.section>summary{cursor:pointer;padding:.2em 0}
details.group{margin:.35em 0;border:1px solid #ccc;border-left-width:5px;border-radius:4px;padding:.2em .6em;background:#fff}
details.group>summary{cursor:pointer;padding:.15em 0}
details.group[open]>summary{border-bottom:1px solid #eee;margin-bottom:.3em}
.group.v-blocked-required{border-left-color:#b00000}.group.v-allowed-unexpected{border-left-color:#c88a00}
.group.v-unobserved-required{border-left-color:#7a2a8a}
.sep{color:#999}
.chip{display:inline-block;margin:.2em .4em .2em 0;padding:.15em .6em;border-radius:1em;border:1px solid #aaa;list-style:none}
.chip.fails{border:2px solid #b00000}
ul.chips{padding:0;margin:.4em 0}.sym{font-weight:bold}
.v-blocked-required .sym,.bad{color:#b00000}.v-allowed-unexpected .sym,.warn{color:#8a5a00}.v-allowed-required .sym,.ok{color:#0a6b0a}
.none{color:#666}.v-unobserved-required .sym{color:#7a2a8a}
.tag{font-size:.75em;border:1px solid #999;border-radius:.3em;padding:0 .3em;white-space:nowrap}.tag.inferred{border-style:dashed}
.tag.b-new{background:#fde8e8;border-color:#b00000}.tag.b-changed{background:#fff4dc;border-color:#c88a00}.tag.b-unchanged{color:#555}
.more{font-style:italic;color:#444}
.scroll{overflow-x:auto;max-width:100%}
table.matrix{table-layout:auto;width:auto;min-width:60%}.matrix td,.matrix th{font-size:.85em;min-width:7em}
.matrix td.empty{background:#fafafa}.cell-item{margin:.15em 0}.cell-item .svc{font-weight:600}.corner{font-size:.8em}
#filter{font-size:1em;padding:.3em;width:min(28em,100%)}.hidden{display:none}
`;

/**
 * The filter: a row shows when its text, or its group's heading, holds the query; groups and sections
 * with nothing to show hide, those with matches open; clearing the box restores what was open.
 */
export const HTML_SCRIPT = `
(function () {
  var box = document.getElementById("filter");
  var count = document.getElementById("filter-count");
  var all = Array.prototype.slice;
  var details = all.call(document.querySelectorAll("details.section, details.group"));
  var wasOpen = details.map(function (d) { return d.open; });
  function has(el, q) { return el !== null && el.textContent.toLowerCase().indexOf(q) >= 0; }
  function heading(el) { var g = el.closest("details.group"); return g ? g.querySelector("summary") : null; }
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    var rows = all.call(document.querySelectorAll("tr.fr"));
    var shown = 0;
    rows.forEach(function (r) {
      var show = q === "" || has(r, q) || has(heading(r), q);
      r.classList.toggle("hidden", !show);
      if (show) shown++;
    });
    details.forEach(function (d, i) {
      if (q === "") { d.open = wasOpen[i]; d.classList.remove("hidden"); return; }
      var hit = d.querySelector("tr.fr:not(.hidden)") !== null;
      if (d.classList.contains("group")) d.classList.toggle("hidden", !hit);
      d.open = hit;
    });
    count.textContent = q === "" ? "" : shown + (shown === 1 ? " row matches" : " rows match");
  });
})();
`;
