// test/http/errors.test.mjs - every error is a SCIM Error (RFC 7644 §3.12:
// Content-Type application/scim+json, the Error schema, "status" a string,
// a detail), whoever makes it: the extension (malformed bodies, unknown
// endpoints and ids, unsupported methods, media types, filters) or nginx
// (413 over maxPayloadSize, 503 while PostgREST is down - on a stack of
// its own -, 414, 400, 404 outside /scim/v2).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

import {
	scim, rawHttp, uniq, newTenant, create, getOk, qs, eqFilter, randomGuid, sleep,
	assertScimError, assertScimJson, assertListResponse, userResource, groupResource,
	BASE_URL, PATCH_URN, SEARCH_URN, USER_URN,
} from './lib.mjs';

const patch = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });

describe('errors: malformed bodies are 400 invalidSyntax', () => {
	const bad = [
		['truncated JSON', '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":'],
		['empty body', ''],
		['a JSON array', '[]'],
		['a JSON string', '"user"'],
		['trailing garbage', '{"userName":"x"} x'],
		['single quotes', "{'userName':'x'}"],
		['invalid UTF-8', Buffer.concat([Buffer.from('{"userName":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])],
	];

	for (const [what, body] of bad) {
		test(`POST /Users with ${what}`, async () => {
			const res = await scim('POST', '/Users', { body, raw: true });
			assertScimError(res, 400, 'invalidSyntax');
		});
	}

	test('POST /Groups, POST /Users/.search with malformed JSON', async () => {
		assertScimError(await scim('POST', '/Groups', { body: '{"displayName":', raw: true }), 400, 'invalidSyntax');
		assertScimError(await scim('POST', '/Users/.search', { body: '{"filter":', raw: true }), 400, 'invalidSyntax');
	});

	test('PUT and PATCH with malformed JSON change nothing', async () => {
		const u = await create('/Users', userResource());
		assertScimError(await scim('PUT', `/Users/${u.id}`, { body: '{"userName":"x",', raw: true }), 400, 'invalidSyntax');
		assertScimError(await scim('PATCH', `/Users/${u.id}`, { body: '{"Operations":[', raw: true }), 400, 'invalidSyntax');
		assertScimError(await scim('PATCH', `/Users/${u.id}`, { body: '', raw: true }), 400, 'invalidSyntax');
		const after = await getOk(`/Users/${u.id}`);
		assert.equal(after.userName, u.userName);
		assert.equal(after.meta.version, u.meta.version);
	});

	test('a body that is not a User object is 400 invalidSyntax on PUT', async () => {
		const u = await create('/Users', userResource());
		assertScimError(await scim('PUT', `/Users/${u.id}`, { body: [] }), 400, 'invalidSyntax');
	});
});

describe('errors: invalid values and filters', () => {
	test('a missing required attribute is 400 invalidValue (userName, group displayName)', async () => {
		assertScimError(await scim('POST', '/Users', { body: { schemas: [USER_URN], name: { givenName: 'No' } } }), 400, 'invalidValue');
		assertScimError(await scim('POST', '/Groups', { body: groupResource(undefined, { displayName: undefined }) }), 400, 'invalidValue');
	});

	test('a filter that does not parse is 400 invalidFilter, never an unfiltered list', async () => {
		for (const f of ['userName xx "a"', 'userName eq', '(userName eq "a"', 'userName eq "a" and', 'userName eq "unterminated']) {
			const res = await scim('GET', `/Users${qs({ filter: f })}`);
			assertScimError(res, 400, 'invalidFilter');
		}
	});

	test('gt on a boolean is 400 invalidFilter', async () => {
		assertScimError(await scim('GET', `/Users${qs({ filter: 'active gt true' })}`), 400, 'invalidFilter');
	});
});

describe('errors: failed writes roll back', () => {
	test('PATCH is atomic: a failing second operation undoes the first', async () => {
		const u = await create('/Users', userResource(undefined, { displayName: 'Before' }));
		const res = await scim('PATCH', `/Users/${u.id}`, {
			body: patch({ op: 'replace', path: 'displayName', value: 'After' }, { op: 'remove', path: 'userName' }),
		});
		assertScimError(res, 400, 'mutability');
		const after = await getOk(`/Users/${u.id}`);
		assert.equal(after.displayName, 'Before');
		assert.equal(after.meta.version, u.meta.version);
	});

	test('PUT to a taken userName is 409 and leaves the resource unchanged', async () => {
		const a = await create('/Users', userResource());
		const b = await create('/Users', userResource(undefined, { title: 'Keep' }));
		const res = await scim('PUT', `/Users/${b.id}`, { body: userResource(a.userName, { title: 'Lost' }) });
		assertScimError(res, 409, 'uniqueness');
		const after = await getOk(`/Users/${b.id}`);
		assert.equal(after.userName, b.userName);
		assert.equal(after.title, 'Keep');
	});

	test('a group PATCH adding an unknown member adds none of the listed members', async () => {
		const u = await create('/Users', userResource());
		const g = await create('/Groups', groupResource());
		const res = await scim('PATCH', `/Groups/${g.id}`, {
			body: patch({ op: 'add', path: 'members', value: [{ value: u.id }, { value: randomGuid() }] }),
		});
		assertScimError(res, 400);
		const after = await getOk(`/Groups/${g.id}`);
		assert.deepEqual(after.members ?? [], []);
	});
});

describe('errors: unknown endpoints and ids are 404', () => {
	test('unknown endpoints under /scim/v2', async () => {
		for (const p of ['/Foo', '/Userz', '/Users/x/y', `/Groups/${randomGuid()}/members`, '/ServiceProviderConfig/x', '/ResourceTypes/Nope', '/Schemas/urn:example:nope'])
			assertScimError(await scim('GET', p), 404);
	});

	test('unknown ids for every method, UUID-shaped or not', async () => {
		for (const ep of ['/Users', '/Groups']) {
			for (const id of [randomGuid(), '010101001010101011001010101011', 'not-an-id', "x'or'1'='1"]) {
				const p = `${ep}/${encodeURIComponent(id)}`;
				assertScimError(await scim('GET', p), 404);
				assertScimError(await scim('PUT', p, { body: ep === '/Users' ? userResource() : groupResource() }), 404);
				assertScimError(await scim('PATCH', p, { body: patch({ op: 'replace', path: 'displayName', value: 'x' }) }), 404);
				assertScimError(await scim('DELETE', p), 404);
			}
		}
	});

	test('paths outside /scim/v2 get nginx\'s SCIM 404', async () => {
		const origin = new URL(BASE_URL).origin;
		for (const p of ['/', '/scim/v1/Users', '/scim', '/scimv2/Users', '/favicon.ico'])
			assertScimError(await scim('GET', origin + p), 404);
	});

	test('nginx\'s internal locations requested from outside are a SCIM 404 too', async () => {
		const origin = new URL(BASE_URL).origin;
		for (const p of ['/rpc/handle', '/rpc/handle-chunked', '/_scim_error/414'])
			assertScimError(await scim('GET', origin + p), 404);
		const host = new URL(BASE_URL).host;
		const res = await rawHttp(`GET /scim/v2/../../rpc/handle HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
		assertScimError(res, 404);
	});

	test('/Me is not supported: 501 SCIM Error', async () => {
		assertScimError(await scim('GET', '/Me'), 501);
	});
});

describe('errors: unsupported methods are 405 with Allow', () => {
	const cases = [
		['PUT', '/Users'], ['DELETE', '/Users'], ['PATCH', '/Users'],
		['PUT', '/Groups'], ['DELETE', '/Groups'], ['PATCH', '/Groups'],
		['POST', '/Users/:id'], ['POST', '/Groups/:id'],
		['GET', '/Users/.search'], ['DELETE', '/Groups/.search'],
		['POST', '/ServiceProviderConfig'], ['PUT', '/ServiceProviderConfig'], ['PATCH', '/ServiceProviderConfig'],
		['DELETE', '/ServiceProviderConfig'], ['POST', '/ResourceTypes'], ['DELETE', '/ResourceTypes/User'],
		['POST', '/Schemas'], ['PUT', `/Schemas/${USER_URN}`],
	];
	for (const [method, path] of cases) {
		test(`${method} ${path}`, async () => {
			let p = path;
			if (p.includes(':id')) {
				const r = p.startsWith('/Users') ? await create('/Users', userResource()) : await create('/Groups', groupResource());
				p = p.replace(':id', r.id);
			}
			const body = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined;
			const res = await scim(method, p, body === undefined ? {} : { body });
			assertScimError(res, 405);
			assert.ok(res.headers.allow, `an Allow header: ${JSON.stringify(res.headers)}`);
			assert.ok(!res.headers.allow.split(/,\s*/).includes(method), `Allow ${res.headers.allow} excludes ${method}`);
		});
	}
});

describe('errors: media types', () => {
	test('bodies as application/json and with a charset are accepted', async () => {
		for (const ct of ['application/json', 'application/scim+json; charset=utf-8', 'application/json; charset=UTF-8', 'APPLICATION/SCIM+JSON']) {
			const res = await scim('POST', '/Users', { body: userResource(), headers: { 'content-type': ct } });
			assert.equal(res.status, 201, `${ct}: ${res.text}`);
			assertScimJson(res);
		}
	});

	test('a body in another media type is 415', async () => {
		const res = await scim('POST', '/Users', { body: userResource(), headers: { 'content-type': 'text/plain' } });
		assertScimError(res, 415);
	});

	test('Accept: */*, none, application/json and lists are served; text/html only is 406', async () => {
		for (const accept of [null, '*/*', 'application/json', 'application/scim+json', 'text/html, application/scim+json;q=0.9', 'application/*']) {
			const res = await scim('GET', '/Users?count=1', { headers: { accept } });
			assert.equal(res.status, 200, `Accept ${accept}: ${res.text}`);
		}
		assertScimError(await scim('GET', '/Users?count=1', { headers: { accept: 'text/html' } }), 406);
	});
});

describe('errors: made by nginx, in SCIM format', () => {
	async function maxPayloadSize(token) {
		const spc = await getOk('/ServiceProviderConfig', token ? { token } : {});
		const n = spc.bulk?.maxPayloadSize;
		assert.ok(Number.isInteger(n) && n > 0, `bulk.maxPayloadSize: ${n}`);
		return n;
	}

	/* a valid User document padded with spaces to exactly n bytes */
	function paddedUser(n) {
		const s = JSON.stringify(userResource());
		assert.ok(s.length < n);
		return s + ' '.repeat(n - s.length);
	}

	async function postSafely(body, headers = {}, token) {
		try {
			const o = { body, raw: true, headers };
			if (token)
				o.token = token;
			return await scim('POST', '/Users', o);
		} catch (e) {
			/* nginx may answer and close before the whole body is sent */
			throw new Error(`the request failed instead of getting a 413: ${e.message}`);
		}
	}

	test('413 for a body over the advertised bulk.maxPayloadSize (Content-Length)', async () => {
		const max = await maxPayloadSize();
		const res = await postSafely(paddedUser(max + 1));
		assertScimError(res, 413);
	});

	test('413 for a chunked body over maxPayloadSize', async () => {
		const max = await maxPayloadSize();
		const res = await postSafely(paddedUser(max + 1), { 'content-length': null });
		assertScimError(res, 413);
	});

	test('a body of exactly maxPayloadSize bytes is accepted', async () => {
		const max = await maxPayloadSize();
		const res = await postSafely(paddedUser(max));
		assert.equal(res.status, 201, res.text.slice(0, 300));
	});

	test("a tenant's smaller max_payload_bytes is advertised and enforced with a SCIM 413", async () => {
		const { token } = newTenant({ max_payload_bytes: 2048 });
		const max = await maxPayloadSize(token);
		assert.equal(max, 2048);
		assertScimError(await postSafely(paddedUser(max + 1), {}, token), 413);
		assert.equal((await postSafely(paddedUser(max), {}, token)).status, 201);
	});

	test('a tenant advertising a larger maxPayloadSize gets bodies up to that size through', async () => {
		const { token } = newTenant({ max_payload_bytes: 2 * 1048576 });
		const max = await maxPayloadSize(token);
		assert.equal(max, 2 * 1048576);
		const res = await postSafely(paddedUser(1500000), {}, token);
		assert.equal(res.status, 201,
			`a 1500000-byte body is under the advertised maxPayloadSize ${max}: ${res.status} ${res.text.slice(0, 200)}`);
		assertScimError(await postSafely(paddedUser(max + 1), {}, token), 413);
	});

	test('414 for a URI over the limit', async () => {
		const res = await scim('GET', `/Users${qs({ filter: `userName eq "${'a'.repeat(40000)}"` })}`);
		assertScimError(res, 414);
	});

	test('a long filter is served: nginx passes URIs far over its default 8k buffers', async () => {
		const res = await scim('GET', `/Users${qs({ filter: `userName eq "${'a'.repeat(8000)}"` })}`);
		assertListResponse(res, { total: 0 });
		/* longer ones reach the filter parser, whose own limit is a SCIM 400, not a 414 */
		const longer = await scim('GET', `/Users${qs({ filter: `userName eq "${'a'.repeat(20000)}"` })}`);
		assertScimError(longer, 400, 'invalidFilter');
	});

	test('431 for a request header over the limit', async () => {
		assertScimError(await scim('GET', '/Users', { headers: { 'x-padding': 'a'.repeat(40000) } }), 431);
	});

	test('a malformed HTTP request is a SCIM 400', async () => {
		assertScimError(await rawHttp('GARBAGE\r\n\r\n'), 400);
		assertScimError(await rawHttp('GET /scim/v2/Users HTTP/1.1\r\nConnection: close\r\n\r\n'), 400);
	});

	test('raw non-ASCII bytes in the URI are a SCIM 400', async () => {
		const url = new URL(BASE_URL);
		const res = await rawHttp(`GET ${url.pathname}/Users?filter=userName eq "\u00e9" HTTP/1.1\r\nHost: ${url.host}\r\n` +
			`Authorization: Bearer ${process.env.SCIM_TOKEN}\r\nConnection: close\r\n\r\n`);
		assertScimError(res, 400);
	});

	describe('503 while PostgREST is down (on a stack of its own)', () => {
		/*
		 * The outage is made on a private stack started for this test only
		 * (test/lib/private-stack.sh): the other test files, which run in
		 * parallel on the shared stack, never see it.
		 */
		const REPO = new URL('../..', import.meta.url).pathname;
		const stackDir = `${REPO}.run/outage-${process.pid}`;
		let dir = null;
		let base = null;
		let token = null;
		let pidFile = null;
		let saved = null;
		const on = (o = {}) => ({ token, ...o });

		before(() => {
			const out = execFileSync('bash', ['-c',
				'. "$1/test/lib/private-stack.sh" && private_stack_start "$2" SCIM_ACCESS_LOG=off >&2 && ' +
				'printf "%s\\n" "$SCIM_STACK_DIR" "$SCIM_BASE_URL" "$SCIM_TOKEN"', 'outage', REPO, stackDir],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n');
			[dir, base, token] = out;
			pidFile = `${dir}/postgrest.pid`;
		});

		function alive(pid) {
			try {
				process.kill(pid, 0);
				return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
			} catch {
				return false;
			}
		}

		/* stop PostgREST (stack.sh's way: SIGTERM, then SIGKILL) and remember how it ran */
		async function stopPostgrest() {
			const pid = Number(readFileSync(pidFile, 'utf8').trim());
			assert.ok(pid > 1 && alive(pid), `PostgREST pid ${pid} from ${pidFile}`);
			assert.equal(readFileSync(`/proc/${pid}/comm`, 'utf8').trim(), 'postgrest');
			const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
			const status = readFileSync(`/proc/${pid}/status`, 'utf8');
			const uid = Number(/^Uid:\s+(\d+)/m.exec(status)[1]);
			const gid = Number(/^Gid:\s+(\d+)/m.exec(status)[1]);
			saved = { bin: argv[0], conf: argv[1], uid, gid };
			process.kill(pid, 'SIGTERM');
			for (let i = 0; i < 100 && alive(pid); i++)
				await sleep(100);
			if (alive(pid))
				process.kill(pid, 'SIGKILL');
			for (let i = 0; i < 50 && alive(pid); i++)
				await sleep(100);
			assert.ok(!alive(pid), 'PostgREST stopped');
			rmSync(`${dir}/postgrest.sock`, { force: true });
		}

		/* start it again as scripts/stack.sh does, and wait until it serves */
		async function startPostgrest() {
			if (saved === null)
				return;
			const s = saved;
			saved = null;
			rmSync(pidFile, { force: true });
			rmSync(`${dir}/postgrest.sock`, { force: true });
			let argv = ['sh', '-c', 'echo $$ >"$1"; exec "$2" "$3" >>"$4" 2>&1 </dev/null', 'sh',
				pidFile, s.bin, s.conf, `${dir}/postgrest.log`];
			if (process.getuid?.() === 0 && s.uid !== 0)
				argv = ['setpriv', `--reuid=${s.uid}`, `--regid=${s.gid}`, '--init-groups', ...argv];
			const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore' });
			child.unref();
			for (let i = 0; i < 300; i++) {
				await sleep(100);
				const r = await scim('GET', `${base}/ServiceProviderConfig`, on()).catch(() => null);
				if (r && r.status === 200)
					return;
			}
			throw new Error(`PostgREST did not come back (see ${dir}/postgrest.log)`);
		}

		after(async () => {
			/* whatever happened, stop and delete the private stack */
			if (process.env.KEEP_STACK !== '1')
				execFileSync(`${REPO}scripts/stack.sh`, ['destroy', '--dir', stackDir], { stdio: 'ignore' });
		});

		test('GET and POST get a SCIM 503 with Retry-After; service restored afterwards', async () => {
			const userName = `${uniq('outage')}@example.com`;
			try {
				await stopPostgrest();
				for (const [method, path, body] of [
					['GET', '/Users', undefined],
					['GET', '/ServiceProviderConfig', undefined],
					['POST', '/Users', userResource(userName)],
				]) {
					const o = on();
					if (body)
						o.body = body;
					const res = await scim(method, `${base}${path}`, o);
					assertScimError(res, 503);
					assert.ok(res.headers['retry-after'], `Retry-After on ${method} ${path}`);
				}
			} finally {
				await startPostgrest();
			}
			/* back to normal, and the POST made during the outage did not happen */
			assertListResponse(await scim('GET', `${base}/Users${qs({ filter: eqFilter('userName', userName) })}`, on()), { total: 0 });
			const u = await scim('POST', `${base}/Users`, on({ body: userResource(userName) }));
			assert.equal(u.status, 201, u.text);
			assert.equal(u.body.userName, userName);
			assert.ok(readFileSync(pidFile, 'utf8').trim().length > 0, 'pid file written again');
		});
	});
});

describe('errors: every error body is SCIM, also with an Accept the server cannot honour', () => {
	test('the 406 itself is application/scim+json', async () => {
		const res = await scim('GET', '/Users', { headers: { accept: 'text/html' } });
		assertScimError(res, 406);
	});

	test('errors from POST /.search are SCIM', async () => {
		const res = await scim('POST', '/Users/.search', { body: { schemas: [SEARCH_URN], filter: 'userName xx "a"' } });
		assertScimError(res, 400, 'invalidFilter');
	});
});
