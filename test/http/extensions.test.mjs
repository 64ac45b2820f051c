// Custom attributes over HTTP: a tenant's own extension schema is validated,
// stored, returned, filtered, sorted, patched by URN path and listed in
// discovery for that tenant only (src/extension.c).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	scim, sql, lit, newTenant, uniq, assertScimError, assertListResponse, qs, PATCH_URN, USER_URN,
} from './lib.mjs';

const URN = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

function withExtension() {
	const t = newTenant();
	sql(`SELECT scim.schema_extension_add(${lit(t.tenant)}, ${lit(URN)}, ${lit(JSON.stringify([
		{ name: 'badge', type: 'integer' },
		{ name: 'shirt', canonicalValues: ['S', 'M', 'L'] },
		{ name: 'office', type: 'complex', subAttributes: [{ name: 'building' }, { name: 'floor', type: 'integer' }] },
	]))}::jsonb)`);
	return t;
}

async function createUser(token, ext, name = `${uniq('ext')}@example.com`) {
	return scim('POST', '/Users', { token, body: { schemas: [USER_URN, URN], userName: name, [URN]: ext } });
}

describe('custom attributes through nginx', () => {
	test('values are stored and returned under their URN, with the URN in schemas', async () => {
		const { token } = withExtension();
		const res = await createUser(token, { badge: 42, shirt: 'M', office: { building: 'HQ', floor: 3 } });
		assert.equal(res.status, 201);
		assert.deepEqual(res.body[URN], { badge: 42, shirt: 'M', office: { building: 'HQ', floor: 3 } });
		assert.ok(res.body.schemas.includes(URN));
		const again = await scim('GET', `/Users/${res.body.id}`, { token });
		assert.deepEqual(again.body[URN], res.body[URN]);
	});

	test('values are type-checked: a string for an integer is invalidValue, nothing stored', async () => {
		const { token } = withExtension();
		const name = `${uniq('bad')}@example.com`;
		assertScimError(await createUser(token, { badge: 'forty-two' }, name), 400, 'invalidValue');
		assertScimError(await createUser(token, { colour: 'red' }, name), 400, 'invalidSyntax');
		assertListResponse(await scim('GET', `/Users${qs({ filter: `userName eq "${name}"` })}`, { token }), { total: 0 });
	});

	test('filterable and sortable by URN-qualified name', async () => {
		const { token } = withExtension();
		const a = (await createUser(token, { badge: 5, office: { building: 'HQ' } })).body;
		const b = (await createUser(token, { badge: 50, office: { building: 'Annex' } })).body;
		let res = await scim('GET', `/Users${qs({ filter: `${URN}:badge gt 10` })}`, { token });
		assertListResponse(res, { total: 1 });
		assert.equal(res.body.Resources[0].id, b.id);
		res = await scim('GET', `/Users${qs({ filter: `${URN}:office.building eq "hq"` })}`, { token });
		assertListResponse(res, { total: 1 });
		assert.equal(res.body.Resources[0].id, a.id);
		res = await scim('GET', `/Users${qs({ sortBy: `${URN}:badge`, sortOrder: 'descending' })}`, { token });
		assert.deepEqual(res.body.Resources.map((r) => r.id), [b.id, a.id]);
		assertScimError(await scim('GET', `/Users${qs({ filter: `${URN}:nope eq 1` })}`, { token }), 400, 'invalidFilter');
	});

	test('PATCHable by URN path, path-less with URN keys, and projected', async () => {
		const { token } = withExtension();
		const u = (await createUser(token, { badge: 1, shirt: 'S' })).body;
		let res = await scim('PATCH', `/Users/${u.id}`, { token, body: { schemas: [PATCH_URN], Operations: [
			{ op: 'Replace', path: `${URN}:badge`, value: 2 },
			{ op: 'add', path: `${URN}:office.building`, value: 'HQ' },
		] } });
		assert.equal(res.status, 200);
		assert.deepEqual(res.body[URN], { badge: 2, shirt: 'S', office: { building: 'HQ' } });
		res = await scim('PATCH', `/Users/${u.id}`, { token, body: { schemas: [PATCH_URN], Operations: [
			{ op: 'replace', value: { [`${URN}:shirt`]: 'L' } },
			{ op: 'remove', path: `${URN}:office` },
		] } });
		assert.deepEqual(res.body[URN], { badge: 2, shirt: 'L' });
		res = await scim('GET', `/Users/${u.id}${qs({ attributes: `${URN}:badge` })}`, { token });
		assert.deepEqual(res.body[URN], { badge: 2 });
		assert.equal(res.body.userName, undefined);
		res = await scim('GET', `/Users/${u.id}${qs({ excludedAttributes: URN })}`, { token });
		assert.equal(res.body[URN], undefined);
		assert.ok(!res.body.schemas.includes(URN));
		assertScimError(await scim('PATCH', `/Users/${u.id}`, { token, body: { schemas: [PATCH_URN], Operations: [
			{ op: 'replace', path: `${URN}:badge`, value: 'x' },
		] } }), 400, 'invalidValue');
	});

	test("listed in /Schemas and /ResourceTypes for that tenant only", async () => {
		const { token } = withExtension();
		const other = newTenant();
		const schemas = await scim('GET', '/Schemas', { token });
		const mine = schemas.body.Resources.find((s) => s.id === URN);
		assert.ok(mine, 'the extension is listed');
		assert.deepEqual(mine.attributes.map((a) => a.name), ['badge', 'shirt', 'office']);
		assert.equal(mine.attributes[0].type, 'integer');
		assert.deepEqual(mine.attributes[1].canonicalValues, ['S', 'M', 'L']);
		assert.deepEqual(mine.attributes[2].subAttributes.map((a) => a.name), ['building', 'floor']);
		const one = await scim('GET', `/Schemas/${URN}`, { token });
		assert.equal(one.status, 200);
		assert.equal(one.body.id, URN);
		const rt = await scim('GET', '/ResourceTypes/User', { token });
		assert.ok(rt.body.schemaExtensions.some((e) => e.schema === URN && e.required === false));

		const theirs = await scim('GET', '/Schemas', { token: other.token });
		assert.ok(!theirs.body.Resources.some((s) => s.id === URN), 'not listed for another tenant');
		assertScimError(await scim('GET', `/Schemas/${URN}`, { token: other.token }), 404);
		assertScimError(await createUser(other.token, { badge: 1 }), 400, 'invalidSyntax');
	});
});
