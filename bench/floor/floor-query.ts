import { createHash } from 'node:crypto';
import type pg from 'pg';

/*
 * The physical limit of each read (and of a send): one hand-written statement that
 * authenticates the token, checks membership, reads the page and builds the response
 * JSON inside PostgreSQL, run as a named prepared statement (parsed and planned once per
 * connection). The same FloorQuery serves both floors: (a) calls it in-process, (b) behind
 * a bare node:http endpoint, so (b) - (a) is exactly what HTTP costs.
 */

/** What a floor request carries, however it arrived (query string or GraphQL variables). */
export interface FloorInput {
  /** sha256/base64url of the bearer token, the way chat-bff stores tokens. */
  tokenHash: string;
  /** IMKit's IM-CLIENT-KEY, Rocket.Chat's X-User-Id. */
  clientKey?: string;
  userIdHeader?: string;
  args: Record<string, unknown>;
}

export interface FloorQuery {
  /** The prepared statement's name, and the floor server's path: /floor/<name>. */
  name: string;
  text: string;
  values(input: FloorInput): unknown[];
  /** The response body from the statement's rows. */
  render(rows: Record<string, unknown>[]): string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Runs a floor query as a named prepared statement and renders its body. */
export async function runFloorQuery(
  pool: pg.Pool | pg.PoolClient,
  query: FloorQuery,
  input: FloorInput,
): Promise<string> {
  const result = await pool.query({ name: query.name, text: query.text, values: query.values(input) });
  return query.render(result.rows as Record<string, unknown>[]);
}

/** The first column of the first row: the statement built the whole body. */
export function firstColumn(rows: Record<string, unknown>[]): string {
  const row = rows[0];
  const value = row ? Object.values(row)[0] : undefined;
  if (typeof value !== 'string') throw new Error('the floor statement returned no body');
  return value;
}

export function arg(input: FloorInput, name: string): string {
  const value = input.args[name];
  if (value === undefined || value === null) throw new Error(`missing argument ${name}`);
  return String(value);
}

/** The live token's app and user (auth_tokens' primary key lookup). */
export const VIEWER_CTE = `v as (
    select t.app_id, t.user_id from auth_tokens t
    where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > now()))`;

/** Epoch milliseconds of a timestamptz, as IMKit sends them. */
export function ms(column: string): string {
  return `(extract(epoch from ${column}) * 1000)::int8`;
}

/** base64 of text, without the line breaks PostgreSQL's encode() inserts. */
export function base64(expression: string): string {
  return `translate(encode(convert_to(${expression}, 'utf8'), 'base64'), E'\\n', '')`;
}
