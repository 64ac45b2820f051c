// test/http/clients.mjs - requests shaped like the ones Okta and Microsoft
// Entra ID send (docs/okta.md, docs/entra.md), for okta.test.mjs and
// entra.test.mjs.  Not a test file itself (node --test runs *.test.mjs).

import { scim, qs, uniq, USER_URN, GROUP_URN, ENTERPRISE_URN, PATCH_URN } from './lib.mjs';

export const MS_GROUP_URN = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

// ---- Okta (docs/okta.md) -------------------------------------------------

/* the headers Okta sends on every call (§1.1) */
export const OKTA_HEADERS = {
	accept: 'application/scim+json',
	'accept-charset': 'utf-8',
	'user-agent': 'Okta SCIM Client 1.0.0',
};

/**
 * One Okta request: its headers, Content-Type application/scim+json;
 * charset=utf-8 on bodies.  options.token overrides the bearer token.
 */
export function okta(method, path, body, options = {}) {
	const headers = { ...OKTA_HEADERS, ...(options.headers ?? {}) };
	if (body !== undefined)
		headers['content-type'] = 'application/scim+json; charset=utf-8';
	const o = { headers };
	if (body !== undefined)
		o.body = body;
	if ('token' in options)
		o.token = options.token;
	return scim(method, path, o);
}

/*
 * Okta's userName lookup before a create (§1.2):
 *   GET /Users?filter=userName eq "<login>"&startIndex=1&count=100
 * spaces as %20 (or '+' with plus), quotes %22, '@' %40.
 */
export function oktaLookupPath(login, { plus = false } = {}) {
	return '/Users' + qs([['filter', `userName eq "${login}"`], ['startIndex', 1], ['count', 100]], { plus });
}

/* a unique Okta login (an e-mail address) */
export function oktaLogin(prefix = 'okta') {
	return `${uniq(prefix)}@example.com`;
}

/* the body of Okta's POST /Users (§1.2) */
export function oktaUserBody(login, extra = {}) {
	return {
		schemas: [USER_URN],
		userName: login,
		name: { givenName: 'Ada', familyName: 'Lovelace' },
		emails: [{ primary: true, value: login, type: 'work' }],
		displayName: 'Ada Lovelace',
		locale: 'en-US',
		externalId: `00u${uniq('').replace(/[^a-z0-9]/gi, '')}`,
		groups: [],
		password: 'Secr3t-Okta-Pa55!',
		active: true,
		...extra,
	};
}

/* a PatchOp body */
export function patchOp(...operations) {
	return { schemas: [PATCH_URN], Operations: operations };
}

/* Okta's group push body (§1.3) */
export function oktaGroupBody(displayName, members = []) {
	return { schemas: [GROUP_URN], displayName, members };
}

// ---- Microsoft Entra ID (docs/entra.md) -----------------------------------

/*
 * The path Entra requests for a resource path and parameters.  flag is the
 * query string the admin put on the Tenant URL: false (none), true
 * ("aadOptscim062020"), or a literal form such as "aadOptscim062020=true".
 * The resource path goes before the query and Entra's own parameters after
 * it; spaces are encoded as '+' (§2.1).
 */
export function entraPath(resourcePath, params = [], flag = false) {
	const pairs = [];
	if (flag === true)
		pairs.push(['aadOptscim062020', null]);
	else if (typeof flag === 'string') {
		const [k, v] = flag.split('=');
		pairs.push([k, v === undefined ? null : v]);
	}
	pairs.push(...(Array.isArray(params) ? params : Object.entries(params)));
	return resourcePath + qs(pairs, { plus: true });
}

/**
 * One Entra request: Bearer token, bodies as application/scim+json;
 * charset=utf-8, and no Accept header on GETs (azure-docs issue 94189).
 */
export function entra(method, resourcePath, { params = [], flag = false, body, token, headers = {} } = {}) {
	const h = { ...headers };
	if (body !== undefined)
		h['content-type'] = 'application/scim+json; charset=utf-8';
	const o = { headers: h };
	if (body !== undefined)
		o.body = body;
	if (token !== undefined)
		o.token = token;
	return scim(method, entraPath(resourcePath, params, flag), o);
}

/* Entra's POST /Users body (§2.2), optional attributes included */
export function entraUserBody(userName, extra = {}) {
	const nick = userName.split('@')[0];
	return {
		schemas: [USER_URN, ENTERPRISE_URN],
		externalId: nick,
		userName,
		active: true,
		emails: [{ primary: true, type: 'work', value: userName }],
		meta: { resourceType: 'User' },
		name: { formatted: 'Grace Hopper', familyName: 'Hopper', givenName: 'Grace' },
		roles: [],
		displayName: 'Grace Hopper',
		title: 'Rear Admiral',
		phoneNumbers: [
			{ type: 'work', value: '+1 (555) 010-0100' },
			{ type: 'mobile', value: '555.010.0199' },
		],
		addresses: [{ type: 'work', streetAddress: '1 Navy Way', locality: 'Arlington', region: 'VA', postalCode: '22201', country: 'US' }],
		[ENTERPRISE_URN]: { employeeNumber: '0042', department: 'Computing' },
		...extra,
	};
}

/* Entra's POST /Groups body (§2.2): the Microsoft schema URN, no members */
export function entraGroupBody(displayName, externalId = uniq('aadgrp')) {
	return {
		schemas: [GROUP_URN, MS_GROUP_URN],
		externalId,
		displayName,
		meta: { resourceType: 'Group' },
	};
}
