import type { Config } from '../config.js';
import type { DemoCredentials } from './demo-data.js';

/** What a person needs to try every dialect against the demo data, ready to paste. */
export function formatDemoBanner(demo: DemoCredentials, baseUrl: string, config: Config): string[] {
  const [first] = demo.users;
  const token = first?.token ?? '<token>';
  const userId = first?.userId ?? 'sss';
  const imkit = `${baseUrl}${config.IMKIT_PREFIX}`;
  const rocket = `${baseUrl}${config.ROCKETCHAT_PREFIX}`;
  const virola = `${baseUrl}${config.VIROLA_PREFIX}`;
  const apiKeyLine =
    demo.apiKey !== null
      ? `  API key          ${demo.apiKey}   (platform admin: IM-API-KEY or Bearer; shown only now)`
      : '  API key          (kept: only its hash is stored; `chat-bff seed demo` with the server stopped rotates it and prints the new one)';
  const width = Math.max(...demo.users.map((u) => u.userId.length));
  return [
    `Demo app ${demo.appId} ${demo.created ? 'created' : 'already there; fresh tokens issued'}.`,
    '',
    `  GraphiQL         ${baseUrl}/graphql`,
    `  Client key       ${demo.clientKey}   (IMKit IM-CLIENT-KEY)`,
    apiKeyLine,
    '  Users (client token for GraphQL Bearer / IMKit IM-Authorization; password for Rocket.Chat / Virola logins):',
    ...demo.users.map(
      (u) =>
        `    ${u.userId.padEnd(width)}  ${u.nickname.padEnd(6)} password ${u.password}  token ${u.token}`,
    ),
    '',
    '  Try:',
    `    curl -s ${baseUrl}/graphql -H 'Authorization: Bearer ${token}' -H 'content-type: application/json' \\`,
    `      -d '{"query":"{ viewer { userId nickname rooms(first: 10) { edges { node { roomId name unread } } } } }"}'`,
    `    curl -s '${imkit}/rooms?limit=20&sort=-lastMessage' -H 'IM-CLIENT-KEY: ${demo.clientKey}' -H 'IM-Authorization: ${token}'`,
    `    curl -s ${rocket}/api/v1/login -H 'X-App-Id: ${demo.appId}' -H 'content-type: application/json' -d '{"user":"${userId}","password":"${first?.password ?? ''}"}'`,
    `      then GET ${rocket}/api/v1/rooms.get with X-User-Id and X-Auth-Token from its data`,
    `    curl -s -c /tmp/virola.cookies ${virola}/api/v1/login -H 'X-App-Id: ${demo.appId}' -H 'content-type: application/json' -d '{"userName":"${userId}","password":"${first?.password ?? ''}"}'`,
    `      then curl -s -b /tmp/virola.cookies ${virola}/api/v1/rooms`,
  ];
}
