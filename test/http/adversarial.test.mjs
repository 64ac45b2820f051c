// test/http/adversarial.test.mjs - hostile requests through the real nginx and
// PostgREST (docs/security.md): limits and abuse, tokens, methods and media
// types, malformed and hostile bodies, path tricks, filter injection, member
// references across tenants, header injection, rate limiting and slow
// clients.
//
// Every case is answered with the right status and a SCIM Error body (never a
// 5xx, never HTML or PostgREST's JSON), and is followed by a read-back proving
// that nothing changed: a digest of every row of the tenants involved (users,
// groups, members, tokens, settings, event count) taken before and after, and
// the fixture user read back over HTTP with its version.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';

import {
	scim as scimCall, sql, lit, uniq, newTenant, newToken, qs, randomGuid, sleep,
	assertScimError, BASE_URL, ERROR_URN,
	USER_URN, GROUP_URN, PATCH_URN, SEARCH_URN, BULK_REQUEST_URN, LIST_URN,
} from './lib.mjs';
import { stackNginxConf, startNginxCopy } from './nginx_copy.mjs';

const ORIGIN = BASE_URL ? new URL(BASE_URL).origin : '';
const HOST = BASE_URL ? new URL(BASE_URL).host : '';
const MB = 1024 * 1024;
/* n characters that do not compress (index entries are compressed first) */
const noise = (n) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

const patchOp = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });
const user = (userName, extra = {}) => ({ schemas: [USER_URN], userName, ...extra });
const group = (displayName, extra = {}) => ({ schemas: [GROUP_URN], displayName, ...extra });
const bytes = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const deep = (n) => '{"schemas":["' + USER_URN + '"],"userName":"deep@x","title":' + '['.repeat(n) + '1' + ']'.repeat(n) + '}';

// ---- fixture ---------------------------------------------------------------

const fx = {};

/* a digest of every row of the fixture's tenants (last_used excluded: it is
   bookkeeping, kept to the minute) */
function snapshot() {
	const ts = [fx.a.tenant, fx.v.tenant, fx.small.tenant].map(lit).join(', ');
	return sql(`SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (
		SELECT 'u' || tenant_id || id || version || user_name || active || attrs::text || coalesce(password_hash, '') FROM scim.users WHERE tenant_id IN (${ts})
		UNION ALL SELECT 'g' || tenant_id || id || version || display_name || attrs::text FROM scim.groups WHERE tenant_id IN (${ts})
		UNION ALL SELECT 'm' || tenant_id || group_id || member_id FROM scim.members WHERE tenant_id IN (${ts})
		UNION ALL SELECT 't' || tenant_id || label || encode(token_hash, 'hex') || coalesce(expires::text, '') FROM scim.tokens WHERE tenant_id IN (${ts})
		UNION ALL SELECT 's' || tenant_id || settings::text FROM scim.tenants WHERE tenant_id IN (${ts})
		UNION ALL SELECT 'e' || tenant_id || count(*) FROM scim.events WHERE tenant_id IN (${ts}) GROUP BY tenant_id) AS s(x)`);
}

before(async () => {
	// A: the tenant under attack; V: the victim next door; small: a tenant
	// with the smallest payload limit (1 KB is the floor; 4 KB here)
	fx.a = newTenant({ max_results: 2 });
	fx.v = newTenant();
	fx.small = newTenant({ max_payload_bytes: 4096 });
	const as = { token: fx.a.token };
	const vs = { token: fx.v.token };
	const mk = async (path, body, o) => {
		const r = await scim('POST', path, { ...o, body });
		assert.equal(r.status, 201, `fixture ${path}: ${r.text.slice(0, 200)}`);
		return r.body;
	};
	fx.user = await mk('/Users', user(`${uniq('adv')}@a.test`, { externalId: uniq('ext'), password: 'Fixture-Pass-1',
		emails: [{ value: 'fixture@a.test', type: 'work' }] }), as);
	fx.user2 = await mk('/Users', user(`${uniq('adv')}@a.test`), as);
	fx.user3 = await mk('/Users', user(`${uniq('adv')}@a.test`), as);
	fx.group = await mk('/Groups', group(uniq('adv-g'), { members: [{ value: fx.user.id }] }), as);
	fx.vuser = await mk('/Users', user(`${uniq('victim')}@v.test`, { externalId: uniq('vext') }), vs);
	fx.vgroup = await mk('/Groups', group(uniq('victim-g'), { members: [{ value: fx.vuser.id }] }), vs);
	// tokens of A that must not work
	fx.revoked = newToken(fx.a.tenant);
	sql(`SELECT scim.token_revoke(${lit(fx.a.tenant)}, label) FROM scim.tokens
		  WHERE token_hash = sha256(convert_to(${lit(fx.revoked)}, 'UTF8'))`);
	fx.expired = sql(`SELECT scim.token_issue(${lit(fx.a.tenant)}, ${lit(uniq('expired'))}, now() - interval '1 minute')`);
	// read back after the group: membership moves a user's version
	fx.userVersion = (await scim('GET', `/Users/${fx.user.id}`, as)).body.meta.version;
	fx.groupVersion = (await scim('GET', `/Groups/${fx.group.id}`, as)).body.meta.version;
});

const A = (o = {}) => ({ token: fx.a.token, ...o });

// ---- raw HTTP ----------------------------------------------------------------

/* every answer this file receives (scim() and raw()), judged at the end */
const answers = [];
function keep(what, res) {
	answers.push({ what, res });
	return res;
}

/* lib.mjs's scim(), its answer kept */
async function scim(method, path, options = {}) {
	return keep(`${method} ${String(path).slice(0, 100)}`, await scimCall(method, path, options));
}

function parseRaw(buf) {
	const all = buf.toString('latin1');
	const cut = all.indexOf('\r\n\r\n');
	const head = cut < 0 ? all : all.slice(0, cut);
	const lines = head.split('\r\n');
	const m = /^HTTP\/\d\.\d (\d{3})/.exec(lines[0] ?? '');
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		if (i > 0)
			headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
	}
	let body = cut < 0 ? Buffer.alloc(0) : buf.subarray(Buffer.byteLength(all.slice(0, cut + 4), 'latin1'));
	if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
		const parts = [];
		let s = body.toString('latin1');
		for (;;) {
			const nl = s.indexOf('\r\n');
			const n = parseInt(s.slice(0, nl), 16);
			if (!(n > 0))
				break;
			parts.push(Buffer.from(s.slice(nl + 2, nl + 2 + n), 'latin1'));
			s = s.slice(nl + 2 + n + 2);
		}
		body = Buffer.concat(parts);
	}
	const text = body.toString('utf8');
	let json = null;
	try { json = text ? JSON.parse(text) : null; } catch { json = null; }
	return { status: m ? Number(m[1]) : 0, headers, body: json, text };
}

/* bytes sent as they are, on a fresh connection, without closing our side
   (nginx treats a half-closed client as gone: 499); read until it closes */
async function raw(request) {
	const once = () => new Promise((resolve, reject) => {
		const url = new URL(BASE_URL);
		const chunks = [];
		const sock = net.connect(Number(url.port || 80), url.hostname, () => sock.write(request));
		sock.setTimeout(30000, () => sock.destroy(new Error('raw: timeout')));
		sock.on('data', (c) => chunks.push(c));
		sock.on('error', reject);
		sock.on('close', () => resolve(parseRaw(Buffer.concat(chunks))));
	});
	return keep(`raw ${request.slice(0, 60).split('\r\n')[0]}`, await once());
}

const auth = () => `Authorization: Bearer ${fx.a.token}\r\n`;

// ---- the case runner -------------------------------------------------------

/* a response the service may give at all: no 5xx, and a SCIM document */
function assertNoFailure(res) {
	const where = `${res.status} ${String(res.text).slice(0, 300)}`;
	assert.ok(res.status >= 200 && res.status < 500, `never a 5xx (nor no answer): ${where}`);
	if (res.status === 204 || res.status === 304)
		return;
	assert.match(String(res.headers['content-type'] ?? ''), /^application\/scim\+json\b/, `Content-Type: ${where}`);
	if (res.head)
		return;		/* HEAD: the headers of the answer, never a body */
	assert.ok(res.body && typeof res.body === 'object' && Array.isArray(res.body.schemas),
		`a SCIM body (JSON with schemas): ${where}`);
}

/* the fixture, read back: nothing changed */
async function assertUnchanged(before) {
	assert.equal(snapshot(), before, 'no row of the tenants changed');
	const u = await scim('GET', `/Users/${fx.user.id}`, A());
	assert.equal(u.status, 200, `the fixture user reads back: ${u.text.slice(0, 200)}`);
	assert.equal(u.body.meta.version, fx.userVersion, 'the fixture user kept its version');
	const g = await scim('GET', `/Groups/${fx.group.id}`, A());
	assert.equal(g.status, 200, `the fixture group reads back: ${g.text.slice(0, 200)}`);
	assert.equal(g.body.meta.version, fx.groupVersion, 'the fixture group kept its version');
	assert.deepEqual((g.body.members ?? []).map((m) => m.value), [fx.user.id], 'its members are as they were');
}

/*
 * adversarial(name, status, scimType, send[, check])
 *   send: async () => response; status/scimType: the SCIM Error expected
 *   (scimType undefined: not checked, null: must be absent); check: an extra
 *   assertion on the response, or, with status 0, the whole judgement of a
 *   response that is not an error (e.g. a capped list).
 */
let counted = 0;
function adversarial(name, status, scimType, send, check) {
	counted++;
	test(name, async () => {
		const before = snapshot();
		const res = await send();
		assertNoFailure(res);
		if (status)
			assertScimError(res, status, scimType);
		if (check)
			await check(res);
		await assertUnchanged(before);
	});
}

// ================================================================== limits

describe('adversarial: size limits, caps and nesting (413, 414, 431, 400; never 500)', () => {
	const big = 'x'.repeat(MB + 1000);
	adversarial('a body over maxPayloadSize (1 MB) on POST /Users', 413, null,
		() => scim('POST', '/Users', A({ body: JSON.stringify(user('big@a.test', { title: big })), raw: true })));
	adversarial('a body over maxPayloadSize on PUT', 413, null,
		() => scim('PUT', `/Users/${fx.user.id}`, A({ body: JSON.stringify(user(fx.user.userName, { title: big })), raw: true })));
	adversarial('a body over maxPayloadSize on PATCH', 413, null,
		() => scim('PATCH', `/Groups/${fx.group.id}`, A({ body: JSON.stringify(patchOp({ op: 'replace', path: 'displayName', value: big })), raw: true })));
	adversarial('a body over maxPayloadSize on POST /Bulk', 413, null,
		() => scim('POST', '/Bulk', A({ body: JSON.stringify({ schemas: [BULK_REQUEST_URN], Operations: [{ method: 'POST', path: '/Users', bulkId: 'b', data: user('b@a.test', { title: big }) }] }), raw: true })));
	adversarial('a chunked body over maxPayloadSize', 413, null,
		() => raw(`POST /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Type: application/scim+json\r\n`
			+ 'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
			+ ('10000\r\n' + 'a'.repeat(0x10000) + '\r\n').repeat(17) + '0\r\n\r\n'));
	adversarial('a body over more than 10 MB (nginx\'s own limit)', 413, null,
		() => scim('POST', '/Users', A({ body: Buffer.alloc(10 * MB + 10, 0x20), raw: true })));
	adversarial('a body over the tenant\'s own max_payload_bytes (4 KB)', 413, null,
		() => scim('POST', '/Users', { token: fx.small.token, body: JSON.stringify(user('s@small.test', { title: 'x'.repeat(5000) })), raw: true }));
	adversarial('a Bulk request over the tenant\'s max_payload_bytes', 413, null,
		() => scim('POST', '/Bulk', { token: fx.small.token, body: { schemas: [BULK_REQUEST_URN], Operations: Array.from({ length: 60 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: user(`b${i}@small.test`) })) } }));
	adversarial('a URI over 32 KB (query)', 414, null,
		() => scim('GET', `/Users${qs({ filter: `userName eq "${'a'.repeat(40000)}"` })}`, A()));
	adversarial('a URI over 32 KB (path)', 414, null,
		() => scim('GET', `/Users/${'a'.repeat(40000)}`, A()));
	adversarial('a header over 32 KB', 431, null,
		() => scim('GET', '/Users', A({ headers: { 'x-padding': 'a'.repeat(40000) } })));
	adversarial('headers over 128 KB in all', 431, null, () => {
		const headers = {};
		for (let i = 0; i < 6; i++)
			headers[`x-padding-${i}`] = 'a'.repeat(30000);
		return scim('GET', '/Users', A({ headers }));
	});
	adversarial('a filter over 8192 bytes (GET)', 400, 'invalidFilter',
		() => scim('GET', `/Users${qs({ filter: `userName eq "${'a'.repeat(9000)}"` })}`, A()));
	adversarial('a filter over 8192 bytes (POST /.search)', 400, 'invalidFilter',
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN], filter: `userName eq "${'a'.repeat(9000)}"` } })));
	adversarial('a filter nested 40 levels deep', 400, 'invalidFilter',
		() => scim('GET', `/Users${qs({ filter: '('.repeat(40) + 'userName eq "a"' + ')'.repeat(40) })}`, A()));
	adversarial('a filter nested 40 "not (" deep', 400, 'invalidFilter',
		() => scim('GET', `/Users${qs({ filter: 'not ('.repeat(40) + 'userName pr' + ')'.repeat(40) })}`, A()));
	adversarial('a filter of 1,100 comparisons', 400, 'invalidFilter',
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN], filter: Array.from({ length: 1100 }, () => 'userName eq "a"').join(' or ') } })));
	adversarial('count=1000000 is capped at max_results (2 here)', 0, undefined,
		() => scim('GET', '/Users?count=1000000', A()), (res) => {
			assert.equal(res.status, 200);
			assert.deepEqual(res.body.schemas, [LIST_URN]);
			assert.equal(res.body.itemsPerPage, 2, 'two of the three users: the cap');
			assert.equal(res.body.totalResults, 3);
		});
	adversarial('a SearchRequest count of 1000000 is capped too', 0, undefined,
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN], count: 1000000 } })), (res) => {
			assert.equal(res.status, 200);
			assert.equal(res.body.itemsPerPage, 2);
		});
	adversarial('count that is not a number', 400, 'invalidValue', () => scim('GET', '/Users?count=abc', A()));
	adversarial('count beyond 64 bits', 400, 'invalidValue', () => scim('GET', '/Users?count=99999999999999999999', A()));
	adversarial('startIndex beyond 64 bits', 400, 'invalidValue', () => scim('GET', '/Users?startIndex=99999999999999999999', A()));
	adversarial('startIndex 1e3 in a SearchRequest', 400, 'invalidValue',
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN], startIndex: 1e3 + 0.5 } })));
	adversarial('negative startIndex and count give an empty first page', 0, undefined,
		() => scim('GET', '/Users?startIndex=-5&count=-3', A()), (res) => {
			assert.equal(res.status, 200);
			assert.equal(res.body.startIndex, 1);
			assert.equal(res.body.itemsPerPage, 0);
		});
	adversarial('a Bulk request over maxOperations (1000)', 413, null,
		() => scim('POST', '/Bulk', A({ body: { schemas: [BULK_REQUEST_URN], Operations: Array.from({ length: 1001 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: user(`b${i}@a.test`) })) } })));
	adversarial('a PATCH with more than 1000 operations', 413, null,
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp(...Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'title', value: 'x' }))) })));
	adversarial('JSON nested 65 levels (object)', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: '{"a":'.repeat(65) + '1' + '}'.repeat(65), raw: true })));
	adversarial('JSON nested 200 levels (array)', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: deep(200), raw: true })));
	adversarial('JSON nested 100,000 levels', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: '['.repeat(100000), raw: true })));
	adversarial('JSON nested 65 levels inside a PATCH value', 400, 'invalidSyntax',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: `{"schemas":["${PATCH_URN}"],"Operations":[{"op":"add","path":"title","value":${'['.repeat(65)}1${']'.repeat(65)}}]}`, raw: true })));
	adversarial('an array of 200,000 numbers', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: '[' + Array(200000).fill('0').join(',') + ']', raw: true })));
	adversarial('an unknown attribute holding 100,000 elements', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: user('arr@a.test', { shoeSizes: Array(100000).fill(1) }) })));
	adversarial('a group with 20,000 unknown members', 400, 'invalidValue',
		() => scim('POST', '/Groups', A({ body: group(uniq('many'), { members: Array.from({ length: 20000 }, () => ({ value: randomGuid() })) }) })));
	adversarial('a userName of 5,000 characters', 400, 'invalidValue',
		() => scim('POST', '/Users', A({ body: user(noise(5000)) })));
	adversarial('a userName of 900,000 characters', 400, 'invalidValue',
		() => scim('POST', '/Users', A({ body: user(noise(900000)) })));
	adversarial('a displayName of 5,000 characters', 400, 'invalidValue',
		() => scim('POST', '/Users', A({ body: user(`${uniq('dn')}@a.test`, { displayName: noise(5000) }) })));
	adversarial('an externalId of 5,000 characters', 400, 'invalidValue',
		() => scim('PUT', `/Users/${fx.user.id}`, A({ body: user(fx.user.userName, { externalId: noise(5000) }) })));
	adversarial('a group displayName of 5,000 characters', 400, 'invalidValue',
		() => scim('POST', '/Groups', A({ body: group(noise(5000)) })));
	adversarial('a sortBy of 5,000 characters', 400, 'invalidValue',
		() => scim('GET', `/Users${qs({ sortBy: 'a'.repeat(5000) })}`, A()));
	adversarial('attributes naming 3,000 attributes is just a projection', 0, undefined,
		() => scim('GET', `/Users${qs({ attributes: Array.from({ length: 3000 }, (_, i) => `a${i}`).join(',') })}`, A()),
		(res) => assert.equal(res.status, 200));
});

// ================================================================== tokens

describe('adversarial: credentials (401, never echoed)', () => {
	const assert401 = (res) => {
		assert.match(String(res.headers['www-authenticate'] ?? ''), /^Bearer/i, 'WWW-Authenticate: Bearer');
		assert.ok(!res.text.includes(fx.a.token.slice(5, 30)), 'the token is not echoed');
	};
	adversarial('no Authorization header', 401, null, () => scim('POST', '/Users', { token: null, body: user('na@a.test') }), assert401);
	adversarial('the token in the query string instead', 401, null,
		() => scim('GET', `/Users?access_token=${fx.a.token}`, { token: null }), assert401);
	adversarial('a revoked token', 401, null, () => scim('POST', '/Users', { token: fx.revoked, body: user('rv@a.test') }), assert401);
	adversarial('an expired token', 401, null, () => scim('DELETE', `/Users/${fx.user.id}`, { token: fx.expired }), assert401);
	adversarial('the stored digest presented as a token', 401, null,
		() => scim('GET', '/Users', { token: sql(`SELECT encode(sha256(convert_to(${lit(fx.a.token)}, 'UTF8')), 'hex')`) }), assert401);
	adversarial('a token one character short', 401, null, () => scim('GET', '/Users', { token: fx.a.token.slice(0, -1) }), assert401);
	adversarial('a 30 KB token', 401, null, () => scim('GET', '/Users', { token: 'A'.repeat(30000) }), (res) => {
		assert401(res);
		assert.ok(res.text.length < 1000, 'the error does not echo it');
	});
	adversarial('Basic credentials carrying the token', 401, null,
		() => scim('GET', '/Users', { token: null, headers: { authorization: `Basic ${Buffer.from(`x:${fx.a.token}`).toString('base64')}` } }), assert401);
	adversarial('the token in a client-sent X-Scim-Authorization header', 401, null,
		() => scim('GET', `/Users/${fx.user.id}`, { token: null, headers: { 'x-scim-authorization': `Bearer ${fx.a.token}` } }), assert401);
	adversarial('two Authorization headers (valid and bogus)', 400, null,
		() => raw(`GET /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Authorization: Bearer nope\r\nConnection: close\r\n\r\n`));
	adversarial('a token of another tenant writing here is refused by the data, not the token', 404, null,
		() => scim('DELETE', `/Users/${fx.user.id}`, { token: fx.v.token }));
});

// =================================================== methods and media types

describe('adversarial: methods, media types and HTTP framing', () => {
	const head = async (path) => ({ ...(await scim('HEAD', path, A())), head: true });
	adversarial('HEAD /Users', 0, undefined, () => head('/Users'), (res) => {
		assert.equal(res.status, 405);
		assert.match(String(res.headers.allow), /GET/);
		assert.equal(res.text, '');
	});
	adversarial('HEAD /Users/{id}', 0, undefined, () => head(`/Users/${fx.user.id}`), (res) => {
		assert.equal(res.status, 405);
		assert.match(String(res.headers.allow), /DELETE/);
	});
	adversarial('OPTIONS /Users', 405, null, () => scim('OPTIONS', '/Users', A()),
		(res) => assert.match(String(res.headers.allow), /POST/));
	adversarial('OPTIONS /Groups/{id}', 405, null, () => scim('OPTIONS', `/Groups/${fx.group.id}`, A()));
	adversarial('TRACE', 405, null,
		() => raw(`TRACE /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('CONNECT', 400, null,
		() => raw(`CONNECT ${HOST} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`));
	adversarial('an invented method', 405, null,
		() => raw(`BREW /scim/v2/Users/${fx.user.id} HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('DELETE on the collection', 405, null, () => scim('DELETE', '/Users', A()));
	adversarial('PUT on the collection', 405, null, () => scim('PUT', '/Groups', A({ body: group('x') })));
	adversarial('POST on a resource', 405, null, () => scim('POST', `/Users/${fx.user.id}`, A({ body: user('p@a.test') })));
	adversarial('PATCH on ServiceProviderConfig', 405, null,
		() => scim('PATCH', '/ServiceProviderConfig', A({ body: patchOp({ op: 'replace', path: 'patch.supported', value: false }) })));
	for (const ct of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html; charset=utf-8']) {
		adversarial(`POST /Users as ${ct}`, 415, null,
			() => scim('POST', '/Users', A({ body: user('ct@a.test'), headers: { 'content-type': ct } })));
	}
	adversarial('PATCH as text/plain', 415, null,
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'replace', path: 'title', value: 'x' }), headers: { 'content-type': 'text/plain' } })));
	adversarial('PUT as application/xml', 415, null,
		() => scim('PUT', `/Groups/${fx.group.id}`, A({ body: group('x'), headers: { 'content-type': 'application/xml' } })));
	adversarial('POST /.search as text/plain', 415, null,
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN] }, headers: { 'content-type': 'text/plain' } })));
	adversarial('Accept: text/html', 406, null, () => scim('GET', `/Users/${fx.user.id}`, A({ headers: { accept: 'text/html' } })));
	adversarial('Accept: application/xml on a write', 406, null,
		() => scim('POST', '/Users', A({ body: user('acc@a.test'), headers: { accept: 'application/xml' } })));
	adversarial('Transfer-Encoding: gzip', 400, null,
		() => raw(`POST /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Type: application/scim+json\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nxxxx`));
	adversarial('an HTTP/2.0 request line on the HTTP/1 port', 400, null,
		() => raw(`GET /scim/v2/Users HTTP/2.0\r\nHost: ${HOST}\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('two Content-Length headers', 400, null,
		() => raw(`POST /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Length: 2\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{}`));
	adversarial('Content-Length and chunked together (smuggling)', 400, null,
		() => raw(`POST /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /scim/v2/Users HTTP/1.1\r\n\r\n`));
	adversarial('two Host headers', 400, null,
		() => raw(`GET /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\nHost: evil.example\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('a header name with a space', 400, null,
		() => raw(`GET /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\nX Bad: 1\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('a lower-case method', 400, null,
		() => raw(`delete /scim/v2/Users/${fx.user.id} HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Connection: close\r\n\r\n`));
});

// ============================================================ hostile bodies

describe('adversarial: hostile bodies (400, nothing stored)', () => {
	const post = (body) => () => scim('POST', '/Users', A({ body, raw: true }));
	const U = `{"schemas":["${USER_URN}"],`;
	adversarial('a raw NUL byte in the body', 400, 'invalidSyntax', post(bytes(U, '"userName":"a', [0], 'b@a.test"}')));
	adversarial('\\u0000 in userName', 400, 'invalidSyntax', post(`${U}"userName":"nul\\u0000@a.test"}`));
	adversarial('\\u0000 in an attribute name', 400, 'invalidSyntax', post(`${U}"userName":"k@a.test","ti\\u0000tle":"x"}`));
	adversarial('\\u0000 in a PATCH value', 400, 'invalidSyntax',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: `{"schemas":["${PATCH_URN}"],"Operations":[{"op":"replace","path":"title","value":"a\\u0000b"}]}`, raw: true })));
	adversarial('a lone high surrogate', 400, 'invalidSyntax', post(`${U}"userName":"s\\ud800@a.test"}`));
	adversarial('a lone low surrogate', 400, 'invalidSyntax', post(`${U}"userName":"s\\udc00@a.test"}`));
	adversarial('a surrogate pair in the wrong order', 400, 'invalidSyntax', post(`${U}"userName":"s\\udc00\\ud800@a.test"}`));
	adversarial('invalid UTF-8: a 0xff byte', 400, 'invalidSyntax', post(bytes(U, '"userName":"', [0xff], '@a.test"}')));
	adversarial('invalid UTF-8: an overlong "/" (0xc0 0xaf)', 400, 'invalidSyntax', post(bytes(U, '"userName":"', [0xc0, 0xaf], '@a.test"}')));
	adversarial('invalid UTF-8: an encoded surrogate (0xed 0xa0 0x80)', 400, 'invalidSyntax', post(bytes(U, '"userName":"', [0xed, 0xa0, 0x80], '@a.test"}')));
	adversarial('invalid UTF-8: a truncated sequence', 400, 'invalidSyntax', post(bytes(U, '"userName":"ab', [0xe2, 0x82], '"}')));
	adversarial('invalid UTF-8 in a PATCH body', 400, 'invalidSyntax',
		() => scim('PATCH', `/Groups/${fx.group.id}`, A({ body: bytes(`{"schemas":["${PATCH_URN}"],"Operations":[{"op":"replace","path":"displayName","value":"`, [0xf8, 0x88, 0x80, 0x80, 0x80], '"}]}'), raw: true })));
	adversarial('a UTF-16 body', 400, 'invalidSyntax', post(Buffer.from(`${U}"userName":"u16@a.test"}`, 'utf16le')));
	adversarial('a number where userName belongs', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user(42) })));
	adversarial('an array where userName belongs', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user(['a@a.test']) })));
	adversarial('a boolean where displayName belongs', 400, 'invalidValue',
		() => scim('PUT', `/Users/${fx.user.id}`, A({ body: user(fx.user.userName, { displayName: true }) })));
	adversarial('"yes" where active belongs', 400, 'invalidValue',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'replace', path: 'active', value: 'yes' }) })));
	adversarial('1 where active belongs', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user('one@a.test', { active: 1 }) })));
	adversarial('a number as an email value', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user('ev@a.test', { emails: [{ value: 5 }] }) })));
	adversarial('a string as emails[].primary', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user('ep@a.test', { emails: [{ value: 'e@a.test', primary: 'x' }] }) })));
	adversarial('a string where name (complex) belongs', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user('nm@a.test', { name: 'Bob' }) })));
	adversarial('an object where name.givenName belongs', 400, 'invalidValue', () => scim('POST', '/Users', A({ body: user('gn@a.test', { name: { givenName: { a: 1 } } }) })));
	adversarial('a number where a group displayName belongs', 400, 'invalidValue', () => scim('POST', '/Groups', A({ body: group(7) })));
	adversarial('1e999999 as a boolean', 400, 'invalidValue', post(`${U}"userName":"n@a.test","active":1e999999}`));
	adversarial('a PatchOp "op" that is a number', 400, 'invalidSyntax',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 5, path: 'title', value: 'x' }) })));
	adversarial('a PatchOp "path" that is a number', 400, 'invalidPath',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'add', path: 5, value: 'x' }) })));
	adversarial('Operations that is an object', 400, 'invalidSyntax',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: { schemas: [PATCH_URN], Operations: { op: 'add' } } })));
	adversarial('an unknown PATCH op', 400, 'invalidSyntax',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'drop', path: 'userName' }) })));
	adversarial('a PATCH that changes id', 400, 'mutability',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'replace', path: 'id', value: randomGuid() }) })));
	adversarial('a PATCH that changes meta.created', 400, 'mutability',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'replace', path: 'meta.created', value: '1970-01-01T00:00:00Z' }) })));
	adversarial('a JSON string as the body', 400, 'invalidSyntax', post('"userName"'));
	adversarial('an empty body', 400, 'invalidSyntax', post(''));
	adversarial('trailing garbage after the object', 400, 'invalidSyntax', post(`${U}"userName":"tg@a.test"} {"x":1}`));
	adversarial('schemas naming only an unknown schema', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: { schemas: ['urn:evil:schema'], userName: 'us@a.test' } })));
	adversarial('an unknown schema on PUT', 400, 'invalidSyntax',
		() => scim('PUT', `/Groups/${fx.group.id}`, A({ body: { schemas: ['urn:evil:schema'], displayName: 'x' } })));
	adversarial('schemas that is a string', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: { schemas: USER_URN, userName: 'ss@a.test' } })));
	adversarial('schemas holding a number', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: { schemas: [USER_URN, 5], userName: 'sn@a.test' } })));
	adversarial('an extension object under an unknown URN', 400, 'invalidSyntax',
		() => scim('POST', '/Users', A({ body: { schemas: [USER_URN, 'urn:evil:2.0:User'], userName: 'ue@a.test', 'urn:evil:2.0:User': { x: 1 } } })));
	adversarial('an unknown attribute', 400, 'invalidSyntax', () => scim('POST', '/Users', A({ body: user('ua@a.test', { shoeSize: 44 }) })));
	adversarial('a PatchOp with the User schema instead of PatchOp', 400, 'invalidSyntax',
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: { schemas: [USER_URN], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } })));
});

// ====================================================== ids and path tricks

describe('adversarial: ids that are not ids, and path tricks (404 or 400)', () => {
	adversarial('GET of an id that is not a UUID', 404, null, () => scim('GET', '/Users/not-a-uuid', A()));
	adversarial('PUT of an id that is not a UUID', 404, null, () => scim('PUT', '/Users/not-a-uuid', A({ body: user('x@a.test') })));
	adversarial('PATCH of an SQL-looking id', 404, null,
		() => scim('PATCH', `/Users/${encodeURIComponent("x' OR '1'='1")}`, A({ body: patchOp({ op: 'replace', path: 'active', value: false }) })));
	adversarial('DELETE of an id that is not a UUID', 404, null, () => scim('DELETE', '/Groups/0', A()));
	adversarial('an id of %2e%2e', 404, null, () => scim('DELETE', '/Users/%2e%2e', A()));
	adversarial('an id of ..%2f..%2frpc%2fhandle', 404, null, () => scim('GET', '/Users/..%2f..%2frpc%2fhandle', A()));
	adversarial('an id with an encoded slash', 404, null, () => scim('DELETE', `/Users/${fx.user.id}%2f..`, A()));
	adversarial('an id with an encoded slash to the group', 404, null, () => scim('DELETE', `/Users/..%2fGroups%2f${fx.group.id}`, A()));
	adversarial('dot segments in the raw path', 404, null,
		() => raw(`DELETE /scim/v2/Users/../Groups/${fx.group.id} HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('dot segments up to PostgREST', 404, null,
		() => raw(`POST /scim/v2/../../rpc/handle HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Length: 0\r\nConnection: close\r\n\r\n`));
	adversarial('PostgREST\'s own path', 404, null, () => scim('POST', `${ORIGIN}/rpc/handle`, A({ body: {} })));
	adversarial('another SCIM version', 404, null, () => scim('DELETE', `${ORIGIN}/scim/v1/Users/${fx.user.id}`, A()));
	adversarial('an encoded NUL after an id', 400, null, () => scim('DELETE', `/Users/${fx.user.id}%00`, A()));
	adversarial('an encoded invalid UTF-8 id', 400, 'invalidSyntax', () => scim('DELETE', '/Users/%c0%af', A()));
	adversarial('a raw non-ASCII byte in the path', 400, 'invalidSyntax',
		() => raw(`DELETE /scim/v2/Users/\xe9 HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Connection: close\r\n\r\n`));
	adversarial('a segment after an id', 404, null, () => scim('DELETE', `/Users/${fx.user.id}/members`, A()));
	adversarial('an id with a ;parameter', 404, null, () => scim('DELETE', `/Users/${fx.user.id};x`, A()));
	adversarial('an id in braces', 404, null, () => scim('DELETE', `/Users/%7B${fx.user.id}%7D`, A()));
	adversarial('an id with a trailing space', 404, null, () => scim('DELETE', `/Users/${fx.user.id}%20`, A()));
	adversarial('a group id on /Users', 404, null, () => scim('DELETE', `/Users/${fx.group.id}`, A()));
	adversarial('an unknown endpoint', 404, null, () => scim('POST', '/Admins', A({ body: user('x@a.test') })));
	adversarial('a Bulk operation with dot segments in its path', 0, undefined,
		() => scim('POST', '/Bulk', A({ body: { schemas: [BULK_REQUEST_URN], Operations: [{ method: 'DELETE', path: `/Users/../Groups/${fx.group.id}` }] } })),
		(res) => {
			assert.equal(res.status, 200);
			assert.equal(res.body.Operations[0].status, '404');
		});
});

// ============================================================ filter injection

describe('adversarial: filters that look like SQL (never run as SQL)', () => {
	const list = (f) => () => scim('GET', `/Users${qs({ filter: f })}`, A());
	const none = (res) => {
		assert.equal(res.status, 200, res.text.slice(0, 200));
		assert.equal(res.body.totalResults, 0, 'matches nothing');
	};
	adversarial('a quote-OR string', 0, undefined, list("userName eq \"x' OR '1'='1\""), none);
	adversarial('a statement after the filter', 400, 'invalidFilter', list('userName eq "x"; DROP TABLE scim.users; --'));
	adversarial('or 1=1 --', 400, 'invalidFilter', list('userName eq "x" or 1=1--'));
	adversarial('OR 1 eq 1', 400, 'invalidFilter', list('userName eq x OR 1 eq 1'));
	adversarial('a close paren and a subquery', 400, 'invalidFilter', list('userName eq "x") OR (SELECT 1)--'));
	adversarial('a column that is not an attribute (tenant_id)', 400, 'invalidFilter', list(`tenant_id eq ${JSON.stringify(fx.v?.tenant ?? 'x')}`));
	adversarial('a filter on password', 400, 'invalidFilter', list('password pr'));
	adversarial('a dateTime carrying SQL', 400, 'invalidFilter', list("meta.created gt \"1970-01-01') OR ('1'='1\""));
	adversarial('an emails value carrying SQL', 0, undefined, list("emails[value eq \"x') OR 1=1 --\"]"), none);
	adversarial('escaped quotes that try to close the string', 0, undefined, list('userName eq "x\\" or userName pr or userName eq \\"y"'), none);
	adversarial('co "%" is literal, not a wildcard', 0, undefined, list('userName co "%"'), none);
	adversarial('sw "_" is literal, not a wildcard', 0, undefined, list('userName sw "_"'), none);
	adversarial('\\u0000 inside a filter string', 400, 'invalidFilter', list('userName eq "a\\u0000b"'));
	adversarial('an encoded NUL in a filter', 400, 'invalidSyntax', () => scim('GET', '/Users?filter=userName%20eq%20%22a%00b%22', A()));
	adversarial('encoded invalid UTF-8 in a filter', 400, 'invalidSyntax', () => scim('GET', '/Users?filter=userName%20eq%20%22%C0%AF%22', A()));
	adversarial('an invalid escape', 400, 'invalidFilter', list('userName eq "\\q"'));
	adversarial('an unbalanced parenthesis', 400, 'invalidFilter', list('userName eq "x" and ('));
	adversarial('sortBy with a statement', 400, 'invalidValue', () => scim('GET', `/Users${qs({ sortBy: 'userName; DROP TABLE scim.users' })}`, A()));
	adversarial('sortBy with a subquery', 400, 'invalidValue', () => scim('GET', `/Users${qs({ sortBy: '(SELECT 1)' })}`, A()));
	adversarial('a SearchRequest filter that is a number (not "no filter")', 400, 'invalidFilter',
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN], filter: 5 } })));
	adversarial('a SearchRequest filter that is an array', 400, 'invalidFilter',
		() => scim('POST', '/Groups/.search', A({ body: { schemas: [SEARCH_URN], filter: ['displayName pr'] } })));
	adversarial('a SearchRequest sortBy that is an object', 400, 'invalidValue',
		() => scim('POST', '/Users/.search', A({ body: { schemas: [SEARCH_URN], sortBy: { x: 1 } } })));
	adversarial('an "or" reaching for another tenant\'s id', 0, undefined,
		() => scim('GET', `/Users${qs({ filter: `id eq "${fx.vuser.id}" or externalId eq "${fx.vuser.externalId}"` })}`, A()), none);
	adversarial('members.value of another tenant\'s user', 0, undefined,
		() => scim('GET', `/Groups${qs({ filter: `members.value eq "${fx.vuser.id}"` })}`, A()), none);
	adversarial('attributes naming internals show none of them', 0, undefined,
		() => scim('GET', `/Users${qs({ attributes: 'userName,password,password_hash,tenant_id' })}`, A()), (res) => {
			assert.equal(res.status, 200);
			const text = JSON.stringify(res.body);
			assert.ok(!/password|tenant_id|\$2[aby]\$/.test(text), 'no password, hash or tenant column');
		});
});

// ======================================================= member references

describe('adversarial: member references (invalidValue, nothing added)', () => {
	const add = (value) => () => scim('PATCH', `/Groups/${fx.group.id}`, A({ body: patchOp({ op: 'add', path: 'members', value }) }));
	adversarial('add another tenant\'s user', 400, 'invalidValue', () => add([{ value: fx.vuser.id }])());
	adversarial('add another tenant\'s group', 400, 'invalidValue', () => add([{ value: fx.vgroup.id }])());
	adversarial('add a valid member and another tenant\'s user together', 400, 'invalidValue',
		() => add([{ value: fx.user2.id }, { value: fx.vuser.id }])());
	adversarial('create a group holding another tenant\'s user', 400, 'invalidValue',
		() => scim('POST', '/Groups', A({ body: group(uniq('x'), { members: [{ value: fx.vuser.id }] }) })));
	adversarial('PUT a group holding another tenant\'s user', 400, 'invalidValue',
		() => scim('PUT', `/Groups/${fx.group.id}`, A({ body: group(fx.group.displayName, { members: [{ value: fx.user.id }, { value: fx.vuser.id }] }) })));
	adversarial('replace members with another tenant\'s users', 400, 'invalidValue',
		() => scim('PATCH', `/Groups/${fx.group.id}`, A({ body: patchOp({ op: 'replace', path: 'members', value: [{ value: fx.vuser.id }] }) })));
	adversarial('add the group to itself', 400, 'invalidValue', () => add([{ value: fx.group.id }])());
	adversarial('PUT the group with itself as a member', 400, 'invalidValue',
		() => scim('PUT', `/Groups/${fx.group.id}`, A({ body: group(fx.group.displayName, { members: [{ value: fx.group.id }] }) })));
	adversarial('a member that is a path', 400, 'invalidValue', () => add([{ value: '../../etc/passwd' }])());
	adversarial('a member that is a number', 400, 'invalidValue', () => add([{ value: 5 }])());
	adversarial('a member given only as a $ref elsewhere', 400, 'invalidValue', () => add([{ $ref: `https://evil.example/Users/${fx.vuser.id}` }])());
	adversarial('removing another tenant\'s user changes nothing', 0, undefined,
		() => scim('PATCH', `/Groups/${fx.group.id}`, A({ body: patchOp({ op: 'remove', path: `members[value eq "${fx.vuser.id}"]` }) })),
		(res) => assert.ok(res.status === 200 || res.status === 204, `${res.status} ${res.text.slice(0, 200)}`));
	adversarial('a Bulk POST of a group with another tenant\'s user', 0, undefined,
		() => scim('POST', '/Bulk', A({ body: { schemas: [BULK_REQUEST_URN], Operations: [{ method: 'POST', path: '/Groups', bulkId: 'g', data: group(uniq('bg'), { members: [{ value: fx.vuser.id }] }) }] } })),
		(res) => {
			assert.equal(res.status, 200);
			assert.equal(res.body.Operations[0].status, '400');
		});
	adversarial('a Bulk PATCH of another tenant\'s group', 0, undefined,
		() => scim('POST', '/Bulk', A({ body: { schemas: [BULK_REQUEST_URN], Operations: [{ method: 'PATCH', path: `/Groups/${fx.vgroup.id}`, data: patchOp({ op: 'add', path: 'members', value: [{ value: fx.user.id }] }) }] } })),
		(res) => {
			assert.equal(res.status, 200);
			assert.equal(res.body.Operations[0].status, '404');
		});
});

// ========================================================= header injection

describe('adversarial: headers the client must not control', () => {
	adversarial('X-Scim-Method: DELETE on a GET', 0, undefined,
		() => scim('GET', `/Users/${fx.user.id}`, A({ headers: { 'x-scim-method': 'DELETE' } })),
		(res) => assert.equal(res.status, 200));
	adversarial('X-Scim-Uri pointing at another resource', 0, undefined,
		() => scim('GET', `/Users/${fx.user.id}`, A({ headers: { 'x-scim-uri': `/scim/v2/Users/${fx.vuser.id}` } })),
		(res) => {
			assert.equal(res.status, 200);
			assert.equal(res.body.id, fx.user.id);
		});
	adversarial('PostgREST\'s Prefer: tx=rollback and Accept-Profile', 0, undefined,
		() => scim('GET', `/Users/${fx.user.id}`, A({ headers: { prefer: 'tx=rollback', 'accept-profile': 'scim', 'content-profile': 'scim' } })),
		(res) => assert.equal(res.status, 200));
	adversarial('If-Match that matches nothing on PUT', 412, null,
		() => scim('PUT', `/Users/${fx.user.id}`, A({ body: user(fx.user.userName, { title: 'x' }), headers: { 'if-match': 'garbage' } })));
	adversarial('If-Match that matches nothing on DELETE', 412, null,
		() => scim('DELETE', `/Groups/${fx.group.id}`, A({ headers: { 'if-match': 'W/"999999"' } })));
	adversarial('If-Match of 40 KB', 431, null,
		() => scim('PATCH', `/Users/${fx.user.id}`, A({ body: patchOp({ op: 'replace', path: 'title', value: 'x' }), headers: { 'if-match': `"${'9'.repeat(40000)}"` } })));
});

// =================================================================== counts

test('adversarial: at least 100 cases above', () => {
	assert.ok(counted >= 100, `${counted} adversarial cases`);
});

// ============================================================= rate limiting

/*
 * The stack's own nginx allows 200 (test stack: 1000) requests per second and
 * token, more than a loaded test machine can send.  So the limit is tested on
 * a copy of the stack's rendered nginx.conf -- same locations, same error
 * pages, same upstream PostgREST -- listening on a free port with the rate
 * lowered to 1 request/s and a burst of 2.  Returns { base, stop } or null
 * when rate limiting is disabled or there is no stack directory.
 */
async function lowRateNginx() {
	const conf = stackNginxConf();
	if (conf === null || !/limit_req_zone [^;]*rate=\d+r\/s/.test(conf))
		return null;
	return startNginxCopy((c) => c
		.replace(/rate=\d+r\/s/, 'rate=1r/s')
		.replace(/burst=\d+/g, 'burst=2'));
}

describe('adversarial: per-token rate limiting (429, Retry-After, SCIM body)', () => {
	test('a token over its rate gets 429 with Retry-After while another token is served', async (t) => {
		const nginx = await lowRateNginx();
		if (nginx === null) {
			t.skip('no stack directory, or rate limiting disabled on this stack');
			return;
		}
		try {
			const before = snapshot();
			// of a token's shape, so that it is limited per token (the first zone)
			const flooded = `scim_${randomBytes(32).toString('hex')}`;
			const statuses = [];
			let limited = null;
			for (let i = 0; i < 10 && !limited; i++) {
				const res = await scim('GET', `${nginx.base}/Users/${fx.user.id}`, { token: flooded});
				assertNoFailure(res);
				statuses.push(res.status);
				if (res.status === 429)
					limited = res;
				else
					assertScimError(res, 401, null);
			}
			assert.ok(limited, `a 429 among ${statuses.join(', ')}`);
			assertScimError(limited, 429, null);
			assert.match(String(limited.headers['retry-after'] ?? ''), /^\d+$/, 'Retry-After in seconds');
			// the key is the token: the tenant's real token has its own allowance
			const other = await scim('GET', `${nginx.base}/Users/${fx.user.id}`, A());
			assert.equal(other.status, 200, `another token is served meanwhile: ${other.text.slice(0, 200)}`);
			// and the flooded one is still refused, without reaching PostgreSQL
			const again = await scim('DELETE', `${nginx.base}/Users/${fx.user.id}`, { token: flooded});
			assertScimError(again, 429, null);
			await assertUnchanged(before);
		} finally {
			await nginx.stop();
		}
	});
});

// ============================================================== slow clients

describe('adversarial: slow clients are cut off (client_header_timeout, client_body_timeout)', () => {
	/* open a connection, send a prefix and stall; resolve when nginx closes */
	const stall = (prefix) => new Promise((resolve) => {
		const url = new URL(BASE_URL);
		const t0 = Date.now();
		const chunks = [];
		const sock = net.connect(Number(url.port || 80), url.hostname, () => sock.write(prefix));
		sock.setTimeout(40000, () => sock.destroy());
		sock.on('data', (c) => chunks.push(c));
		sock.on('error', () => {});
		sock.on('close', () => resolve({ ms: Date.now() - t0, res: parseRaw(Buffer.concat(chunks)) }));
	});

	test('stalled headers, a stalled body and an idle connection are closed within the timeouts', async () => {
		const before = snapshot();
		const results = await Promise.all([
			stall(`GET /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\nX-Slow: a`),
			stall(`POST /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{"userName":`),
			stall(`POST /scim/v2/Users HTTP/1.1\r\nHost: ${HOST}\r\n${auth()}Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"use`),
			stall(''),
		]);
		for (const { ms, res } of results) {
			assert.ok(ms < 30000, `closed after ${ms} ms`);
			assert.ok(res.status === 0 || (res.status < 500 && res.status !== 200), `no answer, or a 4xx: ${res.status} ${res.text.slice(0, 200)}`);
			if (res.text)
				assert.ok(res.body && Array.isArray(res.body.schemas), `a SCIM body if any: ${res.text.slice(0, 200)}`);
		}
		await assertUnchanged(before);
	});
});

// ================================================== documented behaviours

describe('documented: duplicate JSON keys (the last occurrence wins)', () => {
	test('a body with userName twice creates the user named by the last one', async () => {
		const first = `${uniq('dup-first')}@a.test`;
		const last = `${uniq('dup-last')}@a.test`;
		const res = await scim('POST', '/Users', A({ body: `{"schemas":["${USER_URN}"],"userName":"${first}","userName":"${last}"}`, raw: true }));
		assert.equal(res.status, 201, res.text.slice(0, 200));
		assert.equal(res.body.userName, last);
		const look = await scim('GET', `/Users${qs({ filter: `userName eq "${first}"` })}`, A());
		assert.equal(look.body.totalResults, 0, 'the first occurrence was not stored');
		assert.equal((await scim('DELETE', `/Users/${res.body.id}`, A())).status, 204);
	});

	test('a PATCH operation with "op" twice does what the last says', async () => {
		const res = await scim('PATCH', `/Users/${fx.user2.id}`, A({ body: `{"schemas":["${PATCH_URN}"],"Operations":[{"op":"remove","op":"replace","path":"title","value":"Last"}]}`, raw: true }));
		assert.equal(res.status, 200, res.text.slice(0, 200));
		assert.equal(res.body.title, 'Last');
	});
});

describe('adversarial: errors never carry a 5xx or a non-SCIM body (summary)', () => {
	test('every answer this file received: no 5xx, and every error a SCIM Error of its status', () => {
		assert.ok(answers.length >= counted, `${answers.length} answers kept for ${counted} cases`);
		const bad = [];
		for (const { what, res } of answers) {
			const where = `${what}: ${res.status} ${String(res.text).slice(0, 200)}`;
			if (!(res.status >= 200 && res.status < 500))
				bad.push(`a 5xx or no answer: ${where}`);
			else if (res.status >= 400 && !/^application\/scim\+json\b/.test(String(res.headers['content-type'] ?? '')))
				bad.push(`not application/scim+json: ${where}`);
			else if (res.status >= 400 && !what.startsWith('HEAD ') &&
					 !(res.body?.schemas?.[0] === ERROR_URN && res.body?.status === String(res.status)))
				bad.push(`not a SCIM Error: ${where}`);
		}
		assert.deepEqual(bad, [], `${bad.length} of ${answers.length} answers`);
	});
});
