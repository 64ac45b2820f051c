// test/race.mjs - concurrency over HTTP, a bounded parallel client (TAP)
//
// Run by test/race.sh against a private stack (rate limit off), with the
// stack's env file exported: SCIM_BASE_URL, SCIM_TOKEN, SCIM_STACK_DIR and
// PG* for psql.  Node built-ins only: http with a keep-alive agent, at most
// RACE_CONCURRENCY requests in flight (default 32; the "simultaneous"
// scenarios fire their whole batch at once, at most 50).
//
// Scenarios (docs/reliability.md lists the guarantees they check):
//   create   50 simultaneous POST /Users of one userName (in varied case),
//            3 rounds: exactly one 201, 49 409 uniqueness, one row
//   members  200 single-member adds and 100 single-member removes on one
//            group at once: final membership exactly the expected set, one
//            version step per request
//   ifmatch  workers read-modify-write one user with If-Match, PATCH and
//            PUT mixed: every success has its own ETag and no write is lost
//   rename   two groups renamed to one name at once (20 rounds): one 2xx,
//            one 409; swapped names (10 rounds): each PATCH 204 or 409, and
//            each group holds the name its answer says
//   owners   the last two owners demoted at once (10 rounds): exactly one
//            demotion passes, and no deadlock
//   mix      RACE_SECONDS (default 10) of random user and group writes,
//            deletes included: never a 5xx; afterwards no membership row
//            names a missing user or group
// No request is sent again: one last result asserts that no request of the
// whole run was answered 503 (by the extension or by the stack).
// Deadlocks are counted from the server log (pg.log): the dispatcher
// retries a deadlock victim (and logs it), so a client never sees one, but
// the scenarios whose lock order is fixed must not produce any.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const BASE = process.env.SCIM_BASE_URL;
const TOKEN = process.env.SCIM_TOKEN;
const STACK = process.env.SCIM_STACK_DIR;
const CONCURRENCY = Number(process.env.RACE_CONCURRENCY ?? 32);
const MIX_SECONDS = Number(process.env.RACE_SECONDS ?? 10);
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

if (!BASE || !TOKEN) {
	console.log('Bail out! SCIM_BASE_URL and SCIM_TOKEN are not set (run test/race.sh)');
	process.exit(1);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(CONCURRENCY, 50) });
const RUN = `${process.pid}-${Date.now().toString(36)}`;

// ---- TAP ------------------------------------------------------------------

const PLAN = 23;
let n = 0;
let failures = 0;
console.log(`1..${PLAN}`);
function ok(cond, desc, diag) {
	n += 1;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!cond) {
		failures += 1;
		if (diag !== undefined)
			for (const line of String(typeof diag === 'string' ? diag : JSON.stringify(diag, null, 1)).split('\n').slice(0, 40))
				console.log(`# ${line}`);
	}
}
function note(s) {
	console.log(`# ${s}`);
}

// ---- HTTP -----------------------------------------------------------------

function request(method, path, body, headers = {}) {
	const url = new URL(BASE + path);
	const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
	const h = { authorization: `Bearer ${TOKEN}`, ...headers };
	if (payload) {
		h['content-type'] = 'application/scim+json';
		h['content-length'] = String(payload.length);
	}
	return new Promise((resolve) => {
		const started = Date.now();
		const req = http.request(url, { method, headers: h, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let json = null;
				try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
				resolve({ status: res.statusCode, headers: res.headers, body: json, text, ms: Date.now() - started });
			});
			res.on('error', (e) => resolve({ status: 0, headers: {}, body: null, text: String(e), ms: Date.now() - started }));
		});
		req.on('error', (e) => resolve({ status: 0, headers: {}, body: null, text: String(e), ms: Date.now() - started }));
		req.setTimeout(60000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
		if (payload)
			req.write(payload);
		req.end();
	});
}

// request(), every 503 kept: the service answers 503 when a request could
// not be served (the dispatcher gave up on a serialization failure or a lock
// wait, a statement timed out, PostgREST's pool queue timed out).  None is
// sent again: a 503 fails the assertion of its scenario, and the run ends
// with an assertion that there was none at all (listing them).
const answered503 = [];
async function call(method, path, body, headers = {}) {
	const r = await request(method, path, body, headers);
	if (r.status === 503)
		answered503.push(`${method} ${path.replace(/\/[0-9a-f-]{36}/g, '/{id}')}: ${r.text.slice(0, 120)}`);
	return r;
}

// run the thunks with at most limit in flight; results in order
async function bounded(thunks, limit = CONCURRENCY) {
	const results = new Array(thunks.length);
	let next = 0;
	async function worker() {
		while (next < thunks.length) {
			const i = next++;
			results[i] = await thunks[i]();
		}
	}
	await Promise.all(Array.from({ length: Math.min(limit, thunks.length) }, worker));
	return results;
}

function sql(query) {
	return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', query], {
		encoding: 'utf8', env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
	}).trim();
}
const lit = (s) => `'${String(s).replace(/'/g, "''")}'`;

function deadlocks() {
	try {
		return (readFileSync(`${STACK}/pg.log`, 'utf8').match(/deadlock detected/g) ?? []).length;
	} catch {
		return 0;
	}
}

const isScimError = (r, status, scimType) => r.status === status &&
	Array.isArray(r.body?.schemas) && r.body.schemas[0] === ERROR_URN &&
	r.body.status === String(status) && (scimType === undefined || r.body.scimType === scimType);
const summary = (rs) => {
	const c = {};
	for (const r of rs)
		c[r.status] = (c[r.status] ?? 0) + 1;
	return JSON.stringify(c);
};
const firstBad = (rs, good) => rs.filter((r) => !good(r)).slice(0, 3).map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('\n');
const shuffle = (a) => {
	for (let i = a.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		[a[i], a[j]] = [a[j], a[i]];
	}
	return a;
};
const patchOps = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });
const userBody = (userName, extra = {}) => ({ schemas: [USER_URN], userName, name: { givenName: 'Race', familyName: 'Test' }, ...extra });
const groupBody = (displayName, extra = {}) => ({ schemas: [GROUP_URN], displayName, ...extra });
const version = (etag) => Number(/"(\d+)"/.exec(etag ?? '')?.[1] ?? NaN);

async function createUsers(count, prefix) {
	const rs = await bounded(Array.from({ length: count }, (_, i) =>
		() => call('POST', '/Users', userBody(`${prefix}-${i}-${RUN}@example.com`))), 16);
	const bad = rs.filter((r) => r.status !== 201);
	if (bad.length)
		throw new Error(`setup: creating users: ${summary(rs)} ${bad[0].text.slice(0, 200)}`);
	return rs.map((r) => r.body.id);
}

// ---- scenarios --------------------------------------------------------------

async function createRace() {
	const d0 = deadlocks();
	const rounds = [];
	for (let round = 0; round < 3; round++) {
		const name = `race-dup-${round}-${RUN}@example.com`;
		const variants = [name, name.toUpperCase(), name.replace(/^r/, 'R')];
		const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
			call('POST', '/Users', userBody(variants[i % variants.length]))));
		rounds.push({ name, rs });
	}
	const all = rounds.flatMap((x) => x.rs);
	ok(rounds.every((x) => x.rs.filter((r) => r.status === 201).length === 1),
		'create: 50 simultaneous creates of one userName, 3 rounds: exactly one 201 each',
		rounds.map((x) => summary(x.rs)).join(' '));
	ok(all.every((r) => r.status === 201 || isScimError(r, 409, 'uniqueness')),
		'create: every other answer is 409 with scimType uniqueness', firstBad(all, (r) => r.status === 201 || isScimError(r, 409, 'uniqueness')));
	ok(rounds.every((x) => sql(`SELECT count(*) FROM scim.users WHERE tenant_id = 'default' AND lower(user_name) = lower(${lit(x.name)})`) === '1'),
		'create: exactly one row per userName in scim.users');
	ok(deadlocks() === d0, 'create: no deadlock', `${deadlocks() - d0} deadlocks`);
}

async function membersRace() {
	const d0 = deadlocks();
	const adds = await createUsers(200, 'race-add');
	const removes = await createUsers(100, 'race-rm');
	const g = await call('POST', '/Groups', groupBody(`race-members-${RUN}`, { members: removes.map((value) => ({ value })) }));
	if (g.status !== 201)
		throw new Error(`setup: group: ${g.status} ${g.text.slice(0, 200)}`);
	const gid = g.body.id;
	const v0 = version(g.headers.etag);
	const thunks = shuffle([
		...adds.map((id) => () => call('PATCH', `/Groups/${gid}`, patchOps({ op: 'add', path: 'members', value: [{ value: id }] }))),
		...removes.map((id) => () => call('PATCH', `/Groups/${gid}`, patchOps({ op: 'remove', path: `members[value eq "${id}"]` }))),
	]);
	const t0 = Date.now();
	const rs = await bounded(thunks, 16);
	note(`members: 300 PATCHes, 16 at a time, in ${Date.now() - t0} ms (${summary(rs)})`);
	ok(rs.every((r) => r.status === 200 || r.status === 204), 'members: 200 adds and 100 removes at once all succeed', firstBad(rs, (r) => r.status === 200 || r.status === 204));
	const final = await call('GET', `/Groups/${gid}`);
	const got = new Set((final.body?.members ?? []).map((m) => m.value));
	const want = new Set(adds);
	const missing = adds.filter((id) => !got.has(id));
	const extra = [...got].filter((id) => !want.has(id));
	ok(final.status === 200 && missing.length === 0 && extra.length === 0,
		'members: the final membership is exactly the 200 added users', { missing: missing.length, extra: extra.length });
	const rows = sql(`SELECT count(*) FILTER (WHERE member_id = ANY (ARRAY[${adds.map(lit).join(',')}]::uuid[])), count(*) FROM scim.members WHERE tenant_id = 'default' AND group_id = ${lit(gid)}`);
	ok(rows === '200|200', 'members: scim.members holds exactly those 200 rows', rows);
	ok(version(final.headers.etag) === v0 + 300, 'members: one version step per request (no lost update)',
		`version ${v0} -> ${version(final.headers.etag)}, expected ${v0 + 300}`);
	ok(deadlocks() === d0, 'members: no deadlock', `${deadlocks() - d0} deadlocks`);
}

async function ifMatchRace() {
	const d0 = deadlocks();
	const TARGET = 60;
	const c = await call('POST', '/Users', userBody(`race-ifmatch-${RUN}@example.com`, { title: '0' }));
	if (c.status !== 201)
		throw new Error(`setup: user: ${c.status} ${c.text.slice(0, 200)}`);
	const id = c.body.id;
	const userName = c.body.userName;
	const v0 = version(c.headers.etag);
	const successes = [];
	const unexpected = [];
	let conflicts = 0;
	async function worker(w) {
		while (successes.length < TARGET) {
			const cur = await call('GET', `/Users/${id}`);
			if (cur.status !== 200) {
				unexpected.push(cur);
				return;
			}
			const value = Number(cur.body.title) + 1;
			const etag = cur.headers.etag;
			const res = w % 2 === 0
				? await call('PATCH', `/Users/${id}`, patchOps({ op: 'replace', path: 'title', value: String(value) }), { 'if-match': etag })
				: await call('PUT', `/Users/${id}`, userBody(userName, { title: String(value) }), { 'if-match': etag });
			if (res.status === 200)
				successes.push({ value, etag: res.headers.etag, title: res.body?.title });
			else if (isScimError(res, 412))
				conflicts += 1;
			else {
				unexpected.push(res);
				return;
			}
		}
	}
	await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
	note(`ifmatch: ${successes.length} writes succeeded, ${conflicts} got 412`);
	ok(unexpected.length === 0, 'ifmatch: concurrent PATCH and PUT with If-Match answer 200 or 412 only', firstBad(unexpected, () => false));
	ok(new Set(successes.map((s) => s.etag)).size === successes.length, 'ifmatch: every success has a distinct ETag');
	const values = successes.map((s) => s.value).sort((a, b) => a - b);
	ok(values.every((v, i) => v === i + 1) && successes.every((s) => s.title === String(s.value)),
		'ifmatch: the successes wrote 1..N, each value once (no lost write)', values.slice(0, 20).join(','));
	const final = await call('GET', `/Users/${id}`);
	ok(final.body?.title === String(successes.length) && version(final.headers.etag) === v0 + successes.length,
		'ifmatch: the final state is the last write, one version per success',
		`title ${final.body?.title}, version ${version(final.headers.etag)}; ${successes.length} successes from version ${v0}`);
	ok(conflicts > 0 && deadlocks() === d0, 'ifmatch: the writers did collide (412s), with no deadlock', `${conflicts} conflicts, ${deadlocks() - d0} deadlocks`);
}

async function renameRace() {
	const d0 = deadlocks();
	const bad = [];
	let rounds = 0;
	for (let round = 0; round < 20; round++) {
		const [a, b] = await Promise.all([
			call('POST', '/Groups', groupBody(`race-ren-a-${round}-${RUN}`)),
			call('POST', '/Groups', groupBody(`race-ren-b-${round}-${RUN}`)),
		]);
		const target = `race-same-${round}-${RUN}`;
		const rs = await Promise.all([
			call('PATCH', `/Groups/${a.body.id}`, patchOps({ op: 'replace', path: 'displayName', value: target })),
			call('PUT', `/Groups/${b.body.id}`, groupBody(target.toUpperCase())),
		]);
		const statuses = rs.map((r) => r.status).sort().join(',');
		const count = sql(`SELECT count(*) FROM scim.groups WHERE tenant_id = 'default' AND lower(display_name) = lower(${lit(target)})`);
		/* the winner: the PATCH answers 204, the PUT 200 */
		if (!['204,409', '200,409'].includes(statuses) || !rs.some((r) => isScimError(r, 409, 'uniqueness')) || count !== '1')
			bad.push(`round ${round}: ${statuses}, ${count} groups: ${rs.map((r) => r.text.slice(0, 120)).join(' | ')}`);
		rounds++;
	}
	ok(bad.length === 0, `rename: two groups renamed to one name at once, ${rounds} rounds: one success (PATCH 204 or PUT 200), one 409 uniqueness, one group`, bad.join('\n'));
	ok(deadlocks() === d0, 'rename: no deadlock', `${deadlocks() - d0} deadlocks`);

	const d1 = deadlocks();
	const swapBad = [];
	for (let round = 0; round < 10; round++) {
		const na = `race-swap-a-${round}-${RUN}`;
		const nb = `race-swap-b-${round}-${RUN}`;
		const [a, b] = await Promise.all([call('POST', '/Groups', groupBody(na)), call('POST', '/Groups', groupBody(nb))]);
		const rs = await Promise.all([
			call('PATCH', `/Groups/${a.body.id}`, patchOps({ op: 'replace', path: 'displayName', value: nb })),
			call('PATCH', `/Groups/${b.body.id}`, patchOps({ op: 'replace', path: 'displayName', value: na })),
		]);
		/* each group has its new name if its PATCH succeeded (204), else its old one */
		const want = `${a.body.id}=${rs[0].status === 204 ? nb : na},${b.body.id}=${rs[1].status === 204 ? na : nb}`;
		const names = sql(`SELECT string_agg(id || '=' || display_name, ',' ORDER BY id = ${lit(b.body.id)}) FROM scim.groups WHERE tenant_id = 'default' AND id IN (${lit(a.body.id)}, ${lit(b.body.id)})`);
		if (!rs.every((r) => r.status === 204 || isScimError(r, 409, 'uniqueness')) || names !== want)
			swapBad.push(`round ${round}: ${rs.map((r) => r.status)} names ${names}, expected ${want}`);
	}
	ok(swapBad.length === 0, 'rename: two groups swapping names at once, 10 rounds: each PATCH 204 or 409 uniqueness, and each group holds the name its answer says', swapBad.join('\n'));
	note(`rename: swaps caused ${deadlocks() - d1} deadlocks (unique index waits; retried by the dispatcher)`);
}

async function ownersRace() {
	const d0 = deadlocks();
	const [o1, o2] = await Promise.all([
		call('POST', '/Users', userBody(`race-owner1-${RUN}@example.com`, { role: 'owner' })),
		call('POST', '/Users', userBody(`race-owner2-${RUN}@example.com`, { role: 'owner' })),
	]);
	if (o1.status !== 201 || o2.status !== 201)
		throw new Error(`setup: owners: ${o1.status} ${o2.status} ${o1.text.slice(0, 200)}`);
	// the tenant may have owners already: take them out of the race
	sql(`UPDATE scim.users SET role = 'member' WHERE tenant_id = 'default' AND role = 'owner' AND id NOT IN (${lit(o1.body.id)}, ${lit(o2.body.id)})`);
	const bad = [];
	let slow = 0;
	for (let round = 0; round < 10; round++) {
		const rs = await Promise.all([
			call('PATCH', `/Users/${o1.body.id}`, patchOps({ op: 'replace', path: 'role', value: 'member' })),
			call('PATCH', `/Users/${o2.body.id}`, patchOps({ op: 'replace', value: { active: false } })),
		]);
		const owners = sql(`SELECT count(*) FROM scim.users WHERE tenant_id = 'default' AND role = 'owner' AND active`);
		if (rs.map((r) => r.status).sort().join(',') !== '200,400' || !rs.some((r) => isScimError(r, 400, 'mutability')) || owners !== '1')
			bad.push(`round ${round}: ${rs.map((r) => r.status)}, ${owners} active owners: ${rs.map((r) => r.text.slice(0, 120)).join(' | ')}`);
		slow += rs.filter((r) => r.ms >= 900).length;
		// both owners again for the next round
		sql(`UPDATE scim.users SET role = 'owner', active = true WHERE tenant_id = 'default' AND id IN (${lit(o1.body.id)}, ${lit(o2.body.id)})`);
	}
	ok(bad.length === 0, 'owners: the last two owners demoted at once, 10 rounds: exactly one passes, one active owner left', bad.join('\n'));
	ok(deadlocks() === d0, 'owners: no deadlock', `${deadlocks() - d0} deadlocks`);
	note(`owners: ${slow} answers took 900 ms or more`);
}

async function mix() {
	const d0 = deadlocks();
	let users = await createUsers(30, 'race-mix');
	const groups = [];
	for (let i = 0; i < 6; i++) {
		const r = await call('POST', '/Groups', groupBody(`race-mix-${i}-${RUN}`, { members: shuffle([...users]).slice(0, 5).map((value) => ({ value })) }));
		groups.push(r.body.id);
	}
	const pick = (a) => a[Math.floor(Math.random() * a.length)];
	const some = (a, k) => shuffle([...a]).slice(0, k);
	let made = 0;
	const ops = [
		// user writes
		async () => call('PATCH', `/Users/${pick(users)}`, patchOps({ op: 'replace', path: 'title', value: `t${Math.random()}` })),
		async () => call('PATCH', `/Users/${pick(users)}`, patchOps({ op: 'replace', value: { active: Math.random() < 0.5 } })),
		async () => {
			const id = pick(users);
			const cur = await call('GET', `/Users/${id}`);
			if (cur.status !== 200)
				return cur;
			return call('PUT', `/Users/${id}`, userBody(cur.body.userName, { displayName: `d${Math.random()}` }), { 'if-match': cur.headers.etag });
		},
		async () => {
			const id = pick(users);
			const r = await call('DELETE', `/Users/${id}`);
			const c = await call('POST', '/Users', userBody(`race-mix-new-${made++}-${RUN}@example.com`));
			if (c.status === 201)
				users = [...users.filter((u) => u !== id), c.body.id];
			return r.status === 204 || r.status === 404 ? c : r;
		},
		// group writes
		async () => call('PATCH', `/Groups/${pick(groups)}`, patchOps(
			{ op: 'add', path: 'members', value: some(users, 3).map((value) => ({ value })) },
			{ op: 'remove', path: `members[value eq "${pick(users)}"]` })),
		async () => call('PATCH', `/Groups/${pick(groups)}`, patchOps(
			{ op: 'remove', path: 'members', value: some(users, 2).map((value) => ({ value })) })),
		async () => call('PUT', `/Groups/${pick(groups)}`, groupBody(`race-mix-put-${made++}-${RUN}`, { members: some(users, 4).map((value) => ({ value })) })),
		async () => {
			const [a, b] = some(groups, 2);
			return call('PATCH', `/Groups/${a}`, patchOps({ op: 'add', path: 'members', value: [{ value: b, type: 'Group' }] }));
		},
		async () => {
			const i = Math.floor(Math.random() * groups.length);
			const r = await call('DELETE', `/Groups/${groups[i]}`);
			const c = await call('POST', '/Groups', groupBody(`race-mix-g-${made++}-${RUN}`, { members: some(users, 3).map((value) => ({ value })) }));
			if (c.status === 201)
				groups[i] = c.body.id;
			return r.status === 204 || r.status === 404 ? c : r;
		},
		async () => {
			// rename to another group's name: 409 (or 200 if it changed meanwhile)
			const [a, b] = some(groups, 2);
			const cur = await call('GET', `/Groups/${b}?attributes=displayName`);
			if (cur.status !== 200)
				return cur;
			return call('PATCH', `/Groups/${a}`, patchOps({ op: 'replace', path: 'displayName', value: cur.body.displayName }));
		},
	];
	// 2xx; 404/400 for a resource deleted meanwhile; 409 for a name taken;
	// 412 for an If-Match that lost; never 5xx (nor anything else)
	const allowed = (r) => (r.status >= 200 && r.status < 300) || [400, 404, 409, 412].includes(r.status);
	const results = [];
	const until = Date.now() + MIX_SECONDS * 1000;
	async function worker() {
		while (Date.now() < until)
			results.push(await pick(ops)());
	}
	await Promise.all(Array.from({ length: Math.min(CONCURRENCY, 24) }, worker));
	note(`mix: ${results.length} requests in ${MIX_SECONDS}s: ${summary(results)}; ${deadlocks() - d0} deadlocks retried`);
	ok(results.every(allowed), 'mix: random concurrent user and group writes and deletes: never a 5xx', firstBad(results, allowed));
	ok(results.every((r) => r.status < 400 || (Array.isArray(r.body?.schemas) && r.body.schemas[0] === ERROR_URN)),
		'mix: every error is a SCIM Error', firstBad(results, (r) => r.status < 400 || r.body?.schemas?.[0] === ERROR_URN));
	const orphans = sql(`SELECT count(*) FROM scim.members m WHERE m.tenant_id = 'default' AND NOT EXISTS (
		SELECT 1 FROM scim.users u WHERE u.tenant_id = m.tenant_id AND u.id = m.member_id AND m.member_type = 'User'
		UNION ALL SELECT 1 FROM scim.groups g WHERE g.tenant_id = m.tenant_id AND g.id = m.member_id AND m.member_type = 'Group')`);
	ok(orphans === '0', 'mix: no membership row names a user or group that does not exist', `${orphans} orphan rows`);
}

// ---- main -----------------------------------------------------------------------

const scenarios = [createRace, membersRace, ifMatchRace, renameRace, ownersRace, mix];
for (const s of scenarios) {
	try {
		await s();
	} catch (e) {
		ok(false, `${s.name}: ${e.message}`);
	}
}
ok(answered503.length === 0, 'no request of the whole run was answered 503', `${answered503.length} answered 503:\n${answered503.slice(0, 20).join('\n')}`);
if (n < PLAN)
	note(`only ${n} of ${PLAN} results: a scenario stopped early`);
note(`deadlocks in the server log over the whole run: ${deadlocks()}`);
agent.destroy();
process.exit(failures || n !== PLAN ? 1 : 0);
