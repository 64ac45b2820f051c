// test/memory/flat.mjs - a backend's memory stays flat over many requests
//
// Run by test/memory.sh against a private stack whose PostgREST has one
// connection (SCIM_PGRST_POOL=1), so that every request is served by the
// same backend.  Sends MEMORY_WARMUP requests (default 500: caches and
// kept plans fill up), reads the backend's private resident memory
// (RssAnon in /proc/PID/status), sends MEMORY_REQUESTS more (default 5000)
// of every kind (creates, reads, filters, PATCHes of users and groups,
// errors), and reads it again.  Passes when it grew by less than
// MEMORY_MAX_GROWTH_KB (default 5120).  Prints TAP.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const BASE = process.env.SCIM_BASE_URL;
const TOKEN = process.env.SCIM_TOKEN;
const WARMUP = Number(process.env.MEMORY_WARMUP ?? 500);
const REQUESTS = Number(process.env.MEMORY_REQUESTS ?? 5000);
const MAX_GROWTH_KB = Number(process.env.MEMORY_MAX_GROWTH_KB ?? 5120);
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
let seq = 0;
const users = [];
let group = null;

// one request of a rotating mix of kinds; returns its status
async function one() {
	seq += 1;
	const u = users.length ? users[seq % users.length] : null;
	switch (seq % 10) {
		case 0: {
			const r = await request('POST', '/Users', { schemas: [USER], userName: `mem-${RUN}-${seq}@example.com`, name: { givenName: 'M', familyName: `N${seq}` }, emails: [{ value: `m${seq}@example.com`, primary: true }] });
			if (r.status === 201 && users.length < 200)
				users.push(r.body.id);
			return r.status;
		}
		case 1: return (await request('GET', `/Users/${u}`)).status;
		case 2: return (await request('GET', `/Users?filter=${encodeURIComponent(`userName sw "mem-${RUN}" and emails.value co "${seq % 7}"`)}&count=5`)).status;
		case 3: return (await request('PATCH', `/Users/${u}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: `t${seq}` }, { op: 'replace', path: 'name.givenName', value: `g${seq}` }] })).status;
		case 4: return (await request('PATCH', `/Groups/${group}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: u }] }] })).status;
		case 5: return (await request('PATCH', `/Groups/${group}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${u}"]` }] })).status;
		case 6: return (await request('GET', `/Groups/${group}`)).status;
		case 7: return (await request('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody"')}`)).status;
		case 8: return (await request('GET', `/Users?filter=${encodeURIComponent('userName eq')}`)).status;	// 400
		default: return (await request('GET', `/Users/00000000-0000-0000-0000-${String(seq).padStart(12, '0')}`)).status;	// 404
	}
}
async function run(count) {
	const statuses = {};
	let next = 0;
	async function worker() {
		while (next < count) {
			next += 1;
			const s = await one();
			statuses[s] = (statuses[s] ?? 0) + 1;
		}
	}
	await Promise.all(Array.from({ length: 4 }, worker));
	return statuses;
}

console.log('1..3');
const g = await request('POST', '/Groups', { schemas: [GROUP], displayName: `mem-${RUN}` });
group = g.body?.id;
for (let i = 0; i < 20; i++)
	users.push((await request('POST', '/Users', { schemas: [USER], userName: `mem-${RUN}-seed${i}@example.com` })).body?.id);
const warm = await run(WARMUP);
const pids0 = backends();
const pid = pids0[0];
const before = rssAnonKb(pid);
const t0 = Date.now();
const statuses = await run(REQUESTS);
const after = rssAnonKb(pid);
const pids1 = backends();
console.log(`# warm-up ${WARMUP}: ${JSON.stringify(warm)}; measured ${REQUESTS} in ${Date.now() - t0} ms: ${JSON.stringify(statuses)}`);
console.log(`# backend ${pid}: RssAnon ${before} kB -> ${after} kB (${after - before >= 0 ? '+' : ''}${after - before} kB)`);
const only = pids0.length === 1 && pids1.length === 1 && pids1[0] === pid;
console.log(`${only ? 'ok' : 'not ok'} 1 - one backend (PostgREST pool of 1) served every request (${pids0} -> ${pids1})`);
const expected = Object.keys(statuses).every((s) => ['200', '201', '204', '400', '404'].includes(s));
console.log(`${expected ? 'ok' : 'not ok'} 2 - the ${REQUESTS} requests got the statuses they should (${JSON.stringify(statuses)})`);
const flat = Number.isFinite(before) && Number.isFinite(after) && after - before < MAX_GROWTH_KB;
console.log(`${flat ? 'ok' : 'not ok'} 3 - the backend's private memory grew by less than ${MAX_GROWTH_KB} kB over ${REQUESTS} requests (${after - before} kB)`);
agent.destroy();
process.exit(only && expected && flat ? 0 : 1);
