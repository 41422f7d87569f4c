import type { RestClient } from './rest-client.js';

/** Logs in through Rocket.Chat's POST /api/v1/login; returns its X-User-Id / X-Auth-Token headers. */
export async function rocketchatLogin(
  client: RestClient,
  appId: string,
  user: string,
  password: string,
): Promise<Record<string, string>> {
  const { status, body } = await client.json<{ data: { userId: string; authToken: string } }>(
    '/api/v1/login',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-App-Id': appId },
      body: JSON.stringify({ user, password }),
    },
  );
  if (status !== 200) throw new Error(`Rocket.Chat login failed: ${status} ${JSON.stringify(body)}`);
  return { 'X-User-Id': body.data.userId, 'X-Auth-Token': body.data.authToken };
}

/** Logs in through Virola's POST /api/v1/login; returns the session cookie header and the session id. */
export async function virolaLogin(
  client: RestClient,
  appId: string,
  userName: string,
  password: string,
): Promise<{ cookie: string; userSessionId: string; userId: number; setCookie: string }> {
  const response = await client.fetch('/api/v1/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-App-Id': appId },
    body: JSON.stringify({ userName, password }),
  });
  const body = (await response.json()) as { userSessionId: string; userId: number };
  if (response.status !== 200)
    throw new Error(`Virola login failed: ${response.status} ${JSON.stringify(body)}`);
  const setCookie = response.headers.get('set-cookie') ?? '';
  return {
    cookie: setCookie.split(';')[0] ?? '',
    userSessionId: body.userSessionId,
    userId: body.userId,
    setCookie,
  };
}
