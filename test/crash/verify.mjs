// test/crash/verify.mjs - check the database after test/crash.sh's crashes
//
//   node test/crash/verify.mjs LOAD.jsonl
//
// Reads what load.mjs recorded and checks, with psql (PG* environment):
//   - every user whose POST got a 201 exists, with its userName;
//   - every group PATCH that got a 2xx is there (its member row);
//   - no PATCH is half applied: each worker's group holds exactly the
//     members of the PATCHes that committed, moved one version per PATCH,
//     carries the externalId and displayName of the last of them, and has
//     one members_added and one patched event per PATCH (the three
//     operations and the change feed commit together or not at all);
//   - no duplicate userName, no membership row naming nothing;
//   - every answer that was not a 2xx is a SCIM 503 with Retry-After;
//   - the service came back by itself after each crash (2xx answers to
//     requests sent after the restart; the final seconds all 2xx).
// Timestamps of the crashes come from the environment (ms): PG_KILLED_AT,
// PG_UP_AT, PGRST_KILLED_AT, PGRST_UP_AT.  Prints TAP lines numbered after
// TAP_START, then the plan for the whole run.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const records = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
let n = Number(process.env.TAP_START ?? 0);
let failed = 0;
function ok(cond, desc, diag) {
	n += 1;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!cond) {
		failed += 1;
		if (diag !== undefined)
			for (const line of String(typeof diag === 'string' ? diag : JSON.stringify(diag)).split('\n').slice(0, 30))
				console.log(`# ${line}`);
	}
}
function sql(query) {
	return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', query], {
		encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' }, maxBuffer: 64 << 20,
	}).trim();
}
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;
const ok2xx = (r) => r.status >= 200 && r.status < 300;

const count = (pred) => records.filter(pred).length;
const byStatus = {};
for (const r of records)
	byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
console.log(`# ${records.length} requests: ${JSON.stringify(byStatus)}`);

// -- acknowledged writes are durable ------------------------------------------

const created = records.filter((r) => r.kind === 'user' && r.status === 201);
const present = new Map();
if (created.length) {
	const rows = sql(`SELECT id || ' ' || user_name FROM scim.users WHERE tenant_id = 'default' AND id IN (${created.map((r) => lit(r.id)).join(',')})`);
	for (const line of rows.split('\n').filter(Boolean)) {
		const [id, name] = line.split(' ');
		present.set(id, name);
	}
}
const lostUsers = created.filter((r) => present.get(r.id) !== r.userName);
ok(created.length > 0 && lostUsers.length === 0,
	`every created user (201) is in the database (${created.length})`, lostUsers.slice(0, 5).map((r) => `${r.id} ${r.userName}`).join('\n'));

const members = new Map();	// group id -> Set of member ids
for (const line of sql(`SELECT group_id || ' ' || member_id FROM scim.members WHERE tenant_id = 'default'`).split('\n').filter(Boolean)) {
	const [g, m] = line.split(' ');
	if (!members.has(g))
		members.set(g, new Set());
	members.get(g).add(m);
}
const patched = records.filter((r) => r.kind === 'patch' && ok2xx(r));
const lostPatches = patched.filter((r) => !members.get(r.group)?.has(r.user));
ok(patched.length > 0 && lostPatches.length === 0,
	`every acknowledged group PATCH (2xx) is in the database (${patched.length})`, lostPatches.slice(0, 5).map((r) => `${r.group} ${r.user}`).join('\n'));

// -- nothing half applied -------------------------------------------------------

const groups = records.filter((r) => r.kind === 'group');
const kOfUser = new Map(records.filter((r) => r.kind === 'user' && r.id).map((r) => [r.id, r.k]));
const problems = [];
let committedTotal = 0;
for (const g of groups) {
	const row = sql(`SELECT version || '|' || coalesce(external_id, '') || '|' || display_name FROM scim.groups WHERE tenant_id = 'default' AND id = ${lit(g.id)}`);
	if (!row) {
		problems.push(`group ${g.id} is missing`);
		continue;
	}
	const [version, ext, name] = row.split('|');
	const m = [...(members.get(g.id) ?? [])];
	committedTotal += m.length;
	const ks = m.map((id) => kOfUser.get(id));
	if (ks.some((k) => k === undefined)) {
		problems.push(`group ${g.w}: a member that no PATCH of its worker added`);
		continue;
	}
	const kmax = ks.length ? Math.max(...ks) : null;
	if (Number(version) !== 1 + m.length)
		problems.push(`group ${g.w}: version ${version} for ${m.length} committed PATCHes (expected ${1 + m.length})`);
	if (kmax === null ? (ext !== '' || name !== g.name) : (ext !== `${g.w}-${kmax}` || name !== `${g.name}-${kmax}`))
		problems.push(`group ${g.w}: externalId "${ext}", displayName "${name}", but the last committed PATCH is ${kmax}`);
	const ev = sql(`SELECT count(*) FILTER (WHERE action = 'members_added') || '|' || count(*) FILTER (WHERE action = 'patched') FROM scim.events WHERE tenant_id = 'default' AND resource_type = 'Group' AND resource_id = ${lit(g.id)}`);
	if (ev !== `${m.length}|${m.length}`)
		problems.push(`group ${g.w}: events members_added|patched = ${ev}, expected ${m.length}|${m.length}`);
}
ok(groups.length > 0 && problems.length === 0,
	`no half-applied PATCH: each group's members, version, externalId, displayName and events agree (${committedTotal} PATCHes committed)`,
	problems.join('\n'));

const dup = sql(`SELECT count(*) FROM (SELECT 1 FROM scim.users WHERE tenant_id = 'default' GROUP BY lower(user_name) HAVING count(*) > 1) d`);
const orphans = sql(`SELECT count(*) FROM scim.members m WHERE NOT EXISTS (SELECT 1 FROM scim.users u WHERE u.tenant_id = m.tenant_id AND u.id = m.member_id) AND NOT EXISTS (SELECT 1 FROM scim.groups g WHERE g.tenant_id = m.tenant_id AND g.id = m.member_id)`);
ok(dup === '0' && orphans === '0', 'no duplicate userName and no membership row naming nothing', `${dup} duplicates, ${orphans} orphans`);

// -- what clients saw -------------------------------------------------------------

// Right after the postmaster dies, PostgREST can send a request on a pooled
// connection whose backend has already exited; PostgREST 12 answers that
// with its own 400 {"code":"",...} (a connection lost under a statement),
// which nginx cannot tell from the extension's SCIM 400s and passes on.
// A known gap (docs/reliability.md): such a request must not have changed
// anything, and every other failure must be a SCIM 503.
const pgKilledAt = Number(process.env.PG_KILLED_AT ?? 0);
const lostConnection = (r) => r.status === 400 && !r.scim && /"code":""/.test(r.text) &&
	pgKilledAt && r.t1 >= pgKilledAt && r.t0 <= pgKilledAt + 5000;
const errors = records.filter((r) => !ok2xx(r));
const gap = errors.filter(lostConnection);
const badErrors = errors.filter((r) => !(r.status === 503 && r.scim && r.retryAfter) && !lostConnection(r));
for (const r of badErrors.slice(0, 10))
	console.log(`# ${r.kind} ${r.status} sent ${r.t0 - pgKilledAt} ms after the postmaster's SIGKILL, answered ${r.t1 - pgKilledAt} ms after: ${r.text}`);
ok(badErrors.length === 0, `every failed request got a SCIM 503 with Retry-After (${errors.length - gap.length} during the outages), but for PostgREST's lost-connection 400s`);
const gapApplied = gap.filter((r) => (r.kind === 'user' && sql(`SELECT count(*) FROM scim.users WHERE tenant_id = 'default' AND user_name = ${lit(r.userName)}`) !== '0') ||
	(r.kind === 'patch' && members.get(r.group)?.has(r.user)));
ok(gapApplied.length === 0, `PostgREST's own 400 right after the postmaster died (${gap.length} requests, known gap): none of them changed anything`,
	gapApplied.map((r) => `${r.kind} ${r.userName ?? r.user}`).join('\n'));

const pgUp = Number(process.env.PG_UP_AT ?? 0);
const pgrstKilled = Number(process.env.PGRST_KILLED_AT ?? 0);
const pgrstUp = Number(process.env.PGRST_UP_AT ?? 0);
const pgKilled = Number(process.env.PG_KILLED_AT ?? 0);
if (pgKilled) {
	const during = records.filter((r) => r.t0 > pgKilled && r.t1 < pgUp);
	console.log(`# PostgreSQL down ${pgUp - pgKilled} ms: ${during.length} requests in that window, ${during.filter(ok2xx).length} of them 2xx`);
	const back = records.filter((r) => r.t0 > pgUp && ok2xx(r) && (!pgrstKilled || r.t1 < pgrstKilled));
	const firstBack = back.length ? Math.min(...back.map((r) => r.t1)) - pgUp : null;
	ok(back.length > 0, `after PostgreSQL restarted, PostgREST reconnected by itself (first 2xx ${firstBack} ms after the restart)`);
}
if (pgrstKilled) {
	const back = records.filter((r) => r.t0 > pgrstUp && ok2xx(r));
	const firstBack = back.length ? Math.min(...back.map((r) => r.t1)) - pgrstUp : null;
	ok(back.length > 0, `after PostgREST restarted, requests succeed again (first 2xx ${firstBack} ms after the restart)`);
}
const end = Math.max(...records.map((r) => r.t1));
const tail = records.filter((r) => r.t0 > end - 2000);
ok(tail.length > 0 && tail.every(ok2xx), `the last 2 s of load: all ${tail.length} requests 2xx`, JSON.stringify(tail.filter((r) => !ok2xx(r)).slice(0, 3)));

console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
