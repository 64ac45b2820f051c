// test/http/discovery.test.mjs - /ServiceProviderConfig, /ResourceTypes and
// /Schemas (RFC 7644 §4, RFC 7643 §5-§7): complete documents, the tenant's
// real limits, 404 for unknown ones, 405 for writes, 403 for filters; plus
// the URL conventions both IdPs rely on (trailing slash, unknown parameters,
// '+' and %20 in filters).

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';

import {
	scim, uniq, newTenant, create, getOk, qs, eqFilter,
	assertScimError, assertScimJson, assertListResponse, userResource, groupResource,
	USER_URN, GROUP_URN, ENTERPRISE_URN, LIST_URN, SPC_URN, RESOURCE_TYPE_URN, SCHEMA_URN,
	HTTPS_URL,
} from './lib.mjs';

const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'complex', 'binary'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'];
const RETURNED = ['always', 'never', 'default', 'request'];
const UNIQUENESS = ['none', 'server', 'global'];

/* RFC 7643 §7: every characteristic of an attribute, recursively */
function assertCompleteAttribute(a, where) {
	const w = `${where}.${a.name}`;
	assert.equal(typeof a.name, 'string', `${w}: name`);
	assert.ok(TYPES.includes(a.type), `${w}: type ${a.type}`);
	assert.equal(typeof a.multiValued, 'boolean', `${w}: multiValued`);
	assert.equal(typeof a.description, 'string', `${w}: description`);
	assert.equal(typeof a.required, 'boolean', `${w}: required`);
	assert.ok(MUTABILITY.includes(a.mutability), `${w}: mutability ${a.mutability}`);
	assert.ok(RETURNED.includes(a.returned), `${w}: returned ${a.returned}`);
	if (a.type === 'string' || a.type === 'reference' || a.type === 'binary')
		assert.equal(typeof a.caseExact, 'boolean', `${w}: caseExact`);
	if (a.type !== 'complex' && a.type !== 'boolean')
		assert.ok(UNIQUENESS.includes(a.uniqueness), `${w}: uniqueness ${a.uniqueness}`);
	if (a.type === 'reference')
		assert.ok(Array.isArray(a.referenceTypes) && a.referenceTypes.length > 0, `${w}: referenceTypes`);
	if (a.type === 'complex') {
		assert.ok(Array.isArray(a.subAttributes) && a.subAttributes.length > 0, `${w}: subAttributes`);
		for (const s of a.subAttributes)
			assertCompleteAttribute(s, w);
	}
}

function attr(schema, path) {
	const [top, sub] = path.split('.');
	const a = schema.attributes.find((x) => x.name.toLowerCase() === top.toLowerCase());
	assert.ok(a, `attribute ${top} in ${schema.id}`);
	if (!sub)
		return a;
	const s = a.subAttributes.find((x) => x.name.toLowerCase() === sub.toLowerCase());
	assert.ok(s, `sub-attribute ${path} in ${schema.id}`);
	return s;
}

function assertSchemaDoc(s, id) {
	assert.deepEqual(s.schemas, [SCHEMA_URN]);
	assert.equal(s.id, id);
	assert.equal(typeof s.name, 'string');
	assert.ok(Array.isArray(s.attributes) && s.attributes.length > 0);
	for (const a of s.attributes)
		assertCompleteAttribute(a, id);
	assert.equal(s.meta?.resourceType, 'Schema');
	assert.ok(s.meta.location.endsWith(`/Schemas/${id}`), s.meta.location);
}

describe('discovery: /ServiceProviderConfig', () => {
	test('the full document, integers where numbers are due', async () => {
		const res = await scim('GET', '/ServiceProviderConfig');
		assert.equal(res.status, 200, res.text);
		assertScimJson(res);
		const c = res.body;
		assert.deepEqual(c.schemas, [SPC_URN]);
		assert.equal(c.patch.supported, true);
		assert.equal(typeof c.bulk.supported, 'boolean');
		assert.ok(Number.isInteger(c.bulk.maxOperations) && c.bulk.maxOperations > 0);
		assert.ok(Number.isInteger(c.bulk.maxPayloadSize) && c.bulk.maxPayloadSize > 0);
		assert.equal(c.filter.supported, true);
		assert.ok(Number.isInteger(c.filter.maxResults) && c.filter.maxResults > 0);
		assert.equal(typeof c.changePassword.supported, 'boolean');
		assert.equal(typeof c.sort.supported, 'boolean');
		assert.equal(c.etag.supported, true);
		assert.ok(Array.isArray(c.authenticationSchemes) && c.authenticationSchemes.length > 0);
		for (const s of c.authenticationSchemes) {
			assert.equal(typeof s.type, 'string');
			assert.equal(typeof s.name, 'string');
			assert.equal(typeof s.description, 'string');
		}
		assert.equal(c.meta?.resourceType, 'ServiceProviderConfig');
		assert.ok(c.meta.location.endsWith('/ServiceProviderConfig'));
	});

	test("reports the tenant's real limits", async () => {
		const { token } = newTenant({ max_results: 25, max_payload_bytes: 65536, bulk_max_operations: 12 });
		const c = await getOk('/ServiceProviderConfig', { token });
		assert.equal(c.filter.maxResults, 25);
		assert.equal(c.bulk.maxPayloadSize, 65536);
		assert.equal(c.bulk.maxOperations, 12);
	});

	test('filter.maxResults caps the page size', async () => {
		const { token } = newTenant({ max_results: 3 });
		for (let i = 0; i < 5; i++)
			await create('/Users', userResource(), { token });
		const b = assertListResponse(await scim('GET', '/Users?count=100', { token }), { total: 5 });
		assert.ok(b.itemsPerPage <= 3, `itemsPerPage ${b.itemsPerPage} over maxResults 3`);
		const d = assertListResponse(await scim('GET', '/Users', { token }), { total: 5 });
		assert.ok(d.itemsPerPage <= 3);
	});
});

describe('discovery: /ResourceTypes', () => {
	test('a ListResponse of User and Group', async () => {
		const b = assertListResponse(await scim('GET', '/ResourceTypes'));
		assert.equal(b.totalResults, b.Resources.length);
		const byId = Object.fromEntries(b.Resources.map((r) => [r.id, r]));
		assert.ok(byId.User && byId.Group, Object.keys(byId).join());
		for (const r of b.Resources)
			assert.deepEqual(r.schemas, [RESOURCE_TYPE_URN]);
		assert.equal(byId.User.endpoint, '/Users');
		assert.equal(byId.User.schema, USER_URN);
		assert.ok(byId.User.schemaExtensions.some((e) => e.schema === ENTERPRISE_URN && typeof e.required === 'boolean'));
		assert.equal(byId.Group.endpoint, '/Groups');
		assert.equal(byId.Group.schema, GROUP_URN);
	});

	test('/ResourceTypes/User and /ResourceTypes/Group', async () => {
		for (const [name, endpoint, schema] of [['User', '/Users', USER_URN], ['Group', '/Groups', GROUP_URN]]) {
			const res = await scim('GET', `/ResourceTypes/${name}`);
			assert.equal(res.status, 200, res.text);
			assertScimJson(res);
			assert.deepEqual(res.body.schemas, [RESOURCE_TYPE_URN]);
			assert.equal(res.body.id, name);
			assert.equal(res.body.name, name);
			assert.equal(res.body.endpoint, endpoint);
			assert.equal(res.body.schema, schema);
			assert.equal(res.body.meta?.resourceType, 'ResourceType');
			assert.ok(res.body.meta.location.endsWith(`/ResourceTypes/${name}`));
		}
	});

	test('an unknown resource type is 404', async () => {
		assertScimError(await scim('GET', '/ResourceTypes/Device'), 404);
	});
});

describe('discovery: /Schemas', () => {
	test('a ListResponse of complete User, enterprise User and Group schemas', async () => {
		const b = assertListResponse(await scim('GET', '/Schemas'));
		const byId = Object.fromEntries(b.Resources.map((s) => [s.id, s]));
		for (const id of [USER_URN, ENTERPRISE_URN, GROUP_URN]) {
			assert.ok(byId[id], `${id} listed`);
			assertSchemaDoc(byId[id], id);
		}
	});

	test('/Schemas/{urn} gives each schema, complete and correct', async () => {
		const user = await getOk(`/Schemas/${USER_URN}`);
		assertSchemaDoc(user, USER_URN);
		const names = user.attributes.map((a) => a.name);
		for (const n of ['id', 'externalId', 'userName', 'name', 'displayName', 'emails', 'active', 'password', 'groups'])
			assert.ok(names.includes(n), `User has ${n}: ${names}`);
		assert.equal(attr(user, 'userName').required, true);
		assert.equal(attr(user, 'userName').uniqueness, 'server');
		assert.equal(attr(user, 'userName').caseExact, false);
		assert.equal(attr(user, 'id').mutability, 'readOnly');
		assert.equal(attr(user, 'id').returned, 'always');
		assert.equal(attr(user, 'externalId').caseExact, true);
		assert.equal(attr(user, 'password').mutability, 'writeOnly');
		assert.equal(attr(user, 'password').returned, 'never');
		assert.equal(attr(user, 'groups').mutability, 'readOnly');
		assert.equal(attr(user, 'emails').multiValued, true);
		assert.equal(attr(user, 'emails.value').type, 'string');
		assert.equal(attr(user, 'emails.primary').type, 'boolean');
		assert.equal(attr(user, 'active').type, 'boolean');
		assert.equal(attr(user, 'name').type, 'complex');
		assert.equal(attr(user, 'name.givenName').type, 'string');

		const ent = await getOk(`/Schemas/${ENTERPRISE_URN}`);
		assertSchemaDoc(ent, ENTERPRISE_URN);
		assert.equal(attr(ent, 'employeeNumber').type, 'string');
		assert.equal(attr(ent, 'manager').type, 'complex');
		assert.equal(attr(ent, 'manager.value').type, 'string');

		const group = await getOk(`/Schemas/${GROUP_URN}`);
		assertSchemaDoc(group, GROUP_URN);
		assert.equal(attr(group, 'displayName').required, true);
		assert.equal(attr(group, 'members').multiValued, true);
		assert.equal(attr(group, 'members.value').mutability, 'immutable');
	});

	test('an unknown schema is 404', async () => {
		assertScimError(await scim('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Device'), 404);
		assertScimError(await scim('GET', '/Schemas/nope'), 404);
	});
});

describe('discovery: methods and filters', () => {
	for (const ep of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas']) {
		test(`POST, PUT, PATCH, DELETE ${ep} are 405`, async () => {
			for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
				const res = await scim(m, ep, m === 'DELETE' ? {} : { body: {} });
				assertScimError(res, 405);
				assert.ok(/GET/.test(res.headers.allow ?? ''), `Allow: ${res.headers.allow}`);
			}
		});
	}

	test('a filter on a discovery endpoint is 403 (RFC 7644 §4)', async () => {
		assertScimError(await scim('GET', `/Schemas${qs({ filter: 'id eq "x"' })}`), 403);
		assertScimError(await scim('GET', `/ResourceTypes${qs({ filter: 'name eq "User"' })}`), 403);
	});

	test('discovery over HTTPS gives https locations', { skip: HTTPS_URL ? false : 'no SCIM_HTTPS_URL' }, async () => {
		const c = await getOk('/ServiceProviderConfig', { https: true });
		assert.ok(c.meta.location.startsWith('https://'), c.meta.location);
		const u = await create('/Users', userResource(), { https: true });
		assert.ok(u.meta.location.startsWith('https://'), u.meta.location);
	});
});

describe('URL conventions the IdPs rely on', () => {
	test("a trailing slash is tolerated", async () => {
		assertListResponse(await scim('GET', '/Users/?count=1'));
		assertListResponse(await scim('GET', '/Groups/?count=1'));
		assert.equal((await scim('GET', '/ServiceProviderConfig/')).status, 200);
		assertListResponse(await scim('GET', '/Schemas/'));
		const u = await create('/Users', userResource());
		const got = await scim('GET', `/Users/${u.id}/`);
		assert.equal(got.status, 200, got.text);
		assert.equal(got.body.id, u.id);
		const made = await scim('POST', '/Users/', { body: userResource() });
		assert.equal(made.status, 201, made.text);
	});

	test('a doubled slash is tolerated', async () => {
		const u = await create('/Users', userResource());
		const got = await scim('GET', `//Users/${u.id}`);
		assert.equal(got.status, 200, got.text);
	});

	test("'+' and %20 both encode spaces in filters; %2B is a literal plus", async () => {
		const userName = `${uniq('plus')}+tag@example.com`;
		const u = await create('/Users', userResource(userName));
		for (const plus of [false, true]) {
			const b = assertListResponse(await scim('GET', `/Users${qs({ filter: eqFilter('userName', userName) }, { plus })}`), { total: 1 });
			assert.equal(b.Resources[0].id, u.id);
		}
		const raw = `/Users?filter=userName+eq+%22${encodeURIComponent(userName)}%22`;
		assert.ok(raw.includes('%2B'));
		assertListResponse(await scim('GET', raw), { total: 1 });
	});

	test('unknown query parameters are ignored, with or without a value', async () => {
		const u = await create('/Users', userResource());
		const f = encodeURIComponent(eqFilter('userName', u.userName));
		for (const p of [`?aadOptscim062020&filter=${f}`, `?filter=${f}&aadOptscim062020=true`, `?foo=bar&filter=${f}&x`]) {
			const b = assertListResponse(await scim('GET', `/Users${p}`), { total: 1 });
			assert.equal(b.Resources[0].id, u.id);
		}
		const got = await scim('GET', `/Users/${u.id}?aadOptscim062020`);
		assert.equal(got.status, 200, got.text);
	});

	test('attribute names in filters are case-insensitive (RFC 7643 §2.1)', async () => {
		const g = await create('/Groups', groupResource());
		const b = assertListResponse(await scim('GET', `/Groups${qs({ filter: `DISPLAYNAME EQ "${g.displayName}"` })}`), { total: 1 });
		assert.equal(b.Resources[0].id, g.id);
	});

	test('a ListResponse with a filter echoes startIndex and counts the page', async () => {
		const { token } = newTenant();
		for (let i = 0; i < 3; i++)
			await create('/Users', userResource(`${uniq('page')}@example.com`), { token });
		const b = assertListResponse(await scim('GET', `/Users${qs({ filter: 'userName sw "page-"', startIndex: 2, count: 1 })}`, { token }),
			{ total: 3, startIndex: 2, itemsPerPage: 1 });
		assert.deepEqual(b.schemas, [LIST_URN]);
		assertListResponse(await scim('GET', '/Users?count=0', { token }), { total: 3, itemsPerPage: 0 });
	});
});
