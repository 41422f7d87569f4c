import type { HttpRequestSpec } from './load.js';

/*
 * Before a case is loaded, one answer from each server is checked: HTTP 200 and no
 * error inside (GraphQL errors, IMKit RC, Rocket.Chat success, a mutation's error
 * union). Then the shapes of chat-bff's and the floor's JSON are compared, so "the same
 * JSON" is a measured claim.
 */

export async function checkResponse(
  baseUrl: string,
  spec: HttpRequestSpec,
  kind: 'read' | 'write',
): Promise<string> {
  const response = await fetch(`${baseUrl}${spec.path}`, {
    method: spec.method,
    headers: spec.headers,
    ...(spec.body !== undefined && { body: spec.body }),
  });
  const text = await response.text();
  const fail = (why: string) => {
    throw new Error(`${spec.method} ${baseUrl}${spec.path} ${why}: ${text.slice(0, 600)}`);
  };
  if (response.status !== 200) fail(`answered ${response.status}`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return fail('answered something that is not JSON');
  }
  if ('errors' in body) fail('answered with GraphQL errors');
  if ('RC' in body && body.RC !== 0) fail('answered with an IMKit error');
  if ('success' in body && body.success !== true) fail('answered with a Rocket.Chat error');
  if (kind === 'write' && !text.includes('"messageId"')) fail('sent nothing');
  return text;
}

/** Every path of a JSON value: object keys joined by dots, array items as []. */
function pathsOf(value: unknown, prefix: string, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) pathsOf(item, `${prefix}[]`, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      // A message body is any JSON: its inside is data, not shape.
      const path = prefix ? `${prefix}.${key}` : key;
      into.add(path);
      if (key !== 'message' && key !== 'customFields' && key !== 'tagColors' && key !== 'md')
        pathsOf(child, path, into);
    }
  }
  return into;
}

export function shapeDifference(
  chatBff: string,
  floor: string,
): { onlyChatBff: string[]; onlyFloor: string[] } {
  const a = pathsOf(JSON.parse(chatBff), '', new Set());
  const b = pathsOf(JSON.parse(floor), '', new Set());
  return {
    onlyChatBff: [...a].filter((p) => !b.has(p)).sort(),
    onlyFloor: [...b].filter((p) => !a.has(p)).sort(),
  };
}
