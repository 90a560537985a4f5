// picklock operator dashboard: reads the JSON endpoints and draws them. It never writes anything.
"use strict";

const EASTERN = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
});
const RESULT_KINDS = ["wins", "losses", "pushes", "voids"];
const SVG_NS = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);
let playerOf = new Map(); // pick_id -> player name, from the date's picks (every pick ever published)
let sport = null; // the sport shown, as /api/today named it; every API call passes it
let loads = 0; // counts loads: an answer to one overtaken by a later one (another date or sport) is dropped

// Elements are built with textContent only: names, notes and reasons come from operators.
function build(node, props, children) {
  for (const [name, value] of Object.entries(props)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}
const el = (tag, props = {}, ...children) => build(document.createElement(tag), props, children);
const svg = (tag, props = {}, ...children) => build(document.createElementNS(SVG_NS, tag), props, children);

const at = (instant) => (instant ? `${EASTERN.format(new Date(instant))} ET` : "—");
const badge = (kind, value) => el("span", { class: `badge ${kind}-${value}` }, value);
const orDash = (value) => (value === null || value === undefined ? "—" : String(value));
const sportName = (id) => id.toUpperCase();
const missing = (value) => value === null || value === undefined;
// Numbers as the site shows them: a sign on what can be negative, "—" for what is not known.
const signed = (value, digits = 2) => (missing(value) ? "—" : `${value > 0 ? "+" : ""}${value.toFixed(digits)}`);
const percent = (share) => (missing(share) ? "—" : `${(share * 100).toFixed(1)}%`);
const signedPercent = (share) => (missing(share) ? "—" : `${share > 0 ? "+" : ""}${(share * 100).toFixed(1)}%`);
const odds = (price) => (missing(price) ? "—" : `${price > 0 ? "+" : ""}${price}`);
const wlp = (tally) => `${tally.wins}–${tally.losses}–${tally.pushes}`;
// A sha256 by its first 12 hex digits (the whole of it in the tooltip); "—" for none.
const SHORT_HASH = 12;
const shortHash = (sha) => (missing(sha) ? el("span", { class: "muted" }, "—") : el("code", { title: sha }, sha.slice(0, SHORT_HASH)));

async function getJSON(path, params = {}) {
  const response = await fetch(`${path}?${new URLSearchParams(params)}`);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showError(error) {
  $("error").textContent = error.message;
  $("error").hidden = false;
}

async function loadDate(date) {
  const load = ++loads;
  $("date").value = date;
  history.replaceState(null, "", `?${new URLSearchParams({ sport, date })}`);
  $("error").hidden = true;
  $("lineage").hidden = true;
  try {
    const [picks, timeline, season, chain] = await Promise.all([
      getJSON("/api/picks", { date, sport }), getJSON("/api/timeline", { date, sport }),
      getJSON("/api/season", { date, sport }), getJSON("/api/chain", { date, sport }),
    ]);
    if (load !== loads) return;
    renderPicks(picks);
    renderTimeline(timeline);
    renderSeason(season);
    renderChain(chain);
  } catch (error) {
    if (load !== loads) return;
    showError(error);
  }
  document.body.dataset.sport = sport;
  document.body.dataset.loaded = date;
}

// ------------------------------------------------------------------------------------ sport

// The sport's "today": the selector, the sport in the header, the clock and the halt banner.
function renderToday(today) {
  sport = today.sport;
  $("sport").replaceChildren(...today.sports.map((id) => el("option", { value: id }, sportName(id))));
  $("sport").value = sport;
  $("sport-name").textContent = sportName(sport);
  document.title = `picklock · ${sportName(sport)} · operator dashboard`;
  $("clock").textContent = `now ${at(today.now)}`;
  $("halt").textContent = today.halt_active
    ? `${sportName(sport)} publishing halted since ${at(today.halt_since)}${today.halt_reason ? `: ${today.halt_reason}` : ""}`
    : "";
  $("halt").hidden = !today.halt_active;
}

async function changeSport(id) {
  const load = ++loads;
  try {
    const today = await getJSON("/api/today", { sport: id });
    if (load !== loads) {
      $("sport").value = sport; // overtaken: the selector shows what the page shows
      return;
    }
    renderToday(today);
    loadVerification();
    await loadDate($("date").value || today.date);
  } catch (error) {
    if (load === loads) showError(error);
  }
}

// ------------------------------------------------------------------------------------ picks

function renderPicks(data) {
  playerOf = new Map(data.picks.map((pick) => [pick.pick_id, pick.player]));
  $("picks-meta").textContent = data.export_id
    ? `export ${data.export_id}, ${at(data.generated_at)}`
    : "nothing published for this date";
  $("picks").tBodies[0].replaceChildren(...data.picks.map(pickRow));
}

function pickRow(pick) {
  const open = () => showLineage(pick.pick_id);
  return el("tr", {
    class: `pick pick-${pick.status}`, tabindex: "0", dataset: { pickId: pick.pick_id },
    onclick: open, onkeydown: (event) => event.key === "Enter" && open(),
  },
    el("td", {}, orDash(pick.rank)),
    el("td", {}, el("strong", { class: "player" }, pick.player), el("div", { class: "muted" }, `${pick.team} vs ${pick.opponent}`)),
    el("td", {}, pick.stat),
    el("td", {}, `${pick.direction} ${pick.line}`),
    el("td", { class: "num odds" }, odds(pick.odds)),
    el("td", { class: "num" }, orDash(pick.edge)),
    el("td", { class: "num" }, orDash(pick.signal_rank)),
    el("td", {}, badge("source", pick.source)),
    el("td", {}, badge("status", pick.status), pick.void_reason && el("div", { class: "reason" }, pick.void_reason)),
    el("td", {}, badge("tipoff", pick.tipoff), el("div", { class: "muted" }, at(pick.game_time))),
    el("td", {}, resultCell(pick)),
    el("td", { class: "num units" }, signed(pick.units)),
    el("td", { class: "num clv", title: missing(pick.closing_line) ? "no closing line yet" : `closed at ${pick.closing_line}` },
      signed(pick.clv)),
  );
}

function resultCell(pick) {
  if (pick.result) return el("span", {}, badge("result", pick.result), pick.actual !== null ? ` ${pick.actual}` : "");
  return el("span", { class: "muted" }, pick.status === "voided" ? "not graded" : "pending");
}

// ------------------------------------------------------------------------------------ timeline

function renderTimeline(data) {
  $("timeline").replaceChildren(...data.exports.map(exportItem));
  if (!data.exports.length) $("timeline").append(el("li", { class: "muted" }, "no export yet"));
}

function exportItem(record) {
  const changes = Object.entries(record.changes).filter(([, ids]) => ids.length);
  const counts = Object.entries(record.counts).map(([name, count]) => `${count} ${name}`).join(" · ");
  return el("li", { class: `export export-${record.outcome}`, dataset: { exportId: record.export_id } },
    el("div", { class: "export-head" },
      el("time", { datetime: record.exported_at }, at(record.exported_at)),
      badge("trigger", record.trigger), badge("outcome", record.outcome),
      record.all_json_written && el("span", { class: "muted" }, "+ all.json")),
    el("div", { class: "counts muted" }, counts),
    changes.length
      ? el("ul", { class: "changes" }, ...changes.map(([kind, ids]) => el("li", { class: "change" },
        badge("change", kind), ...ids.map((id) => pickChip(id, record.changed_fields[id])))))
      : null,
    record.events.length
      ? el("ul", { class: "events" }, ...record.events.map((event) => el("li", {},
        `${event.kind}: ${event.player_lookup} ${event.stat}: ${event.detail}`)))
      : null,
  );
}

function pickChip(pickId, fields) {
  const title = fields
    ? Object.entries(fields).map(([name, [before, after]]) => `${name}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`).join("\n")
    : pickId;
  return el("button", { type: "button", class: "chip", title, onclick: () => showLineage(pickId) }, playerOf.get(pickId) || pickId);
}

// ------------------------------------------------------------------------------------ lineage

async function showLineage(pickId) {
  try {
    renderLineage(await getJSON("/api/lineage", { pick_id: pickId, sport }));
  } catch (error) {
    showError(error);
  }
}

function renderLineage(pick) {
  const origin = pick.source === "manual"
    ? `${pick.submitted_by} (request ${pick.manual_request_id})`
    : `${pick.system_id} ${pick.algorithm_version}`;
  const facts = [
    ["Pick", `${pick.player} (${pick.team} vs ${pick.opponent}) ${pick.stat} ${pick.direction} ${pick.line}`],
    ["Source", badge("source", pick.source)],
    ["First published", `${at(pick.first_published_at)} by ${origin}`],
    ["In export", pick.first_export_id],
    ["Now", el("span", {}, badge("status", pick.status), pick.void_reason ? ` ${pick.void_reason}` : "",
      pick.result ? " · " : "", pick.result && badge("result", pick.result))],
  ];
  const panel = $("lineage");
  panel.replaceChildren(
    el("h2", {}, "Lineage ", el("button", { type: "button", class: "close", title: "close", onclick: () => { panel.hidden = true; } }, "×")),
    el("dl", {}, ...facts.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)])),
    el("table", { class: "history" },
      el("thead", {}, el("tr", {}, ...["When", "Change", "Status", "Edge", "Result", "Detail"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...pick.history.map((row) => el("tr", { title: `export ${row.export_id}` },
        el("td", {}, at(row.recorded_at)), el("td", {}, row.change), el("td", {}, badge("status", row.status)),
        el("td", { class: "num" }, orDash(row.edge)), el("td", {}, orDash(row.result)), el("td", {}, row.detail || ""))))),
  );
  panel.dataset.pickId = pick.pick_id;
  panel.hidden = false;
}

// ------------------------------------------------------------------------------------ chain

// all.json's season head in the header; the date's versions from its public index.
function renderChain(data) {
  const head = data.head;
  $("chain-head").replaceChildren(head
    ? el("span", { title: `all.json of ${data.head_date}: the version of its file it shows` },
      "chain ", el("code", { class: "head-sha", title: head.head }, head.head.slice(0, SHORT_HASH)), ` · length ${head.length}`)
    : el("span", { class: "muted" }, "no chain head yet"));
  $("chain-meta").textContent = data.versions.length ? `public index ${data.index}` : "nothing published for this date";
  const last = data.versions.length - 1;
  $("versions").tBodies[0].replaceChildren(...data.versions.map((version, index) => el("tr", {
    class: "version", dataset: { seq: String(version.seq), sha256: version.sha256 },
  },
    el("td", { class: "num seq" }, String(version.seq)),
    el("td", { class: "export-id" }, version.export_id),
    el("td", { class: "published" }, el("time", { datetime: version.published_at }, at(version.published_at))),
    el("td", { class: "sha" }, shortHash(version.sha256),
      index === last && el("span", { class: "badge version-live", title: "the date's file as users see it" }, "live"),
      head && version.sha256 === head.head && el("span", { class: "badge version-head", title: "all.json's chain head" }, "head")),
    el("td", { class: "prev" }, shortHash(version.prev)),
  )));
  if (!data.versions.length) {
    $("versions").tBodies[0].append(el("tr", {}, el("td", { class: "muted", colspan: "5" }, "no version listed")));
  }
}

// `picklock verify` over the bucket, for the sport: "verified", or the violations (the first few).
const VIOLATIONS_SHOWN = 5;
const violationText = (v) => `${v.file}: ${v.problem}${[["export", v.export_id], ["pick", v.pick], ["field", v.field]]
  .filter(([, value]) => value).map(([name, value]) => ` · ${name} ${value}`).join("")}`;

async function loadVerification() {
  const asked = sport;
  const box = $("verify");
  box.dataset.state = "pending";
  box.replaceChildren(el("span", { class: "muted" }, `verifying ${sportName(asked)}…`));
  let state, children;
  try {
    const report = await getJSON("/api/verify", { sport: asked });
    const count = report.violations.length;
    state = report.ok === null ? "none" : report.ok ? "verified" : "violations";
    children = [
      el("span", { class: `badge verify-${state}` },
        state === "verified" ? "verified" : state === "none" ? "not verified" : `${count} violation${count === 1 ? "" : "s"}`),
      el("span", { class: "verify-summary" }, ` ${report.summary}`),
      count ? el("ul", { class: "violations" }, ...report.violations.slice(0, VIOLATIONS_SHOWN).map((v) => el("li", {}, violationText(v)))) : null,
      count > VIOLATIONS_SHOWN ? el("p", { class: "muted" }, `and ${count - VIOLATIONS_SHOWN} more: run picklock verify`) : null,
    ];
  } catch (error) {
    state = "error";
    children = [el("span", { class: "badge verify-error" }, "verify failed"), ` ${error.message}`];
  }
  if (asked !== sport) return; // another sport is shown now
  box.replaceChildren(...children.filter((child) => child !== null));
  box.dataset.state = state;
  box.dataset.sport = asked;
}

// ------------------------------------------------------------------------------------ season

const DAY = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", weekday: "short", month: "short", day: "numeric" });
const WINDOWS = [["season", "Season"], ["month", "Month"], ["week", "Week"], ["last_10", "Last 10"]];
const SPLITS = [["stat", "By stat"], ["source", "By source"], ["tier", "By tier"], ["system_id", "By system"]];
const DAY_STATUSES = ["sweep", "split", "miss", "void", "pending"];
// Operators' influence: the model's and the manual picks apart, the withdrawn ones as if they stood.
const INFLUENCE = [["model", "Model"], ["manual", "Manual"], ["withdrawn", "Withdrawn, had they stood"]];
// A window's columns: header, the cell's text, its class, its tooltip.
const WINDOW_COLUMNS = [
  ["W–L–P", wlp, "wlp", (w) => `${w.voids} void`],
  ["Pct", (w) => percent(w.pct), "num pct", () => "wins / (wins + losses)"],
  ["Units", (w) => signed(w.units), "num units", (w) => `over ${w.priced} priced picks`],
  ["ROI", (w) => signedPercent(w.roi), "num roi", () => "units / priced wins and losses"],
  ["CLV", (w) => signed(w.clv_avg), "num clv", (w) => `mean closing line value over ${w.clv_count} picks`],
  ["Beat", (w) => percent(w.clv_beat_pct), "num beat", () => "picks that beat the closing line"],
];

// A date (YYYY-MM-DD) shown as "Sat, Feb 28", its ISO form in the datetime attribute.
const dateTag = (iso) => el("time", { datetime: iso }, DAY.format(new Date(`${iso}T12:00:00Z`)));

function renderSeason(data) {
  const record = data.record;
  const decided = record.pct === null ? "no decided pick yet" : `${percent(record.pct)} of decided picks won`;
  $("season").replaceChildren(
    el("p", { class: "record" },
      el("strong", {}, wlp(record)), ` (W–L–P), ${record.voids} void · ${decided}`,
      el("span", { class: "muted" }, ` · season ${data.season} · ${data.total_picks} picks, ${data.graded} graded, ${data.voided} voided`)),
    el("div", { class: "season-grid" },
      el("div", {},
        windowsTable(record),
        streaks(data.streak, data.best_streak),
        record.by_day.length ? seasonChart(record.by_day) : el("p", { class: "muted" }, "no graded day yet"),
        el("p", { class: "legend" }, ...RESULT_KINDS.map((kind) => el("span", {}, el("i", { class: `swatch bar-${kind}` }), kind)))),
      el("div", {},
        el("h3", {}, "Recent weeks"),
        data.weeks.length ? el("ol", { class: "weeks" }, ...data.weeks.map(weekItem)) : el("p", { class: "muted" }, "no week with picks yet"),
        el("p", { class: "legend" }, ...DAY_STATUSES.map((status) => el("span", { class: `badge day-${status}` }, status))))),
    el("h3", {}, "Operator influence"),
    influence(data.influence),
    el("h3", {}, "Splits"),
    el("div", { class: "splits" }, ...SPLITS.map(([split, title]) => splitTable(split, title, data.splits[split]))),
  );
}

function windowCells(tally) {
  return WINDOW_COLUMNS.map(([, text, kind, title]) => el("td", { class: kind, title: title(tally) }, text(tally)));
}

// Named windows, one a row: `rows` are [key in `windows`, label].
function windowsTable(windows, rows = WINDOWS, kind = "windows", title = "Window") {
  return el("table", { class: kind },
    el("thead", {}, el("tr", {}, el("th", {}, title), ...WINDOW_COLUMNS.map(([head, , cls]) => el("th", { class: cls }, head)))),
    el("tbody", {}, ...rows.map(([name, label]) => el("tr", { dataset: { window: name } },
      el("th", { scope: "row" }, label), ...windowCells(windows[name])))));
}

function influence(report) {
  const n = report.withdrawn_picks;
  return el("div", { class: "influence-report" },
    el("p", { class: "influence-summary" }, el("strong", {}, report.summary),
      el("span", { class: "muted" }, ` · ${n} pick${n === 1 ? "" : "s"} withdrawn after publication`)),
    windowsTable(report, INFLUENCE, "influence", "Picks"));
}

function streaks(streak, best) {
  return el("dl", { class: "streaks" },
    el("dt", {}, "Current streak"),
    el("dd", { class: "streak" }, streak.kind
      ? el("span", { class: `badge streak-${streak.kind}` }, `${streak.kind}${streak.length}`)
      : "—"),
    el("dt", {}, "Best streak"),
    el("dd", { class: "best-streak" }, best.length
      ? el("span", {}, `${best.length} win${best.length === 1 ? "" : "s"} in a row: `, dateTag(best.start),
        ...(best.end === best.start ? [] : [" – ", dateTag(best.end)]))
      : "—"),
  );
}

function weekItem(week) {
  return el("li", { class: "week", dataset: { weekStart: week.week_start } },
    el("div", { class: "week-head" },
      el("span", {}, "Week of ", dateTag(week.week_start)),
      el("span", { class: "wlp" }, wlp(week.record)),
      el("span", { class: "units", title: `over ${week.record.priced} priced picks` }, `${signed(week.record.units)} u`)),
    el("ul", { class: "days" }, ...week.days.map((entry) => el("li", {
      class: "day", dataset: { date: entry.date, status: entry.status },
      title: entry.picks.map((pick) => `${pick.player} ${pick.stat} ${pick.direction} ${pick.line} (${odds(pick.odds)}): ${pick.result || "pending"}${missing(pick.units) ? "" : ` ${signed(pick.units)} u`}`).join("\n"),
    },
      dateTag(entry.date),
      el("span", { class: `badge day-${entry.status}` }, entry.status),
      el("span", { class: "wl" }, `${entry.record.wins}–${entry.record.losses}`)))),
  );
}

function splitTable(split, title, values) {
  const rows = Object.entries(values);
  return el("table", { class: "split", dataset: { split } },
    el("thead", {}, el("tr", {}, el("th", {}, title), ...WINDOW_COLUMNS.map(([head, , kind]) => el("th", { class: kind }, head)))),
    el("tbody", {}, ...(rows.length
      ? rows.map(([value, tally]) => el("tr", { dataset: { value } }, el("th", { scope: "row" }, value), ...windowCells(tally)))
      : [el("tr", {}, el("td", { class: "muted", colspan: String(WINDOW_COLUMNS.length + 1) }, "none yet"))])));
}

function seasonChart(days) {
  const [plot, labels, bar, gap] = [110, 16, 22, 8];
  const totals = days.map((day) => RESULT_KINDS.reduce((sum, kind) => sum + day[kind], 0));
  const unit = plot / Math.max(...totals);
  const width = Math.max(240, gap + days.length * (bar + gap));
  const every = Math.ceil(days.length / 8); // at most 8 date labels
  const chart = svg("svg", {
    class: "chart", viewBox: `0 0 ${width} ${plot + labels}`, width, height: plot + labels, role: "img",
    "aria-label": "results by day",
  });
  days.forEach((day, index) => {
    const x = gap + index * (bar + gap);
    let top = plot;
    for (const kind of RESULT_KINDS) {
      if (!day[kind]) continue;
      top -= day[kind] * unit;
      chart.append(svg("rect", { class: `bar-${kind}`, x, y: top, width: bar, height: day[kind] * unit },
        svg("title", {}, `${day.date}: ${day[kind]} ${kind}`)));
    }
    if (index % every === 0) {
      chart.append(svg("text", { x: x + bar / 2, y: plot + labels - 3, "text-anchor": "middle" }, day.date.slice(5)));
    }
  });
  return chart;
}

// ------------------------------------------------------------------------------------ start

async function start() {
  $("date").addEventListener("change", () => $("date").value && loadDate($("date").value));
  $("sport").addEventListener("change", () => changeSport($("sport").value));
  const url = new URLSearchParams(location.search);
  try {
    // Without ?sport= the server's default sport, which /api/today names.
    const today = await getJSON("/api/today", url.has("sport") ? { sport: url.get("sport") } : {});
    renderToday(today);
    loadVerification();
    await loadDate(url.get("date") || today.date);
  } catch (error) {
    showError(error);
  }
}

start();
