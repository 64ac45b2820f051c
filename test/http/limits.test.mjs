// test/http/limits.test.mjs - nginx's request limits (http/nginx.conf.in):
// the rate limit keyed on the normalised bearer token, the per-address limits
// for requests without a token, the connection limits, the second try of a
// 400 counted again, and bodies without Authorization refused by nginx.
//
// The stack's own limits are far above what a test can send (scripts/test.sh
// raises them further), so each test runs a copy of the stack's rendered
// nginx.conf -- same maps, locations, error pages and upstream PostgREST --
// on a free port with its limits lowered.  Rates are per minute, so no
// request is let through by the clock during a test: the counts are exact.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

import { TOKEN, USER_URN, assertScimError, newTenant, sleep, uniq } from './lib.mjs';
import { startNginxCopy } from './nginx_copy.mjs';

const STACK = process.env.SCIM_STACK_DIR;
const CONF = STACK ? `${STACK}/nginx.conf` : null;
const limited = CONF && existsSync(CONF) && /limit_req_zone /.test(readFileSync(CONF, 'utf8'));

/*
 * Start a copy of the stack's nginx with the given limits:
 *   token, anon, addr: [rate, burst] of the zones scim_token, scim_anon,
 *   scim_addr; connToken, connAddr: the limit_conn values.
 * Returns { port, accessLog(), stop() }.
 */
async function nginxWith(limits) {
	return startNginxCopy((conf) => {
		for (const zone of ['token', 'anon', 'addr']) {
			const [rate, burst] = limits[zone] ?? ['100000r/s', 100000];
			conf = conf
				.replace(new RegExp(`(zone=scim_${zone}:\\S+ rate=)[^;]+;`), `$1${rate};`)
				.replace(new RegExp(`(limit_req zone=scim_${zone} burst=)\\d+`, 'g'), `$1${burst}`);
		}
		return conf
			.replace(/(limit_conn scim_conn_token )\d+/, `$1${limits.connToken ?? 1000}`)
			.replace(/(limit_conn scim_conn_addr )\d+/, `$1${limits.connAddr ?? 1000}`);
	});
}

/* one request with exactly these headers (no Authorization unless given) */
function request(port, method, path, headers = {}, body = null) {
	return new Promise((resolve, reject) => {
		const h = { ...headers };
		if (body !== null) {
			h['content-type'] = 'application/scim+json';
			h['content-length'] = String(Buffer.byteLength(body));
		}
		const req = http.request({ host: '127.0.0.1', port, method, path: `/scim/v2${path}`, headers: h, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed = null;
				try {
					parsed = JSON.parse(text);
				} catch {
					/* not JSON */
				}
				resolve({ status: res.statusCode, headers: res.headers, body: parsed, text });
			});
		});
		req.on('error', reject);
		req.setTimeout(30000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
		if (body !== null)
			req.write(body);
		req.end();
	});
}

/* a token of the shape scim.token_issue makes, known to no tenant */
const randomToken = () => `scim_${randomBytes(32).toString('hex')}`;

/* the statuses of a run of requests, in order */
async function statuses(n, send) {
	const out = [];
	for (let i = 0; i < n; i++) {
		const res = await send(i);
		if (res.status === 429)
			assertScimError(res, 429, null);
		out.push(res.status);
	}
	return out;
}

const count = (list, status) => list.filter((s) => s === status).length;

describe('limits: the rate limit is keyed on the token as the extension reads it', { skip: !limited && 'no stack directory, or request limits disabled' }, () => {
	test('spellings of one token share one bucket: exactly rate + burst pass, another tenant is served', async () => {
		const nginx = await nginxWith({ token: ['1r/m', 5] });
		try {
			const t = TOKEN;
			const forms = [`Bearer ${t}`, `bearer  ${t}`, `BEARER\t${t}`, t, `bEaReR \t \t${t}`, `Bearer\t\t${t}`];
			const seen = await statuses(18, (i) => request(nginx.port, 'GET', '/Users?count=1', { authorization: forms[i % forms.length] }));
			// every spelling authenticates (the first six are the six forms) ...
			assert.deepEqual(seen.slice(0, 6), [200, 200, 200, 200, 200, 200], `each form is accepted: ${seen.join(' ')}`);
			// ... and all of them draw on one allowance: 1 + burst 5
			assert.deepEqual(seen.slice(6), Array(12).fill(429), `after 6, every spelling is refused: ${seen.join(' ')}`);
			const other = newTenant();
			const res = await request(nginx.port, 'GET', '/Users?count=1', { authorization: `Bearer ${other.token}` });
			assert.equal(res.status, 200, `another tenant's token has its own bucket: ${res.text.slice(0, 200)}`);
		} finally {
			await nginx.stop();
		}
	});

	test('random Authorization headers that are no token: the per-address limit holds, tokens are still served', async () => {
		const nginx = await nginxWith({ anon: ['1r/m', 3] });
		try {
			const junk = (i) => [
				`Bearer ${randomBytes(12).toString('hex')}`,
				randomBytes(20).toString('base64'),
				`Basic ${randomBytes(9).toString('base64')}`,
				`bearer   scim_${randomBytes(8).toString('hex')}`,
				`Token ${uniq('x')}`,
			][i % 5];
			const seen = await statuses(15, (i) => request(nginx.port, 'GET', '/Users', { authorization: junk(i) }));
			assert.deepEqual(seen, [401, 401, 401, 401, ...Array(11).fill(429)], `1 + burst 3 per address, then 429: ${seen.join(' ')}`);
			// no header at all is the same bucket
			assertScimError(await request(nginx.port, 'GET', '/Users'), 429, null);
			const ok = await request(nginx.port, 'GET', '/Users?count=1', { authorization: `Bearer ${TOKEN}` });
			assert.equal(ok.status, 200, `a real token is limited per token, not per address: ${ok.text.slice(0, 200)}`);
		} finally {
			await nginx.stop();
		}
	});

	test('random well-formed tokens: every request from one address passes the per-address limit', async () => {
		const nginx = await nginxWith({ addr: ['1r/m', 9] });
		try {
			const seen = await statuses(16, () => request(nginx.port, 'GET', '/Users', { authorization: `Bearer ${randomToken()}` }));
			assert.deepEqual(seen, [...Array(10).fill(401), ...Array(6).fill(429)], `1 + burst 9 per address, then 429: ${seen.join(' ')}`);
		} finally {
			await nginx.stop();
		}
	});
});

describe('limits: the second try of a 400 passes the limits again', { skip: !limited && 'no stack directory, or request limits disabled' }, () => {
	test('a 400 costs two requests of its token\'s allowance, and its answer is the extension\'s own', async () => {
		const nginx = await nginxWith({ token: ['1r/m', 5] });
		try {
			const bad = () => request(nginx.port, 'GET', '/Users?filter=bad%20filter', { authorization: `Bearer ${TOKEN}` });
			const seen = [];
			for (let i = 0; i < 6; i++) {
				const res = await bad();
				seen.push(res.status);
				if (res.status === 400)
					assertScimError(res, 400, 'invalidFilter');
				else
					assertScimError(res, 429, null);
			}
			// 6 slots, 2 per 400: three answers, then the limit
			assert.deepEqual(seen, [400, 400, 400, 429, 429, 429], seen.join(' '));
		} finally {
			await nginx.stop();
		}
	});
});

describe('limits: requests in progress per token and per address (limit_conn)', { skip: !limited && 'no stack directory, or request limits disabled' }, () => {
	/* a request whose body never comes: it holds its connection slot */
	const stall = (port, token) => new Promise((resolve) => {
		const sock = net.connect(port, '127.0.0.1', () => {
			sock.write(`POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
				'Content-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{');
			resolve(sock);
		});
	});
	/* send until the answer is 429 (the stalled request is seen by then) */
	async function until429(send) {
		let res;
		for (let i = 0; i < 50; i++) {
			res = await send();
			if (res.status === 429)
				return res;
			await sleep(100);
		}
		return res;
	}

	test('one request in progress per token: a second one of that token gets 429, another token is served', async () => {
		const nginx = await nginxWith({ connToken: 1 });
		const held = await stall(nginx.port, TOKEN);
		try {
			const res = await until429(() => request(nginx.port, 'GET', '/Users?count=1', { authorization: `bearer  ${TOKEN}` }));
			assertScimError(res, 429, null);
			const other = newTenant();
			const ok = await request(nginx.port, 'GET', '/Users?count=1', { authorization: `Bearer ${other.token}` });
			assert.equal(ok.status, 200, ok.text.slice(0, 200));
		} finally {
			held.destroy();
			await nginx.stop();
		}
	});

	test('two requests in progress per address: a third gets 429 whatever its token', async () => {
		const nginx = await nginxWith({ connAddr: 2 });
		const a = newTenant();
		const b = newTenant();
		const held = [await stall(nginx.port, a.token), await stall(nginx.port, b.token)];
		try {
			const res = await until429(() => request(nginx.port, 'GET', '/Users?count=1', { authorization: `Bearer ${TOKEN}` }));
			assertScimError(res, 429, null);
		} finally {
			held.forEach((s) => s.destroy());
			await nginx.stop();
		}
	});
});

describe('limits: a body without Authorization never reaches PostgreSQL', { skip: !limited && 'no stack directory, or request limits disabled' }, () => {
	test('POST, PUT, PATCH and chunked bodies without Authorization: SCIM 401 from nginx, no upstream call', async () => {
		const nginx = await nginxWith({});
		try {
			const body = JSON.stringify({ schemas: [USER_URN], userName: `${uniq('u')}@example.com` });
			for (const method of ['POST', 'PUT', 'PATCH']) {
				const res = await request(nginx.port, method, '/Users', {}, body);
				assertScimError(res, 401, null);
				assert.equal(res.headers['www-authenticate'], 'Bearer realm="scim"');
			}
			const chunked = await new Promise((resolve, reject) => {
				const req = http.request({ host: '127.0.0.1', port: nginx.port, method: 'POST', path: '/scim/v2/Users', agent: false,
					headers: { 'content-type': 'application/scim+json', 'transfer-encoding': 'chunked' } }, (res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode));
				});
				req.on('error', reject);
				req.write(body);
				req.end();
			});
			assert.equal(chunked, 401);
			// without a body the extension answers (it knows the 401 best) ...
			assertScimError(await request(nginx.port, 'GET', '/Users'), 401, null);
			// ... and so it does for a body sent with some Authorization
			assertScimError(await request(nginx.port, 'POST', '/Users', { authorization: 'Bearer nope' }, body), 401, null);
			/* nginx writes a line once the answer has gone out: wait for all six */
			let lines = [];
			for (let i = 0; i < 50 && lines.length < 6; i++, await sleep(100))
				lines = nginx.accessLog().trim().split('\n').filter(Boolean);
			// "$request_method $path" $status $bytes $request_time $upstream_response_time
			const upstream = lines.map((l) => /"(\w+) [^"]*" (\d+) \d+ \S+ (\S+)$/.exec(l)).filter(Boolean).map((m) => `${m[1]} ${m[2]} ${m[3] === '-' ? 'nginx' : 'upstream'}`);
			assert.deepEqual(upstream, ['POST 401 nginx', 'PUT 401 nginx', 'PATCH 401 nginx', 'POST 401 nginx', 'GET 401 upstream', 'POST 401 upstream'],
				lines.join('\n'));
		} finally {
			await nginx.stop();
		}
	});
});
