// test/crash/load.mjs - the write load of test/crash.sh
//
//   node test/crash/load.mjs OUT.jsonl
//
// CRASH_WORKERS workers (default 8) each own one group and loop for
// CRASH_SECONDS (default 22): create a user (POST /Users), then PATCH the
// worker's group with three operations at once: add that user as a
// member, replace externalId with "<worker>-<k>", replace displayName with
// "<group>-<k>".  Every request is written to OUT.jsonl (one JSON object a
// line: kind, worker, k, status, start and end times in ms, ids, whether
// an error body was a SCIM Error and its Retry-After) for verify.mjs, which
// checks them against the database after the crashes.
//
// Environment: SCIM_BASE_URL, SCIM_TOKEN (the stack's env file).

import { writeFileSync } from 'node:fs';
import http from 'node:http';

const BASE = process.env.SCIM_BASE_URL;
const TOKEN = process.env.SCIM_TOKEN;
const WORKERS = Number(process.env.CRASH_WORKERS ?? 8);
const SECONDS = Number(process.env.CRASH_SECONDS ?? 22);
const RUN = process.env.CRASH_RUN ?? String(process.pid);
const out = process.argv[2];
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
const records = [];

function request(method, path, body) {
	const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
	const headers = { authorization: `Bearer ${TOKEN}` };
	if (payload) {
		headers['content-type'] = 'application/scim+json';
		headers['content-length'] = String(payload.length);
	}
	return new Promise((resolve) => {
		const t0 = Date.now();
		const done = (status, hdrs, text) => {
			let json = null;
			try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
			resolve({ status, headers: hdrs, body: json, text, t0, t1: Date.now() });
		};
		const req = http.request(new URL(BASE + path), { method, headers, agent }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => done(res.statusCode, res.headers, Buffer.concat(chunks).toString('utf8')));
			res.on('error', (e) => done(0, {}, String(e)));
		});
		req.on('error', (e) => done(0, {}, String(e)));
		req.setTimeout(30000, () => req.destroy(new Error('timeout')));
		if (payload)
			req.write(payload);
		req.end();
	});
}

function record(kind, w, k, r, extra = {}) {
	const rec = { kind, w, k, status: r.status, t0: r.t0, t1: r.t1, ...extra };
	if (r.status < 200 || r.status >= 300) {
		rec.scim = Array.isArray(r.body?.schemas) && r.body.schemas[0] === ERROR_URN && r.body.status === String(r.status);
		rec.retryAfter = r.headers?.['retry-after'] ?? null;
		rec.text = r.text.slice(0, 200);
	}
	records.push(rec);
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

async function worker(w, until) {
	const groupName = `crash-${RUN}-${w}`;
	let g;
	do {
		g = await request('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: groupName });
		if (g.status !== 201)
			await sleep(200);
	} while (g.status !== 201 && Date.now() < until);
	if (g.status !== 201)
		return;
	record('group', w, 0, g, { id: g.body.id, name: groupName });
	for (let k = 1; Date.now() < until; k++) {
		const userName = `crash-${RUN}-${w}-${k}@example.com`;
		const u = await request('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName });
		record('user', w, k, u, { userName, id: u.status === 201 ? u.body.id : null });
		if (u.status !== 201) {
			await sleep(50);
			continue;
		}
		const p = await request('PATCH', `/Groups/${g.body.id}`, {
			schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
			Operations: [
				{ op: 'add', path: 'members', value: [{ value: u.body.id }] },
				{ op: 'replace', path: 'externalId', value: `${w}-${k}` },
				{ op: 'replace', path: 'displayName', value: `${groupName}-${k}` },
			],
		});
		record('patch', w, k, p, { group: g.body.id, user: u.body.id });
		if (p.status < 200 || p.status >= 300)
			await sleep(50);
	}
}

const until = Date.now() + SECONDS * 1000;
await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w, until)));
writeFileSync(out, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
agent.destroy();
