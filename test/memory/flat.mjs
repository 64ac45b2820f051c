// test/memory/flat.mjs - a backend's memory stays flat over many requests
//
// Run by test/memory.sh against a private stack whose PostgREST has one
// connection (SCIM_PGRST_POOL=1), so that every request is served by the
// same backend.  For each kind of request in turn (creates, reads, filters,
// PATCHes of users and groups, errors) it sends MEMORY_WARMUP requests of
// that kind (default 100: caches and kept plans fill up), reads the
// backend's private resident memory (RssAnon in /proc/PID/status), sends
// MEMORY_REQUESTS more of that kind (default 500), and reads it again.
// Every request must get the status of its kind (a create 201, a filter
// with a syntax error 400 invalidFilter, ...), and no kind may grow the
// backend's memory by MEMORY_MAX_GROWTH_KB (default 256) or more.  Prints
// TAP: one result for the backend, then two per kind.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const BASE = process.env.SCIM_BASE_URL;
const TOKEN = process.env.SCIM_TOKEN;
const WARMUP = Number(process.env.MEMORY_WARMUP ?? 100);
const REQUESTS = Number(process.env.MEMORY_REQUESTS ?? 500);
const MAX_GROWTH_KB = Number(process.env.MEMORY_MAX_GROWTH_KB ?? 256);
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function request(method, path, body) {
	const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
	const headers = { authorization: `Bearer ${TOKEN}` };
	if (payload) {
		headers['content-type'] = 'application/scim+json';
		headers['content-length'] = String(payload.length);
	}
	return new Promise((resolve) => {
		const req = http.request(new URL(BASE + path), { method, headers, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
				resolve({ status: res.statusCode, body: json });
			});
		});
		req.on('error', (e) => resolve({ status: 0, body: String(e) }));
		if (payload)
			req.write(payload);
		req.end();
	});
}
function sql(q) {
	return execFileSync('psql', ['-X', '-q', '-A', '-t', '-c', q], { encoding: 'utf8' }).trim();
}
function rssAnonKb(pid) {
	const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return m ? Number(m[1]) : NaN;
}
function backends() {
	return sql(`SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE usename = 'scim_web'`).split(',').filter(Boolean);
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
let seq = 0;
const users = [];
let group = null;
const pickUser = () => users[seq % users.length];
const isError = (r, status, scimType) => r.status === status && r.body?.schemas?.[0] === ERROR &&
	r.body.status === String(status) && (scimType === undefined || r.body.scimType === scimType);
const isList = (r) => r.status === 200 && Array.isArray(r.body?.Resources);

// the kinds of request: a name, the request, and what a right answer is
const kinds = [
	['POST /Users', () => request('POST', '/Users', { schemas: [USER], userName: `mem-${RUN}-${seq}@example.com`, name: { givenName: 'M', familyName: `N${seq}` }, emails: [{ value: `m${seq}@example.com`, primary: true }] }),
		(r) => r.status === 201 && typeof r.body?.id === 'string'],
	['GET /Users/{id}', () => request('GET', `/Users/${pickUser()}`), (r) => r.status === 200 && r.body?.id !== undefined],
	['GET /Users?filter (sw, co)', () => request('GET', `/Users?filter=${encodeURIComponent(`userName sw "mem-${RUN}" and emails.value co "${seq % 7}"`)}&count=5`), isList],
	['PATCH /Users/{id}', () => request('PATCH', `/Users/${pickUser()}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `t${seq}` }, { op: 'replace', path: 'name.givenName', value: `g${seq}` }] }),
		(r) => (r.status === 200 && r.body?.title !== undefined) || r.status === 204],
	['PATCH /Groups/{id} add member', () => request('PATCH', `/Groups/${group}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: pickUser() }] }] }),
		(r) => r.status === 200 || r.status === 204],
	['PATCH /Groups/{id} remove member', () => request('PATCH', `/Groups/${group}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${pickUser()}"]` }] }),
		(r) => r.status === 200 || r.status === 204],
	['GET /Groups/{id}', () => request('GET', `/Groups/${group}`), (r) => r.status === 200 && r.body?.id === group],
	['GET /Users?filter (no match)', () => request('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`), (r) => isList(r) && r.body.totalResults === 0],
	['GET /Users?filter (syntax error)', () => request('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), (r) => isError(r, 400, 'invalidFilter')],
	['GET /Users/{unknown id}', () => request('GET', `/Users/00000000-0000-0000-0000-${String(seq).padStart(12, '0')}`), (r) => isError(r, 404)],
];

// count requests of one kind, 4 in flight; returns { statuses, bad } (bad:
// the answers that were not right)
async function run(kind, count) {
	const [, send, good] = kind;
	const statuses = {};
	const bad = [];
	let next = 0;
	async function worker() {
		while (next < count) {
			next += 1;
			seq += 1;
			const r = await send();
			statuses[r.status] = (statuses[r.status] ?? 0) + 1;
			if (!good(r))
				bad.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
		}
	}
	await Promise.all(Array.from({ length: 4 }, worker));
	return { statuses, bad };
}

console.log(`1..${1 + 2 * kinds.length}`);
let failed = 0;
let n = 0;
function ok(cond, desc, diag = []) {
	n += 1;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!cond) {
		failed += 1;
		for (const d of diag)
			console.log(`# ${d}`);
	}
}
const g = await request('POST', '/Groups', { schemas: [GROUP], displayName: `mem-${RUN}` });
group = g.body?.id;
for (let i = 0; i < 20; i++)
	users.push((await request('POST', '/Users', { schemas: [USER], userName: `mem-${RUN}-seed${i}@example.com` })).body?.id);
const pids0 = backends();
const pid = pids0[0];
const rows = [];
for (const kind of kinds) {
	const warm = await run(kind, WARMUP);
	const before = rssAnonKb(pid);
	const measured = await run(kind, REQUESTS);
	const after = rssAnonKb(pid);
	rows.push({ kind, warm, measured, before, after });
}
const pids1 = backends();
ok(pids0.length === 1 && pids1.length === 1 && pids1[0] === pid,
	`one backend (PostgREST pool of 1) served every request (${pids0} -> ${pids1})`);
for (const { kind, warm, measured, before, after } of rows) {
	const wrong = [...warm.bad, ...measured.bad];
	ok(wrong.length === 0, `${kind[0]}: each of the ${WARMUP + REQUESTS} requests got the right answer (${JSON.stringify(measured.statuses)})`,
		[`${wrong.length} wrong, the first:`, ...wrong.slice(0, 3)]);
	const growth = after - before;
	ok(Number.isFinite(before) && Number.isFinite(after) && growth < MAX_GROWTH_KB,
		`${kind[0]}: the backend's private memory grew by less than ${MAX_GROWTH_KB} kB over ${REQUESTS} requests (${growth >= 0 ? '+' : ''}${growth} kB: ${before} -> ${after})`);
}
agent.destroy();
process.exit(failed ? 1 : 0);
