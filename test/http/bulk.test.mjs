// test/http/bulk.test.mjs - POST /Bulk through nginx (RFC 7644 §3.7; the
// rules are in src/bulk.c): discovery says what is enforced, bulkId
// references backward and forward (a group whose members are created in
// the same request), circularity, failOnErrors counting, isolation of a
// failed operation, versions as per-operation If-Match, unknown paths,
// DELETE of a user created in the same request, and the limits (413).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, uniq, newTenant, create, getOk, assertScimError, assertScimJson,
	userResource, groupResource, BULK_REQUEST_URN, PATCH_URN,
} from './lib.mjs';

const BULK_RESPONSE_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';

const bulkRequest = (ops, extra = {}) => ({ schemas: [BULK_REQUEST_URN], Operations: ops, ...extra });
const postUser = (bulkId, userName = `${uniq(bulkId)}@example.com`, extra = {}) =>
	({ method: 'POST', path: '/Users', bulkId, data: userResource(userName, extra) });
const postGroup = (bulkId, members = [], displayName = uniq(bulkId)) =>
	({ method: 'POST', path: '/Groups', bulkId, data: groupResource(displayName, { members }) });
const patchOp = (...ops) => ({ schemas: [PATCH_URN], Operations: ops });

/* POST /Bulk, assert a 200 BulkResponse, return its Operations */
async function bulk(ops, extra = {}, options = {}) {
	const res = await scim('POST', '/Bulk', { ...options, body: bulkRequest(ops, extra) });
	assert.equal(res.status, 200, `POST /Bulk: ${res.status} ${res.text.slice(0, 400)}`);
	assertScimJson(res);
	assert.deepEqual(res.body.schemas, [BULK_RESPONSE_URN]);
	assert.ok(Array.isArray(res.body.Operations), 'Operations is an array');
	return res.body.Operations;
}

const statuses = (ops) => ops.map((o) => o.status);
const byBulkId = (ops, id) => ops.find((o) => o.bulkId === id);

/* the SCIM Error of a failed operation */
function assertOpError(op, status, scimType) {
	const where = JSON.stringify(op);
	assert.equal(op.status, String(status), `status: ${where}`);
	assert.deepEqual(op.response?.schemas, [ERROR_URN], `response is a SCIM Error: ${where}`);
	assert.equal(op.response.status, String(status), `response.status is a string: ${where}`);
	if (scimType === null)
		assert.equal(op.response.scimType, undefined, `no scimType: ${where}`);
	else if (scimType !== undefined)
		assert.equal(op.response.scimType, scimType, `scimType: ${where}`);
	assert.ok(op.response.detail, `detail: ${where}`);
}

describe('bulk: discovery', () => {
	test('/ServiceProviderConfig says bulk is supported, with the real limits', async () => {
		const spc = await getOk('/ServiceProviderConfig');
		assert.equal(spc.bulk.supported, true);
		assert.equal(spc.bulk.maxOperations, 1000);
		assert.equal(spc.bulk.maxPayloadSize, 1048576);
		const { token } = newTenant({ bulk_max_operations: 7, max_payload_bytes: 4096 });
		const own = await getOk('/ServiceProviderConfig', { token });
		assert.deepEqual(own.bulk, { supported: true, maxOperations: 7, maxPayloadSize: 4096 });
	});
});

describe('bulk: bulkId references', () => {
	test('a group whose members are created later in the same request', async () => {
		const ops = await bulk([
			postGroup('team', [{ value: 'bulkId:u1', type: 'User' }, { value: 'bulkId:u2' }]),
			postUser('u1'),
			postUser('u2'),
		]);
		assert.deepEqual(ops.map((o) => o.bulkId), ['u1', 'u2', 'team'], 'the members are created first');
		assert.deepEqual(statuses(ops), ['201', '201', '201']);
		for (const o of ops) {
			assert.equal(o.method, 'POST');
			assert.match(o.version, /^W\/"\d+"$/);
			assert.equal(o.response, undefined, 'a success has no response body');
		}
		const group = await getOk(byBulkId(ops, 'team').location);
		const ids = group.members.map((m) => m.value).sort();
		const want = ['u1', 'u2'].map((b) => byBulkId(ops, b).location.split('/').pop()).sort();
		assert.deepEqual(ids, want, 'the group holds the two new users');
		const u1 = await getOk(byBulkId(ops, 'u1').location);
		assert.ok(u1.groups.some((g) => g.value === group.id), 'and the user lists the group');
	});

	test('backward references, in data and in paths (PATCH, PUT, DELETE)', async () => {
		const ops = await bulk([
			postUser('a'),
			postGroup('g', [{ value: 'bulkId:a' }]),
			{ method: 'PUT', path: '/Groups/bulkId:g', data: groupResource(uniq('renamed'), { members: [{ value: 'bulkId:a' }] }) },
			{ method: 'PATCH', path: '/Users/bulkId:a', data: patchOp({ op: 'replace', path: 'title', value: 'Lead' }) },
		]);
		assert.deepEqual(statuses(ops), ['201', '201', '200', '200']);
		const userLoc = byBulkId(ops, 'a').location;
		assert.equal(ops[3].location, userLoc, 'the PATCH reports the location of the user it changed');
		const user = await getOk(userLoc);
		assert.equal(user.title, 'Lead');
		assert.equal(user.meta.version, ops[3].version, 'the reported version is the ETag of the result');
		const group = await getOk(byBulkId(ops, 'g').location);
		assert.equal(group.meta.version, ops[2].version);
		assert.match(group.displayName, /^renamed-/);
		assert.deepEqual(group.members.map((m) => m.value), [user.id]);
	});

	test('DELETE of a user created in the same request', async () => {
		const ops = await bulk([
			{ method: 'DELETE', path: '/Users/bulkId:gone' },
			postUser('gone'),
		]);
		assert.deepEqual(ops.map((o) => o.method), ['POST', 'DELETE'], 'the DELETE waits for the POST');
		assert.deepEqual(statuses(ops), ['201', '204']);
		assert.equal(ops[1].location, ops[0].location);
		assertScimError(await scim('GET', ops[0].location), 404);
	});

	test('circular references fail with 409 invalidSyntax; the rest runs', async () => {
		const ops = await bulk([
			postGroup('c1', [{ value: 'bulkId:c2' }]),
			postGroup('c2', [{ value: 'bulkId:c1' }]),
			postGroup('needs-c1', [{ value: 'bulkId:c1' }]),
			postUser('fine'),
		]);
		assert.deepEqual(statuses(ops), ['409', '409', '409', '201']);
		assertOpError(byBulkId(ops, 'c1'), 409, 'invalidSyntax');
		assertOpError(byBulkId(ops, 'c2'), 409, 'invalidSyntax');
		assert.match(byBulkId(ops, 'c1').response.detail, /circular/);
		assertOpError(byBulkId(ops, 'needs-c1'), 409, 'invalidSyntax');
		assert.equal(byBulkId(ops, 'c1').location, undefined, 'a failed POST has no location');
	});

	test('a reference to an unknown bulkId fails that operation only', async () => {
		const ops = await bulk([postGroup('lonely', [{ value: 'bulkId:ghost' }]), postUser('real')]);
		assertOpError(ops[0], 409, 'invalidSyntax');
		assert.match(ops[0].response.detail, /ghost/);
		assert.equal(ops[1].status, '201');
	});
});

describe('bulk: failures', () => {
	test('one failing operation does not undo the others', async () => {
		const taken = await create('/Users', userResource());
		const ops = await bulk([
			postUser('before'),
			postUser('dup', taken.userName.toUpperCase()),
			postUser('after'),
		]);
		assert.deepEqual(statuses(ops), ['201', '409', '201']);
		assertOpError(ops[1], 409, 'uniqueness');
		await getOk(byBulkId(ops, 'before').location);
		await getOk(byBulkId(ops, 'after').location);
	});

	test('failOnErrors 1 stops at the first failure; what ran stays', async () => {
		const ops = await bulk([
			postUser('ok1'),
			{ method: 'DELETE', path: `/Users/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}` },
			postUser('never'),
		], { failOnErrors: 1 });
		assert.deepEqual(statuses(ops), ['201', '404']);
		assertOpError(ops[1], 404, null);
		await getOk(ops[0].location);
	});

	test('failOnErrors 2 accepts one failure and stops at the second', async () => {
		const missing = '/Users/00000000-0000-0000-0000-00000000abcd';
		const ops = await bulk([
			{ method: 'DELETE', path: missing },
			postUser('ok2'),
			{ method: 'PATCH', path: missing, data: patchOp({ op: 'remove', path: 'title' }) },
			postUser('never2'),
		], { failOnErrors: 2 });
		assert.deepEqual(statuses(ops), ['404', '201', '404']);
	});

	test('version is If-Match for its operation: a stale one is 412', async () => {
		const u = await create('/Users', userResource());
		const ops = await bulk([
			{ method: 'PATCH', path: `/Users/${u.id}`, version: 'W/"42"', data: patchOp({ op: 'replace', path: 'title', value: 'stale' }) },
			{ method: 'PATCH', path: `/Users/${u.id}`, version: u.meta.version, data: patchOp({ op: 'replace', path: 'title', value: 'fresh' }) },
			{ method: 'DELETE', path: `/Users/${u.id}`, version: u.meta.version },
		]);
		assert.deepEqual(statuses(ops), ['412', '200', '412']);
		assertOpError(ops[0], 412, null);
		const now = await getOk(`/Users/${u.id}`);
		assert.equal(now.title, 'fresh');
		assert.equal(now.meta.version, ops[1].version);
	});

	test('an unknown path is 404 for that operation, not for the request', async () => {
		const ops = await bulk([
			{ method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
			{ method: 'DELETE', path: '/Users/a/b' },
			postUser('still'),
		]);
		assert.deepEqual(statuses(ops), ['404', '404', '201']);
		assertOpError(ops[0], 404, null);
	});
});

describe('bulk: malformed requests and limits', () => {
	test('malformed requests are 400 invalidSyntax and run nothing', async () => {
		const name = `${uniq('nope')}@example.com`;
		assertScimError(await scim('POST', '/Bulk', { body: '{"schemas":', raw: true }), 400, 'invalidSyntax');
		assertScimError(await scim('POST', '/Bulk', { body: { Operations: [postUser('x', name)] } }), 400, 'invalidSyntax');
		assertScimError(await scim('POST', '/Bulk', {
			body: bulkRequest([postUser('x', name), { method: 'POST', path: '/Users', data: userResource() }]),
		}), 400, 'invalidSyntax');
		assertScimError(await scim('POST', '/Bulk', { body: bulkRequest([postUser('x', name)], { failOnErrors: 0 }) }), 400, 'invalidSyntax');
		const res = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
		assert.equal(res.body.totalResults, 0, 'the valid operation of a malformed request did not run');
	});

	test('GET /Bulk is 405, /Bulk/x is 404', async () => {
		const res = await scim('GET', '/Bulk');
		assertScimError(res, 405);
		assert.equal(res.headers.allow, 'POST');
		assertScimError(await scim('POST', '/Bulk/x', { body: bulkRequest([]) }), 404);
	});

	test('more operations than maxOperations: 413, nothing runs', async () => {
		const { token } = newTenant({ bulk_max_operations: 2 });
		const three = [postUser('m1'), postUser('m2'), postUser('m3')];
		assertScimError(await scim('POST', '/Bulk', { token, body: bulkRequest(three) }), 413);
		const list = await getOk('/Users', { token });
		assert.equal(list.totalResults, 0);
		const two = await bulk(three.slice(0, 2), {}, { token });
		assert.deepEqual(statuses(two), ['201', '201'], 'exactly maxOperations is accepted');
	});

	test('a body over the tenant\'s maxPayloadSize: 413', async () => {
		const { token } = newTenant({ max_payload_bytes: 2048 });
		const big = bulkRequest([postUser('big', `${'b'.repeat(2100)}@example.com`)]);
		assertScimError(await scim('POST', '/Bulk', { token, body: big }), 413);
		assert.equal((await getOk('/Users', { token })).totalResults, 0);
	});

	test('a body over the default maxPayloadSize (1 MB): 413', async () => {
		const body = JSON.stringify(bulkRequest([postUser('huge')]));
		const res = await scim('POST', '/Bulk', { body: body + ' '.repeat(1048577 - body.length), raw: true });
		assertScimError(res, 413);
	});
});

describe('bulk: scale', () => {
	test('200 users and a group of all of them in one request', async () => {
		const { token } = newTenant();
		const users = Array.from({ length: 200 }, (_, i) => postUser(`s${i}`));
		const group = postGroup('everyone', users.map((u) => ({ value: `bulkId:${u.bulkId}` })));
		const ops = await bulk([group, ...users], {}, { token });
		assert.equal(ops.length, 201);
		assert.ok(ops.every((o) => o.status === '201'), 'every operation succeeded');
		assert.equal(ops[200].bulkId, 'everyone', 'the group runs last, after all of its members');
		const g = await getOk(ops[200].location, { token });
		assert.equal(g.members.length, 200);
	});
});
