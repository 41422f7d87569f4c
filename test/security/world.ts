import { dataAt, graphql, postJson, header, type GraphQLAnswer } from './http.js';
import type { LogLine } from './server.js';

/*
 * What the attacks run on: two apps made by `chat-bff app create` before the server
 * starts, and users, tokens, rooms and roles made through the API with an app's API key,
 * as an operator would. Every attack makes its own users, so one attack's counts
 * (failed logins, writes) never reach another's.
 */

export interface AuditApp {
  appId: string;
  clientKey: string;
  apiKey: string;
}

export interface AuditContext {
  url: string;
  quick: boolean;
  a: AuditApp;
  b: AuditApp;
  errorLines(): LogLine[];
}

export const PASSWORD = 'audit-password-1';

/** Runs a GraphQL operation with the app's API key; throws when it did not succeed. */
export async function asPlatform(
  ctx: AuditContext,
  app: AuditApp,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer> {
  const answer = await graphql(ctx.url, query, variables, { 'im-api-key': app.apiKey });
  if (answer.status !== 200 || answer.codes.length > 0)
    throw new Error(
      `setup failed (${answer.status} ${answer.codes.join(',')}): ${answer.text.slice(0, 300)}`,
    );
  return answer;
}

export async function createUser(
  ctx: AuditContext,
  app: AuditApp,
  userId: string,
  password: string | undefined = PASSWORD,
  username?: string,
): Promise<number> {
  const answer = await asPlatform(
    ctx,
    app,
    `mutation($i: CreateUserInput!) { createUser(input: $i) {
      __typename ... on CreateUserPayload { user { numericId } } ... on Error { code message } } }`,
    {
      i: { userId, ...(password !== undefined && { password }), ...(username !== undefined && { username }) },
    },
  );
  return Number(dataAt(answer, 'createUser.user.numericId'));
}

export async function issueToken(ctx: AuditContext, app: AuditApp, userId: string): Promise<string> {
  const answer = await asPlatform(
    ctx,
    app,
    `mutation($u: String!) { issueClientToken(input: { userId: $u, ttlSeconds: 3600 }) {
      __typename ... on IssueClientTokenPayload { token } ... on Error { code message } } }`,
    { u: userId },
  );
  return String(dataAt(answer, 'issueClientToken.token'));
}

/** A user with a password and a client token. */
export async function createUserWithToken(
  ctx: AuditContext,
  app: AuditApp,
  userId: string,
): Promise<{ userId: string; token: string; bearer: Record<string, string> }> {
  await createUser(ctx, app, userId);
  const token = await issueToken(ctx, app, userId);
  return { userId, token, bearer: { authorization: `Bearer ${token}` } };
}

/** A group room owned by `ownerId`; returns its numeric id. */
export async function createRoom(
  ctx: AuditContext,
  app: AuditApp,
  roomId: string,
  ownerId: string,
  memberIds: string[] = [],
): Promise<number> {
  const answer = await asPlatform(
    ctx,
    app,
    `mutation($i: CreateRoomInput!) { createRoom(input: $i) {
      __typename ... on CreateRoomPayload { room { numericId } } ... on Error { code message } } }`,
    { i: { roomId, ownerId, memberIds, name: roomId } },
  );
  return Number(dataAt(answer, 'createRoom.room.numericId'));
}

export async function setRole(
  ctx: AuditContext,
  app: AuditApp,
  roomId: string,
  userId: string,
  role: string,
): Promise<void> {
  await asPlatform(
    ctx,
    app,
    `mutation($i: SetMemberRoleInput!) { setMemberRole(input: $i) {
      __typename ... on Error { code message } } }`,
    { i: { roomId, userId, role } },
  );
}

/** The room's members and roles, as the API key sees them. */
export async function membersOf(
  ctx: AuditContext,
  app: AuditApp,
  roomId: string,
): Promise<{ userId: string; role: string }[]> {
  const answer = await asPlatform(
    ctx,
    app,
    `query($r: String!) { room(id: $r) { members(first: 100) { edges { node { userId role } } } } }`,
    { r: roomId },
  );
  const edges = dataAt(answer, 'room.members.edges') as { node: { userId: string; role: string } }[];
  return edges.map((e) => e.node);
}

/** The texts of a room's last messages, as the API key sees them. */
export async function messagesOf(ctx: AuditContext, app: AuditApp, roomId: string): Promise<unknown[]> {
  const answer = await asPlatform(
    ctx,
    app,
    `query($r: String!) { room(id: $r) { messages(last: 100) { edges { node { message } } } } }`,
    { r: roomId },
  );
  const edges = dataAt(answer, 'room.messages.edges') as { node: { message: unknown } }[];
  return edges.map((e) => e.node.message);
}

export function rocketchatLogin(
  ctx: AuditContext,
  app: AuditApp,
  user: string,
  password: string,
  from: string,
  headers: Record<string, string> = {},
) {
  return postJson(ctx.url, '/api/v1/login', { user, password }, { 'x-app-id': app.appId, ...headers }, from);
}

export function virolaLogin(
  ctx: AuditContext,
  app: AuditApp,
  userName: string,
  password: string,
  from: string,
  headers: Record<string, string> = {},
) {
  return postJson(
    ctx.url,
    '/api/v1/login',
    { userName, password },
    { 'x-app-id': app.appId, ...headers },
    from,
  );
}

/** Logs in through Virola; returns the `Cookie` header its session cookie makes. */
export async function virolaSession(
  ctx: AuditContext,
  app: AuditApp,
  userName: string,
  from: string,
): Promise<string> {
  const answer = await virolaLogin(ctx, app, userName, PASSWORD, from);
  const cookie = header(answer, 'set-cookie')?.split(';')[0];
  if (answer.status !== 200 || !cookie)
    throw new Error(`Virola login of ${userName} failed: ${answer.status} ${answer.text.slice(0, 200)}`);
  return cookie;
}

/** Logs in through Rocket.Chat; returns its X-User-Id / X-Auth-Token headers. */
export async function rocketchatSession(
  ctx: AuditContext,
  app: AuditApp,
  user: string,
  password: string,
  from: string,
): Promise<Record<string, string>> {
  const answer = await rocketchatLogin(ctx, app, user, password, from);
  const data = (answer.json as { data?: { userId?: string; authToken?: string } } | undefined)?.data;
  if (answer.status !== 200 || !data?.userId || !data.authToken)
    throw new Error(`Rocket.Chat login of ${user} failed: ${answer.status} ${answer.text.slice(0, 200)}`);
  return { 'x-user-id': data.userId, 'x-auth-token': data.authToken };
}

/** A short, single-line excerpt of an answer's body. */
export function excerpt(text: string, length = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}
