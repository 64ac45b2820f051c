// test/http/bulk_errors.test.mjs - an operation of a Bulk request fails
// exactly as the same request sent alone: for every error class a Bulk
// operation can meet, the request is sent alone over HTTP, then as the one
// operation of a Bulk request, then all of them together in one Bulk
// request, and the operation's status and SCIM Error (status, scimType,
// detail) must equal the answer of the request sent alone.  One function
// makes both answers (ScimErrorAnswer in src/error.c); before it, a
// PostgreSQL error reached Bulk clients with its message (naming an index)
// where the single request got a fixed sentence.
//
// Also here: a detail longer than 1,024 bytes is cut on a UTF-8 character.
//
// Not reachable through a Bulk operation, so not here: tooMany (more than
// a million changes in one transaction), sensitive and forbidden (the
// endpoints that raise them are not Bulk's), and 503 (a lock or statement
// timeout cannot be provoked deterministically in one request).

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import {
	scim, sql, lit, uniq, newTenant, create, assertScimError, randomGuid,
	BULK_REQUEST_URN, PATCH_URN, USER_URN, GROUP_URN,
} from './lib.mjs';

const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

const patchOp = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });
const user = (userName, extra = {}) => ({ schemas: [USER_URN], userName, ...extra });
/* n characters that do not compress (index entries are compressed first) */
const noise = (n) => randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);

const fx = {};

before(async () => {
	fx.main = newTenant();
	fx.rejecting = newTenant({ user_delete: 'reject' });
	fx.user = await create('/Users', user(`${uniq('bulk-err')}@example.com`, { title: 'kept' }),
		{ token: fx.main.token });
	fx.taken = await create('/Users', user(`${uniq('taken')}@example.com`), { token: fx.main.token });
	fx.kept = await create('/Users', user(`${uniq('kept')}@example.com`), { token: fx.rejecting.token });
	fx.longName = noise(5000);
});

/*
 * Every case: one request, as { method, path, body, version (If-Match),
 * tenant }, and the status and scimType it must fail with.  A POST gets a
 * bulkId in the Bulk request; version is the header If-Match alone and the
 * operation's "version" in Bulk.
 */
const cases = [
	{
		name: '400 invalidValue: a user without userName',
		status: 400, scimType: 'invalidValue',
		request: () => ({ method: 'POST', path: '/Users', body: { schemas: [USER_URN], title: 'x' } }),
	},
	{
		name: '400 invalidValue: userName is a number',
		status: 400, scimType: 'invalidValue',
		request: () => ({ method: 'POST', path: '/Users', body: user(42) }),
	},
	{
		name: '400 invalidValue: a PostgreSQL error (index row too large) gets the fixed sentence',
		status: 400, scimType: 'invalidValue',
		request: () => ({ method: 'POST', path: '/Users', body: user(fx.longName) }),
		check: (detail) => {
			assert.equal(detail, 'a value is not valid here: too long, or not of the expected form');
			assert.doesNotMatch(detail, /index|users_|btree/i);
		},
	},
	{
		name: '400 invalidSyntax: a PatchOp with an empty Operations array',
		status: 400, scimType: 'invalidSyntax',
		request: () => ({ method: 'PATCH', path: `/Users/${fx.user.id}`, body: { Operations: [] } }),
	},
	{
		name: '400 invalidPath: a path that does not parse',
		status: 400, scimType: 'invalidPath',
		request: () => ({
			method: 'PATCH', path: `/Users/${fx.user.id}`,
			body: patchOp({ op: 'replace', path: 'name..givenName', value: 'x' }),
		}),
	},
	{
		name: '400 invalidFilter: a value filter that does not parse',
		status: 400, scimType: 'invalidFilter',
		request: () => ({
			method: 'PATCH', path: `/Users/${fx.user.id}`,
			body: patchOp({ op: 'replace', path: 'emails[value eq].display', value: 'x' }),
		}),
	},
	{
		name: '400 noTarget: remove without a path',
		status: 400, scimType: 'noTarget',
		request: () => ({
			method: 'PATCH', path: `/Users/${fx.user.id}`,
			body: patchOp({ op: 'remove' }),
		}),
	},
	{
		name: '400 mutability: replace the id',
		status: 400, scimType: 'mutability',
		request: () => ({
			method: 'PATCH', path: `/Users/${fx.user.id}`,
			body: patchOp({ op: 'replace', path: 'id', value: randomGuid() }),
		}),
	},
	{
		name: '400 without scimType: a delete the tenant rejects',
		status: 400, scimType: null,
		request: () => ({ method: 'DELETE', path: `/Users/${fx.kept.id}`, tenant: fx.rejecting }),
	},
	{
		name: '404: PUT of an unknown user',
		status: 404, scimType: null,
		request: () => ({ method: 'PUT', path: `/Users/${randomGuid()}`, body: user(`${uniq('nobody')}@example.com`) }),
	},
	{
		name: '404: PATCH of an unknown group',
		status: 404, scimType: null,
		request: () => ({
			method: 'PATCH', path: `/Groups/${randomGuid()}`,
			body: patchOp({ op: 'replace', path: 'displayName', value: 'x' }),
		}),
	},
	{
		name: '404: DELETE of an unknown user',
		status: 404, scimType: null,
		request: () => ({ method: 'DELETE', path: `/Users/${randomGuid()}` }),
	},
	{
		name: '409 uniqueness: a userName already taken (case-insensitively)',
		status: 409, scimType: 'uniqueness',
		request: () => ({ method: 'POST', path: '/Users', body: user(fx.taken.userName.toUpperCase()) }),
	},
	{
		name: '400 invalidValue: a group member that does not exist',
		status: 400, scimType: 'invalidValue',
		request: () => ({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_URN], displayName: 'g', members: [{ value: randomGuid() }] } }),
	},
	{
		name: '412: a stale version (If-Match alone, "version" in Bulk)',
		status: 412, scimType: null,
		request: () => ({
			method: 'PATCH', path: `/Users/${fx.user.id}`, version: 'W/"stale"',
			body: patchOp({ op: 'replace', path: 'title', value: 'changed' }),
		}),
	},
	{
		name: '413: a PATCH of 1,001 operations',
		status: 413, scimType: null,
		request: () => ({
			method: 'PATCH', path: `/Users/${fx.user.id}`,
			body: patchOp(...Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'title', value: 'x' }))),
		}),
	},
];

/* the case's request, made once (its random ids stay the same) */
const made = new Map();
function request(c) {
	if (!made.has(c))
		made.set(c, c.request());
	return made.get(c);
}

/* the request sent alone */
function alone(r) {
	const headers = r.version ? { 'if-match': r.version } : {};
	return scim(r.method, r.path, { body: r.body, headers, token: (r.tenant ?? fx.main).token });
}

/* the request as an operation of a Bulk request */
function asOperation(r, i) {
	const op = { method: r.method, path: r.path };
	if (r.method === 'POST')
		op.bulkId = `op${i}`;
	if (r.body !== undefined)
		op.data = r.body;
	if (r.version)
		op.version = r.version;
	return op;
}

/* POST /Bulk with ops, for tenant; the BulkResponse's Operations */
async function bulk(ops, tenant = fx.main) {
	const res = await scim('POST', '/Bulk', {
		token: tenant.token,
		body: { schemas: [BULK_REQUEST_URN], Operations: ops },
	});
	assert.equal(res.status, 200, `POST /Bulk: ${res.status} ${res.text.slice(0, 400)}`);
	assert.deepEqual(res.body.schemas, [BULK_RESPONSE_URN]);
	assert.equal(res.body.Operations.length, ops.length);
	return res.body.Operations;
}

/* the Bulk operation's answer equals the answer of the request alone */
function assertSameAnswer(op, res, name) {
	const where = `${name}: bulk ${JSON.stringify(op).slice(0, 600)} alone ${res.text.slice(0, 600)}`;
	assert.equal(op.status, String(res.status), `status: ${where}`);
	assert.deepEqual(op.response, res.body, `SCIM Error: ${where}`);
}

/* a user's stored row, to check that nothing was written */
const userRow = (id) => sql(`SELECT version || attrs::text FROM scim.users WHERE id = ${lit(id)}`);

describe('bulk errors: one answer per error class, in Bulk and alone', () => {
	const answers = new Map();

	for (const c of cases) {
		test(c.name, async () => {
			const r = request(c);
			const before = userRow(fx.user.id);
			const res = await alone(r);
			assertScimError(res, c.status, c.scimType);
			if (c.check)
				c.check(res.body.detail);
			answers.set(c.name, res);

			const [op] = await bulk([asOperation(r, 0)], r.tenant);
			assertSameAnswer(op, res, c.name);
			assert.equal(userRow(fx.user.id), before, 'the failed operation wrote nothing');
		});
	}

	test('all of them in one Bulk request: each operation answers as alone', async () => {
		const main = cases.filter((c) => !request(c).tenant);
		const ops = main.map((c, i) => asOperation(request(c), i));
		const got = await bulk(ops);
		main.forEach((c, i) => {
			assert.ok(answers.has(c.name), `${c.name} ran alone first`);
			assertSameAnswer(got[i], answers.get(c.name), c.name);
		});
	});
});

describe('bulk errors: the detail a client is sent', () => {
	/* a PATCH whose path is n bytes of ASCII then "€"s: the message quotes it */
	const longPath = (n) => 'a'.repeat(n) + '€'.repeat(700);

	for (const shift of [0, 1, 2]) {
		test(`a detail over 1,024 bytes is cut on a UTF-8 character (shift ${shift})`, async () => {
			const r = {
				method: 'PATCH', path: `/Users/${fx.user.id}`,
				body: patchOp({ op: 'replace', path: longPath(shift), value: 'x' }),
			};
			const res = await alone(r);
			assertScimError(res, 400, 'invalidPath');
			const detail = res.body.detail;
			const bytes = Buffer.byteLength(detail, 'utf8');
			assert.ok(bytes <= 1024, `detail is ${bytes} bytes`);
			assert.ok(bytes > 1000, `detail is cut near the bound, not earlier: ${bytes} bytes`);
			assert.ok(detail.endsWith('€...'), `cut after a whole "€": ${detail.slice(-12)}`);
			assert.ok(!detail.includes('\uFFFD'), 'no replacement character: the bytes were valid UTF-8');
			assert.ok(!res.text.includes('\uFFFD'), 'the whole body is valid UTF-8');
			assert.ok(detail.startsWith('operation 1: '), detail.slice(0, 40));

			const [op] = await bulk([asOperation(r, 0)]);
			assertSameAnswer(op, res, 'long detail');
		});
	}

	test('a short detail is sent whole', async () => {
		const res = await alone({
			method: 'PATCH', path: `/Users/${fx.user.id}`,
			body: patchOp({ op: 'replace', path: '€€', value: 'x' }),
		});
		assertScimError(res, 400, 'invalidPath');
		assert.ok(res.body.detail.includes('"€€"'), res.body.detail);
		assert.ok(!res.body.detail.endsWith('...'), res.body.detail);
	});
});
