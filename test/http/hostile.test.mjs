// test/http/hostile.test.mjs - one tenant's costly requests must not take the
// service from the others (docs/security.md, "Work and memory per request").
//
// Each case is the largest request the limits allow against the structures
// that used to cost quadratic time or unbounded memory: PATCH copying a large
// value into every email (alone and inside Bulk), add/replace/remove with the
// largest arrays allowed, projection with a long attribute list over a full
// page, and "co" with long values and patterns.  Each must answer within a
// wall time far under statement_timeout (30 s), leave every PostgREST
// backend's peak RSS (VmHWM, /proc/<pid>/status) under a bound, and another
// tenant's GETs, sent all along, must keep answering (their p99 is bounded).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { scim, sql, lit, newTenant, BASE_URL, USER_URN, PATCH_URN, BULK_REQUEST_URN } from './lib.mjs';

const MB = 1024 * 1024;
const WALL_MS = 8000;			/* per case; statement_timeout is 30 s */
const RSS_LIMIT_MB = 400;		/* peak RSS of any PostgREST backend */
const P99_LIMIT_MS = 3000;		/* the other tenant's GETs */

const patchOp = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });
const emails = (prefix, n, extra = {}) =>
	Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@example.org`, type: i % 3 ? 'home' : 'work', ...extra }));

const fx = {};

/* the peak RSS in MB of the backends serving PostgREST (the web role) */
function peakRssMb() {
	const pids = sql(`SELECT string_agg(pid::text, ',') FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()`);
	let peak = 0;
	for (const pid of (pids || '').split(',').filter(Boolean)) {
		try {
			const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (m)
				peak = Math.max(peak, Number(m[1]) / 1024);
		} catch {
			/* the backend has gone */
		}
	}
	return peak;
}

/* run attack() while the victim tenant reads a user in a loop; the
   attack's wall time, its result, and the victim's latencies */
async function underAttack(attack) {
	let stop = false;
	const lat = [];
	const victim = (async () => {
		while (!stop) {
			const t0 = performance.now();
			const res = await scim('GET', `/Users/${fx.victimId}`, { token: fx.victim.token });
			lat.push(performance.now() - t0);
			assert.equal(res.status, 200, 'the other tenant keeps being served');
		}
	})();
	const t0 = performance.now();
	let result;
	try {
		result = await attack();
	} finally {
		stop = true;
		await victim;
	}
	const ms = performance.now() - t0;
	lat.sort((a, b) => a - b);
	const p99 = lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] : 0;
	return { result, ms, p99, n: lat.length };
}

/* the bounds every case must keep */
function assertBounded(name, r) {
	const rss = peakRssMb();
	console.log(`# ${name}: ${Math.round(r.ms)} ms, peak backend RSS ${Math.round(rss)} MB, ` +
		`other tenant p99 ${Math.round(r.p99)} ms over ${r.n} GETs`);
	assert.ok(r.ms < WALL_MS, `${name}: ${Math.round(r.ms)} ms, not under ${WALL_MS} ms`);
	assert.ok(rss < RSS_LIMIT_MB, `${name}: peak backend RSS ${Math.round(rss)} MB`);
	assert.ok(r.p99 < P99_LIMIT_MS, `${name}: the other tenant's p99 was ${Math.round(r.p99)} ms`);
}

/* a user of the attacking tenant with n emails; its id */
async function userWith(n, extra = {}) {
	const res = await scim('POST', '/Users', {
		token: fx.a.token,
		body: { schemas: [USER_URN], userName: `u${Math.random()}@example.org`, emails: emails('e', n, extra) },
	});
	assert.equal(res.status, 201, res.text);
	return res.body.id;
}

describe('hostile requests are bounded', { skip: !BASE_URL && 'no stack (SCIM_BASE_URL)' }, () => {
	before(async () => {
		fx.a = newTenant();
		fx.victim = newTenant();
		const res = await scim('POST', '/Users', {
			token: fx.victim.token,
			body: { schemas: [USER_URN], userName: 'victim@example.org' },
		});
		assert.equal(res.status, 201);
		fx.victimId = res.body.id;
	});

	test('a large value copied into every email is refused before it is copied (413)', async () => {
		const id = await userWith(1000);
		const r = await underAttack(() => scim('PATCH', `/Users/${id}`, {
			token: fx.a.token,
			body: patchOp({ op: 'replace', path: 'emails.display', value: 'x'.repeat(MB - 4096) }),
		}));
		assert.equal(r.result.status, 413, r.result.text);
		assert.match(r.result.body.detail, /max_payload_bytes/);
		assertBounded('emails.display x 1000', r);
	});

	test('the same amplification inside one Bulk request', async () => {
		const r = await underAttack(() => scim('POST', '/Bulk', {
			token: fx.a.token,
			body: {
				schemas: [BULK_REQUEST_URN],
				Operations: [
					{ method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_URN], userName: 'bulk@example.org', emails: emails('b', 1000) } },
					{ method: 'PATCH', path: '/Users/bulkId:u', data: patchOp({ op: 'replace', path: 'emails.display', value: 'y'.repeat(700 * 1024) }) },
					{ method: 'PATCH', path: '/Users/bulkId:u', data: patchOp({ op: 'replace', path: 'emails[type eq "work"].display', value: 'z'.repeat(200 * 1024) }) },
				],
			},
		}));
		assert.equal(r.result.status, 200, r.result.text);
		const statuses = r.result.body.Operations.map((o) => String(o.status));
		assert.deepEqual(statuses, ['201', '413', '413']);
		assertBounded('Bulk amplification', r);
	});

	test('add, replace and remove with the largest arrays allowed', async () => {
		const id = await userWith(0);
		const r = await underAttack(async () => {
			const out = [];
			for (const op of [
				{ op: 'add', path: 'emails', value: emails('n', 1000) },
				{ op: 'add', path: 'emails', value: emails('n', 1000) },
				{ op: 'replace', path: 'emails', value: emails('r', 1000) },
				{ op: 'remove', path: 'emails', value: emails('r', 999) },
				{ op: 'add', path: 'emails', value: emails('m', 1000) },
			])
				out.push((await scim('PATCH', `/Users/${id}`, { token: fx.a.token, body: patchOp(op) })).status);
			return out;
		});
		assert.deepEqual(r.result, [200, 200, 200, 200, 400]);
		assertBounded('add/replace/remove 1000', r);
	});

	test('projection with a long attribute list over a full page', async () => {
		sql(`SELECT count(scim.user_create(${lit(fx.a.tenant)}, jsonb_build_object('userName', 'p' || i || '@example.org',
				'emails', (SELECT jsonb_agg(jsonb_build_object('value', 'v' || j || '@example.org', 'type', 'work'))
						   FROM generate_series(1, 1000) j))))
			FROM generate_series(1, 40) i`);
		const list = Array.from({ length: 2500 }, (_, i) => `emails.x${i}`).join(',');
		const r = await underAttack(() => scim('GET', `/Users?count=50&attributes=${list},emails.value`, { token: fx.a.token }));
		assert.equal(r.result.status, 200, r.result.text);
		assert.ok(r.result.body.Resources.length >= 40);
		assertBounded('attributes x 2500 over a page', r);
	});

	test('co with long values and long patterns', async () => {
		const id = await userWith(1000, { display: 'a'.repeat(800) });
		const r = await underAttack(() => scim('PATCH', `/Users/${id}`, {
			token: fx.a.token,
			body: patchOp({ op: 'remove', path: `emails[display co "${'a'.repeat(400)}b"]` }),
		}));
		assert.equal(r.result.status, 200, r.result.text);
		assert.equal(r.result.body.emails.length, 1000, 'nothing matched, nothing removed');
		assertBounded('co 400 over 1000 x 800', r);
	});
});
