// bench/report.mjs - turns bench/run.sh's raw lines into the table, the JSON
// and the chart.
//
//   node bench/report.mjs --raw RAW.jsonl --out PREFIX [--mode full|smoke] [--strict]
//
// Writes PREFIX.json, PREFIX.dat, PREFIX.gp and PREFIX.png (gnuplot), prints
// the table on stdout.  Exit status: 1 when a row is ERR (a scenario did not
// run or answered errors), or with --strict when a target is missed; else 0.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : dflt;
};
const RAW = opt('--raw');
const OUT = opt('--out');
const MODE = opt('--mode', 'full');
const STRICT = args.includes('--strict');
if (!RAW || !OUT) {
	console.error('usage: node bench/report.mjs --raw RAW.jsonl --out PREFIX [--mode full|smoke] [--strict]');
	process.exit(2);
}

const lines = readFileSync(RAW, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const meta = (lines.find((l) => l.meta) || {}).meta || {};
const metaEnd = (lines.find((l) => l.meta_end) || {}).meta_end || {};
const recs = lines.filter((l) => l.id);

// --- statistics ---------------------------------------------------------------------
const median = (xs) => {
	if (!xs.length) return null;
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const summary = (xs) => {
	xs = xs.filter((x) => x != null && Number.isFinite(x));
	if (!xs.length) return null;
	const med = median(xs);
	const min = Math.min(...xs);
	const max = Math.max(...xs);
	return { median: med, min, max, spread_pct: med ? (100 * (max - min)) / med : 0, n: xs.length, runs: xs };
};

const rps = (r) => (r.wrk ? r.wrk.rps : r.pgbench ? r.pgbench.tps : null);
const latMs = (r) => (r.wrk ? r.wrk.latency_us.mean / 1000 : r.pgbench ? r.pgbench.latency_ms : null);
const errorsOf = (r) => {
	if (r.wrk) {
		const e = r.wrk.errors;
		return e.connect + e.read + e.write + e.status + e.timeout;
	}
	if (r.pgbench) return r.pgbench.failed || 0;
	return 0;
};
const pick = (id, kind) => recs.filter((r) => r.id === id && (kind == null || r.kind === kind)).sort((a, b) => a.run - b.run);

// per-run ratios num[i] / den[i] (runs interleaved: the same i ran side by side)
const pairRatios = (num, den, f) => {
	const out = [];
	for (const a of num) {
		const b = den.find((x) => x.run === a.run);
		if (b && f(b)) out.push(f(a) / f(b));
	}
	return out;
};

const fmtNum = (x, d = 0) => (x == null ? '-' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const fmtRate = (s, unit) => (s ? `${fmtNum(s.median)} ${unit}${s.n > 1 ? ` ±${fmtNum(s.spread_pct / 2, 1)}%` : ''}` : '-');
const fmtMs = (s) => (s ? `${fmtNum(s.median, s.median < 10 ? 2 : 1)} ms${s.n > 1 ? ` ±${fmtNum(s.spread_pct / 2, 1)}%` : ''}` : '-');
// two decimals, three when two would round onto the target
const fmtRatio = (s, target) => {
	if (!s) return '-';
	const d = target != null && Math.abs(s.median - target) < 0.005 ? 3 : 2;
	return `${s.median.toFixed(d)}${s.n > 1 ? ` (${s.min.toFixed(2)}-${s.max.toFixed(2)})` : ''}`;
};
const sizeLabel = (n) => (n >= 1e6 ? `${+(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : `${n}`);

// --- the rows ----------------------------------------------------------------------------
const rows = [];
const cmp = (op, x, t) => (op === '>=' ? x >= t : op === '<=' ? x <= t : x < t);

function verdict(row, value) {
	if (row.errors > 0) return 'ERR';
	if (value == null) return row.na ? 'N/A' : 'ERR';
	return cmp(row.op, value, row.target) ? 'PASS' : 'MISS';
}

// throughput against a floor (wrk or pgbench), higher is better
function floorRow(key, label, id, floorName, target, unit) {
	const sc = pick(id, 'scenario');
	const fl = pick(id, 'floor');
	const row = { key, label, op: '>=', target, metric: unit === 'tps' ? 'transactions/s (pgbench)' : 'requests/s (wrk)' };
	row.size = sc.length ? sc[0].size : null;
	row.scenario = summary(sc.map(rps));
	row.floor = summary(fl.map(rps));
	row.floor_name = floorName;
	row.ratio = summary(pairRatios(sc, fl, rps));
	row.errors = [...sc, ...fl].reduce((a, r) => a + errorsOf(r), 0);
	if (!sc.length || !fl.length) row.errors = Math.max(row.errors, 1);
	row.latency_ms = summary(sc.map(latMs));
	row.shown = {
		measured: fmtRate(row.scenario, unit),
		floor: `${floorName} ${fmtRate(row.floor, unit)}`,
		ratio: fmtRatio(row.ratio, target),
	};
	row.result = target == null ? (row.errors > 0 ? 'ERR' : 'INFO') : verdict(row, row.ratio && row.ratio.median);
	if (target == null) row.op = null;
	rows.push(row);
}

floorRow('post_users', 'HTTP POST /Users (unique users, 16 conn)', 'http_post_user', 'F1', 0.7, 'req/s');
floorRow('post_users_nonotify', 'HTTP POST /Users, tenant setting notify=false (info)', 'http_post_user_nonotify', 'F1', null, 'req/s');
floorRow('get_user', 'HTTP GET /Users/{id}', 'http_get_user', 'F1', 0.85, 'req/s');
{
	const s = pick('http_filter_user', 'scenario');
	floorRow('filter_user', `HTTP GET /Users?filter=userName eq (${s.length ? sizeLabel(s[0].size) : '?'} users)`,
		'http_filter_user', 'F1', 0.85, 'req/s');
}
floorRow('patch_active', 'HTTP PATCH /Users/{id} active=false', 'http_patch_user', 'F1', 0.7, 'req/s');
floorRow('patch_active_nonotify', 'HTTP PATCH active=false, notify=false (info)', 'http_patch_user_nonotify', 'F1', null, 'req/s');

// group PATCH: latency on the big group against the small groups (1 connection)
{
	const big = pick('http_patch_group', 'big');
	const small = pick('http_patch_group', 'small');
	const members = recs.find((r) => r.id === 'groups_info');
	const row = { key: 'group_patch', op: '<=', target: 1.5, metric: 'mean latency, 1 connection' };
	row.label = 'HTTP PATCH add 1 member: big group / 10-member groups';
	row.scenario = summary(big.map(latMs));
	row.floor = summary(small.map(latMs));
	row.floor_name = '10-member';
	row.ratio = summary(pairRatios(big, small, latMs));
	row.errors = [...big, ...small].reduce((a, r) => a + errorsOf(r), 0);
	if (!big.length || !small.length) row.errors = Math.max(row.errors, 1);
	row.shown = { measured: fmtMs(row.scenario), floor: `10-member ${fmtMs(row.floor)}`, ratio: fmtRatio(row.ratio, row.target) };
	row.result = verdict(row, row.ratio && row.ratio.median);
	if (members) row.groups = members;
	rows.push(row);
}

floorRow('get_group', 'HTTP GET /Groups/{id}?excludedAttributes=members (big group)', 'http_get_group', 'F1', 0.85, 'req/s');
floorRow('sql_user_create', 'SQL scim.user_create (pgbench, 16 clients)', 'sql_user_create', 'F2', 0.5, 'tps');
floorRow('sql_user_create_nonotify', 'SQL scim.user_create, notify=false (info)', 'sql_user_create_nonotify', 'F2', null, 'tps');
floorRow('sql_user_get', 'SQL scim.user_get (pgbench, 16 clients)', 'sql_user_get', 'F3', 0.5, 'tps');

// the filter's latency at the biggest size against the smallest
const curve = recs.filter((r) => r.kind === 'curve');
{
	const f = curve.filter((r) => r.id === 'lat_filter');
	const sizes = [...new Set(f.map((r) => r.size))].sort((a, b) => a - b);
	const lo = f.filter((r) => r.size === sizes[0]);
	const hi = f.filter((r) => r.size === sizes[sizes.length - 1]);
	const row = { key: 'filter_scale', op: '<=', target: 2, metric: 'mean latency, 1 connection' };
	row.label = `filter userName eq latency: ${sizeLabel(sizes[sizes.length - 1] || 0)} / ${sizeLabel(sizes[0] || 0)} users`;
	row.scenario = summary(hi.map(latMs));
	row.floor = summary(lo.map(latMs));
	row.floor_name = sizeLabel(sizes[0] || 0);
	row.ratio = summary(pairRatios(hi, lo, latMs));
	row.errors = [...lo, ...hi].reduce((a, r) => a + errorsOf(r), 0);
	if (sizes.length < 2) row.errors = Math.max(row.errors, 1);
	row.shown = { measured: fmtMs(row.scenario), floor: `${row.floor_name} ${fmtMs(row.floor)}`, ratio: fmtRatio(row.ratio, row.target) };
	row.result = verdict(row, row.ratio && row.ratio.median);
	rows.push(row);
}

// provisioning: information only
{
	const p = pick('provision', 'scenario')[0];
	const count = recs.find((r) => r.id === 'provision_count');
	const row = { key: 'provision', metric: 'time and users/s', target: null, op: null };
	row.label = `provisioning ${fmtNum(count ? count.wanted : 0)} users over HTTP, 16 clients`;
	row.errors = p ? errorsOf(p) : 1;
	if (p) {
		row.seconds = p.elapsed_s != null ? p.elapsed_s : p.wrk.duration_us / 1e6;
		row.users_per_s = p.wrk.requests / row.seconds;
		row.created = count ? count.created : null;
		row.shown = { measured: `${fmtNum(row.seconds, 1)} s`, floor: '', ratio: `${fmtNum(row.users_per_s)} users/s` };
	} else row.shown = { measured: '-', floor: '', ratio: '-' };
	row.result = row.errors > 0 ? 'ERR' : 'INFO';
	rows.push(row);
}

// Bulk against single POSTs
{
	const singles = pick('bulk', 'singles')[0];
	const b = recs.find((r) => r.id === 'bulk' && r.kind === 'bulk');
	const row = { key: 'bulk', op: '<=', target: 0.5, metric: 'time' };
	const n = b ? b.wanted || (singles ? singles.wrk.requests : 0) : 0;
	row.label = `one Bulk of ${fmtNum(n)} creations / ${fmtNum(n)} single POSTs (time)`;
	row.errors = singles ? errorsOf(singles) : 1;
	row.singles_s = singles ? (singles.elapsed_s != null ? singles.elapsed_s : singles.wrk.duration_us / 1e6) : null;
	let bulkS = null;
	if (b && b.source === 'bench/bulk.sh') {
		bulkS = b.result ? b.result.bulk_seconds : null;
		if (bulkS == null) row.errors += 1;
	} else if (b && b.http_status === 200 && b.created === b.wanted) {
		bulkS = b.seconds;
	} else if (b && b.http_status === 501) {
		row.na = true;
		row.reason = '/Bulk answers 501 Not Implemented';
	} else {
		row.errors += 1;
		row.reason = b ? `/Bulk answered ${b.http_status}, ${b.created}/${b.wanted} created` : 'not run';
	}
	row.bulk_s = bulkS;
	row.source = b ? b.source : null;
	const ratio = bulkS != null && row.singles_s ? bulkS / row.singles_s : null;
	row.ratio = ratio == null ? null : summary([ratio]);
	row.shown = {
		measured: bulkS != null ? `${fmtNum(bulkS, 2)} s` : row.reason || '-',
		floor: `singles ${fmtNum(row.singles_s, 2)} s`,
		ratio: ratio == null ? '-' : ratio.toFixed(2),
	};
	row.result = verdict(row, ratio);
	rows.push(row);
}

// backend memory
{
	const m = recs.find((r) => r.id === 'mem' && r.kind === 'rss');
	const runs = pick('mem', null).filter((r) => r.wrk);
	const row = { key: 'memory', op: '<', target: 10, metric: 'RssAnon growth, MB' };
	row.label = m ? `backend memory: after ${fmtNum(m.after_b)} vs ${fmtNum(m.after_a)} requests` : 'backend memory';
	row.errors = runs.reduce((a, r) => a + errorsOf(r), 0) + (m && m.same_backend ? 0 : 1);
	let growth = null;
	if (m) {
		growth = (m.rssanon_b_kb - m.rssanon_a_kb) / 1024;
		row.rss = m;
		row.vmrss_growth_mb = (m.vmrss_b_kb - m.vmrss_a_kb) / 1024;
		row.shown = {
			measured: `RssAnon ${fmtNum(m.rssanon_a_kb / 1024, 1)} -> ${fmtNum(m.rssanon_b_kb / 1024, 1)} MB`,
			floor: `VmRSS ${fmtNum(m.vmrss_a_kb / 1024, 1)} -> ${fmtNum(m.vmrss_b_kb / 1024, 1)} MB`,
			ratio: `${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB`,
		};
	} else row.shown = { measured: '-', floor: '', ratio: '-' };
	row.growth_mb = growth;
	row.result = verdict(row, growth);
	rows.push(row);
}

// --- the table ------------------------------------------------------------------------------
const targetText = (r) => (r.op == null ? '(report)' : `${r.op === '>=' ? '>=' : r.op === '<=' ? '<=' : '<'} ${r.target}${r.key === 'memory' ? ' MB' : ''}`);
const smoke = MODE === 'smoke';
const header = ['#', 'scenario', 'measured (median ±half-spread)', 'baseline', 'ratio (min-max)', 'target', 'result'];
const body = rows.map((r, i) => [
	String(i + 1), r.label, r.shown.measured, r.shown.floor, r.shown.ratio, targetText(r),
	smoke && (r.result === 'PASS' || r.result === 'MISS') ? `(${r.result})` : r.result,
]);
const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
const line = (cells) => cells.map((s, c) => s.padEnd(widths[c])).join(' | ').trimEnd();
const table = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');

const curvesOut = {};
for (const r of curve) {
	const k = `${r.id}@${r.size}`;
	(curvesOut[k] = curvesOut[k] || { id: r.id, size: r.size, latency_ms: [] }).latency_ms.push(latMs(r));
}
const curves = Object.values(curvesOut).map((c) => ({ ...c, median_ms: median(c.latency_ms) }))
	.sort((a, b) => a.id.localeCompare(b.id) || a.size - b.size);

const misses = rows.filter((r) => r.result === 'MISS').length;
const errs = rows.filter((r) => r.result === 'ERR').length;
const result = { meta: { ...meta, ...metaEnd }, rows, curves, raw: recs, table };
writeFileSync(`${OUT}.json`, JSON.stringify(result, null, 1) + '\n');

console.log('');
console.log(`scim benchmark (${MODE}${smoke ? ': tiny sizes, targets not enforced' : ''}) ${meta.stamp || ''}, ` +
	`${meta.runs} run(s) x ${meta.duration_s}s per scenario, ${meta.nproc} cores, PostgreSQL ${meta.postgres || '?'}, ` +
	`git ${meta.git || '?'}`);
console.log('');
console.log(table);
console.log('');
console.log(`F1 = nginx -> PostgREST -> no-op scim_api.handle(bytea) (test/http/noop.sql), same requests, same settings;`);
console.log(`F2 = pgbench INSERT into a plain copy of scim.users (same columns, unique indexes only); F3 = pgbench SELECT by lower(userName).`);
console.log(`Ratios are medians of per-run ratios (floor and scenario runs interleaved). How to read it: bench/README.md.`);
if (metaEnd.so_changed) console.log('WARNING: scim.so was reinstalled during the run; these numbers are suspect.');

// --- the chart ---------------------------------------------------------------------------------
const series = [
	['lat_get', 'HTTP GET /Users/{id}'],
	['lat_filter', 'HTTP GET /Users?filter=userName eq'],
	['lat_sql_get', 'SQL scim.user_get (pgbench)'],
];
let dat = '';
for (const [id, name] of series) {
	dat += `# ${name}\n`;
	for (const c of curves.filter((x) => x.id === id)) dat += `${c.size} ${c.median_ms}\n`;
	dat += '\n\n';
}
const floorLat = curves.find((c) => c.id === 'lat_floor');
const sizes = curves.map((c) => c.size);
if (floorLat && sizes.length) {
	dat += `# F1 (no-op), one connection\n${Math.min(...sizes)} ${floorLat.median_ms}\n${Math.max(...sizes)} ${floorLat.median_ms}\n\n\n`;
}
writeFileSync(`${OUT}.dat`, dat);
const names = [...series.map((s) => s[1]), 'F1: nginx -> PostgREST -> no-op'];
const plots = names.slice(0, floorLat ? 4 : 3).map((n, i) =>
	`'${OUT}.dat' index ${i} using 1:2 with linespoints title '${n.replace(/'/g, "''")}'`);
const gp = `set terminal pngcairo size 1000,600 noenhanced
set output '${OUT}.png'
set title 'scim: latency against data size (mean, one connection; ${meta.stamp || ''}${smoke ? ', smoke' : ''})'
set logscale x 10
${sizes.length ? `set xrange [${Math.min(...sizes) / 1.5}:${Math.max(...sizes) * 1.5}]` : ''}
set xlabel 'users in the tenant'
set ylabel 'latency (ms)'
set yrange [0:*]
set grid
set key below
set format x '%.0s%c'
plot ${plots.join(', \\\n     ')}
`;
writeFileSync(`${OUT}.gp`, gp);
try {
	execFileSync('gnuplot', [`${OUT}.gp`], { stdio: ['ignore', 'inherit', 'inherit'] });
	console.log(`results: ${OUT}.json, chart: ${OUT}.png`);
} catch (e) {
	console.log(`results: ${OUT}.json (gnuplot failed: ${e.message})`);
	process.exitCode = 1;
}

if (errs) {
	console.log(`${errs} row(s) ERR: a scenario did not run or answered errors (logs next to the raw results)`);
	process.exitCode = 1;
}
if (misses) console.log(`${misses} target(s) missed${smoke ? ' (smoke: not enforced)' : ': see bench/README.md, "Findings"'}`);
if (STRICT && misses && !smoke) process.exitCode = 1;
