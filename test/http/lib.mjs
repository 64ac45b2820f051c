// test/http/lib.mjs - helpers for the end-to-end tests (*.test.mjs) that talk
// to the stack over HTTP through nginx.  Node 18+ built-ins only.
//
// The environment comes from the stack's env file (scripts/test.sh exports
// it; by hand: `. .run/env && node --test test/http/`):
//   SCIM_BASE_URL  e.g. http://127.0.0.1:8080/scim/v2
//   SCIM_TOKEN     a bearer token of tenant "default"
//   SCIM_HTTPS_URL, SCIM_CA_CERT   the HTTPS side (self-signed certificate)
//   PGHOST PGPORT PGUSER PGDATABASE   the database, for sql()
//
//   import { scim, sql, newTenant, assertScimError } from './lib.mjs';
//   const res = await scim('POST', '/Users', { body: { schemas: [...], userName: 'a' } });
//   assert.equal(res.status, 201);
//   assert.equal(res.body.userName, 'a');

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export const BASE_URL = process.env.SCIM_BASE_URL ?? '';
export const HTTPS_URL = process.env.SCIM_HTTPS_URL ?? '';
export const TOKEN = process.env.SCIM_TOKEN ?? '';

export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const BULK_REQUEST_URN = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

function needEnv() {
	if (!BASE_URL || !TOKEN)
		throw new Error('SCIM_BASE_URL and SCIM_TOKEN are not set: run through scripts/test.sh, or `. .run/env` first');
}

// Keep-alive like a real IdP, but never keep the test process alive.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let httpsAgent;
function agentFor(url) {
	if (url.protocol === 'http:')
		return httpAgent;
	if (!httpsAgent) {
		const opts = { keepAlive: true, maxSockets: 16 };
		if (process.env.SCIM_CA_CERT)
			opts.ca = readFileSync(process.env.SCIM_CA_CERT);
		httpsAgent = new https.Agent(opts);
	}
	return httpsAgent;
}

function parseJson(text) {
	if (text === '')
		return null;
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

/**
 * One HTTP request to the SCIM service.
 *
 * method   'GET', 'POST', ... (any method; GET and DELETE may carry a body)
 * path     relative to SCIM_BASE_URL ('/Users?filter=...'), or an absolute URL
 * options
 *   body     an object/array (sent as JSON) or, with raw: true, a string,
 *            Buffer or Uint8Array sent byte for byte
 *   raw      send body as is
 *   token    bearer token (default SCIM_TOKEN); null: no Authorization header
 *   headers  extra request headers; a header set to null is not sent
 *            (Content-Type defaults to application/scim+json when there is
 *            a body)
 *   https    true: use SCIM_HTTPS_URL instead of SCIM_BASE_URL
 *
 * Returns { status, headers (lower-cased names), body (parsed JSON or null),
 *           text (the raw body) }.
 */
export async function scim(method, path, options = {}) {
	needEnv();
	const { body, raw = false, token = TOKEN, headers = {}, https: useHttps = false } = options;
	const base = useHttps ? HTTPS_URL : BASE_URL;
	const url = new URL(/^https?:\/\//.test(path) ? path : base + path);

	let payload = null;
	if (body !== undefined && body !== null) {
		if (raw)
			payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
		else
			payload = Buffer.from(JSON.stringify(body), 'utf8');
	}

	const h = {};
	if (token !== null && token !== undefined)
		h['authorization'] = `Bearer ${token}`;
	if (payload !== null) {
		h['content-type'] = 'application/scim+json';
		h['content-length'] = String(payload.length);
	}
	for (const [k, v] of Object.entries(headers))
		h[k.toLowerCase()] = v;
	for (const k of Object.keys(h))
		if (h[k] === null || h[k] === undefined)
			delete h[k];

	return new Promise((resolve, reject) => {
		const mod = url.protocol === 'https:' ? https : http;
		const req = mod.request(url, { method, headers: h, agent: agentFor(url) }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode, headers: res.headers, body: parseJson(text), text });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.setTimeout(30000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
		if (payload !== null)
			req.write(payload);
		req.end();
	});
}

/**
 * Send bytes as they are over a fresh TCP connection to the HTTP port, for
 * what a normal client would not send (raw non-ASCII URIs, broken requests).
 * Give the whole request, e.g. 'GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n
 * Connection: close\r\n\r\n'.  Returns { status, headers, body, text }.
 */
export function rawHttp(request) {
	needEnv();
	const url = new URL(BASE_URL);
	return new Promise((resolve, reject) => {
		const chunks = [];
		const sock = net.connect(Number(url.port || 80), url.hostname, () => sock.end(request));
		sock.setTimeout(30000, () => sock.destroy(new Error('rawHttp: timeout')));
		sock.on('data', (c) => chunks.push(c));
		sock.on('error', reject);
		sock.on('close', () => {
			const all = Buffer.concat(chunks).toString('latin1');
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
			const text = cut < 0 ? '' : Buffer.from(all.slice(cut + 4), 'latin1').toString('utf8');
			resolve({ status: m ? Number(m[1]) : 0, headers, body: parseJson(text), text });
		});
	});
}

/** Quote a value as an SQL literal ('it''s'); null gives NULL. */
export function lit(value) {
	if (value === null || value === undefined)
		return 'NULL';
	const s = typeof value === 'string' ? value : JSON.stringify(value);
	if (s.includes('\0'))
		throw new Error('lit: NUL byte');
	return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Run SQL with psql in the stack's database (PG* environment) and return its
 * output, unaligned and without headers, trimmed: one line per row, columns
 * separated by '|'.  Throws (with psql's message) on any error.
 *   sql(`SELECT count(*) FROM scim.users WHERE tenant_id = ${lit(t)}`)  -> '3'
 */
export function sql(query) {
	try {
		return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', query], {
			encoding: 'utf8',
			env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
			stdio: ['ignore', 'pipe', 'pipe'],
		}).replace(/\n$/, '');
	} catch (e) {
		throw new Error(`sql failed: ${query}\n${e.stderr || e.message}`);
	}
}

/** sql() for a query returning one json/jsonb value: parsed, or null. */
export function sqlJson(query) {
	const out = sql(query);
	return out === '' ? null : JSON.parse(out);
}

let counter = 0;
/** A name unique to this process and call: uniq('alice') -> 'alice-4711-1-lq3x'. */
export function uniq(prefix = 't') {
	counter += 1;
	return `${prefix}-${process.pid}-${counter}-${Date.now().toString(36)}`;
}

/**
 * A new tenant with its own token, for tests that need isolation:
 *   const { tenant, token } = newTenant({ put_mode: 'merge' });
 *   await scim('GET', '/Users', { token });
 */
export function newTenant(settings = {}, name = uniq('tenant')) {
	sql(`SELECT scim.tenant_create(${lit(name)}, ${lit(JSON.stringify(settings))}::jsonb)`);
	const token = sql(`SELECT scim.token_issue(${lit(name)}, ${lit(uniq('label'))})`);
	return { tenant: name, token };
}

/** A token for an existing tenant. */
export function newToken(tenant) {
	return sql(`SELECT scim.token_issue(${lit(tenant)}, ${lit(uniq('label'))})`);
}

/**
 * Assert a SCIM Error response (RFC 7644 section 3.12): the status, Content-Type
 * application/scim+json, the Error schema, "status" as a STRING equal to the
 * code, scimType when given (null: must be absent), and a detail.
 */
export function assertScimError(res, status, scimType) {
	const where = `${res.status} ${res.text.slice(0, 300)}`;
	assert.equal(res.status, status, `HTTP status: ${where}`);
	assert.match(String(res.headers['content-type'] ?? ''), /^application\/scim\+json\b/,
		`Content-Type: ${res.headers['content-type']}`);
	assert.ok(res.body && typeof res.body === 'object', `a JSON body: ${where}`);
	assert.deepEqual(res.body.schemas, [ERROR_URN], `schemas: ${where}`);
	assert.equal(res.body.status, String(status), `"status" must be the string "${status}": ${where}`);
	if (scimType === null)
		assert.equal(res.body.scimType, undefined, `no scimType expected: ${where}`);
	else if (scimType !== undefined)
		assert.equal(res.body.scimType, scimType, `scimType: ${where}`);
	assert.equal(typeof res.body.detail, 'string', `detail: ${where}`);
	assert.ok(res.body.detail.length > 0, `detail not empty: ${where}`);
}

/** A minimal valid User resource. */
export function userResource(userName = `${uniq('user')}@example.com`, extra = {}) {
	return { schemas: [USER_URN], userName, ...extra };
}

/** A minimal valid Group resource. */
export function groupResource(displayName = uniq('group'), extra = {}) {
	return { schemas: [GROUP_URN], displayName, ...extra };
}

// ---- Helpers of the flow tests (okta, entra, auth, errors, discovery, etag) ----

export const SPC_URN = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_URN = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_URN = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** A promise resolved after ms milliseconds. */
export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A query string ('?a=1&b=2', or '' without parameters), encoded as clients
 * do it: encodeURIComponent (quotes %22, '@' %40), spaces as %20, or as '+'
 * with { plus: true } (Entra, Okta's guide).  params is an object or a list
 * of [name, value] pairs; a value of null gives the bare name
 * (Entra's "?aadOptscim062020").
 */
export function qs(params, { plus = false } = {}) {
	const pairs = Array.isArray(params) ? params : Object.entries(params);
	const enc = (s) => {
		const e = encodeURIComponent(String(s));
		return plus ? e.replace(/%20/g, '+') : e;
	};
	const parts = pairs
		.filter(([, v]) => v !== undefined)
		.map(([k, v]) => (v === null ? enc(k) : `${enc(k)}=${enc(v)}`));
	return parts.length ? `?${parts.join('&')}` : '';
}

/** 'attr eq "value"' with the value as a JSON string. */
export function eqFilter(attr, value) {
	return `${attr} eq ${JSON.stringify(value)}`;
}

/** Content-Type must be application/scim+json (parameters allowed). */
export function assertScimJson(res) {
	assert.match(String(res.headers['content-type'] ?? ''), /^application\/scim\+json\b/,
		`Content-Type of ${res.status}: ${res.headers['content-type']}`);
}

/**
 * Assert a 200 ListResponse (RFC 7644 §3.4.2, docs/conformance.md): schemas,
 * integer totalResults/startIndex/itemsPerPage, Resources an array (also
 * when empty) with itemsPerPage elements.  Optional exact expectations:
 * { total, startIndex, itemsPerPage }.  Returns the body.
 */
export function assertListResponse(res, expect = {}) {
	const where = `${res.status} ${res.text.slice(0, 300)}`;
	assert.equal(res.status, 200, `HTTP status: ${where}`);
	assertScimJson(res);
	const b = res.body;
	assert.ok(b && typeof b === 'object', `a JSON body: ${where}`);
	assert.deepEqual(b.schemas, [LIST_URN], `schemas: ${where}`);
	for (const k of ['totalResults', 'startIndex', 'itemsPerPage'])
		assert.ok(Number.isInteger(b[k]), `${k} must be an integer (not a string): ${where}`);
	assert.ok(Array.isArray(b.Resources), `Resources must be an array, [] when empty: ${where}`);
	assert.equal(b.itemsPerPage, b.Resources.length, `itemsPerPage = resources on this page: ${where}`);
	if (expect.total !== undefined)
		assert.equal(b.totalResults, expect.total, `totalResults: ${where}`);
	if (expect.startIndex !== undefined)
		assert.equal(b.startIndex, expect.startIndex, `startIndex: ${where}`);
	if (expect.itemsPerPage !== undefined)
		assert.equal(b.itemsPerPage, expect.itemsPerPage, `itemsPerPage: ${where}`);
	return b;
}

/**
 * Assert a successful write answered with the resource (200) or without a
 * body (204), as RFC 7644 §3.5.2 allows for PATCH.  Returns the body or null.
 */
export function assertOkOrNoContent(res) {
	const where = `${res.status} ${res.text.slice(0, 300)}`;
	assert.ok(res.status === 200 || res.status === 204, `200 or 204 expected: ${where}`);
	if (res.status === 204) {
		assert.equal(res.text, '', `204 has no body: ${where}`);
		return null;
	}
	assertScimJson(res);
	assert.ok(res.body && typeof res.body === 'object', `a JSON body: ${where}`);
	return res.body;
}

/** A random UUID (what Entra puts in its Test Connection filter). */
export function randomGuid() {
	return randomUUID();
}

/** Deep search: does any object key in v equal name (case-insensitive)? */
export function hasKeyDeep(v, name) {
	if (Array.isArray(v))
		return v.some((x) => hasKeyDeep(x, name));
	if (v && typeof v === 'object')
		return Object.entries(v).some(([k, x]) =>
			k.toLowerCase() === name.toLowerCase() || hasKeyDeep(x, name));
	return false;
}

/**
 * POST a resource and assert 201; returns the created body.
 *   const u = await create('/Users', userResource());
 */
export async function create(endpoint, resource, options = {}) {
	const res = await scim('POST', endpoint, { ...options, body: resource });
	assert.equal(res.status, 201, `POST ${endpoint}: ${res.status} ${res.text.slice(0, 300)}`);
	assert.equal(typeof res.body?.id, 'string', `POST ${endpoint}: no id in ${res.text.slice(0, 300)}`);
	return res.body;
}

/** GET a resource by path and assert 200; returns the body. */
export async function getOk(path, options = {}) {
	const res = await scim('GET', path, options);
	assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
	return res.body;
}
