import { address, graphql, header, type Answer } from '../http.js';
import { AttackReport, median, ms, statusRuns } from '../report.js';
import { openSocket } from '../streams.js';
import { PASSWORD, createUser, excerpt, rocketchatLogin, virolaLogin, type AuditContext } from '../world.js';

/*
 * 1. Password and API-key guessing: 30 wrong passwords on one account then the right one
 * (per dialect); known-user vs unknown-user timing (each try from its own address, on an
 * account with failures to spare, so no limiter answers for the hash); 25 logins from one
 * address over as many accounts; the same with a new X-Forwarded-For each time (the
 * server trusts no proxy here); 25 wrong API keys from one address.
 */

const ATTACK = 1;
const WRONG = 30;
const PER_IP = 25;

type Login = (
  ctx: AuditContext,
  user: string,
  password: string,
  from: string,
  headers?: Record<string, string>,
) => Promise<Answer>;

const dialects: { name: string; login: Login }[] = [
  { name: 'Rocket.Chat', login: (ctx, u, p, from, h) => rocketchatLogin(ctx, ctx.a, u, p, from, h) },
  { name: 'Virola', login: (ctx, u, p, from, h) => virolaLogin(ctx, ctx.a, u, p, from, h) },
];

/** How many attempts reached the password check (401: wrong password; 200: right). */
const tried = (answers: Answer[]): number =>
  answers.filter((a) => a.status === 401 || a.status === 200).length;

/** "#1-5 401, #6-30 429" plus what the 429s carried. */
function describeRefusals(answers: Answer[]): { first429: number; allAfter: boolean; text: string } {
  const statuses = answers.map((a) => a.status);
  const first429 = statuses.indexOf(429) + 1;
  const limited = answers.filter((a) => a.status === 429);
  const retryAfter = limited.filter((a) => header(a, 'retry-after') !== undefined);
  const allAfter = first429 > 0 && statuses.slice(first429 - 1).every((s) => s === 429);
  const text = `${statusRuns(statuses)}${
    limited.length > 0
      ? `; Retry-After on ${retryAfter.length}/${limited.length} 429s (${header(limited[0] as Answer, 'retry-after') ?? '-'} s)`
      : ''
  }`;
  return { first429, allAfter: allAfter && retryAfter.length === limited.length, text };
}

export async function bruteForce(ctx: AuditContext): Promise<AttackReport> {
  const report = new AttackReport(ATTACK, 'Brute force: password and API-key guessing');
  let client = 0;
  const nextAddress = () => address(ATTACK, client++);

  for (const { name, login } of dialects) {
    const user = `bf-${name.toLowerCase().replace(/\W/g, '')}`;
    await createUser(ctx, ctx.a, user);
    const from = nextAddress();
    const answers: Answer[] = [];
    const started = performance.now();
    for (let i = 0; i < WRONG; i++) answers.push(await login(ctx, user, `wrong-password-${i}`, from));
    const seconds = (performance.now() - started) / 1000;
    const right = await login(ctx, user, PASSWORD, from);
    const refusals = describeRefusals(answers);
    const ok = refusals.first429 > 0 && refusals.first429 <= 10 && refusals.allAfter && right.status === 429;
    report.refused(
      `${name} login: ${WRONG} wrong passwords in a row on one account, then the right one`,
      ok,
      `${refusals.text}; the right password: ${right.status}; ${tried(answers)} passwords checked, ${(WRONG / seconds).toFixed(0)} attempts/s`,
      '429 with Retry-After from about the 6th failure on, the right password included',
    );
    const limited = answers.find((a) => a.status === 429);
    if (limited) report.figure(`${name} 429 body: ${excerpt(limited.text, 160)}`);
  }

  // One account under two names (user id and username): the count is the account's, not the name's.
  await createUser(ctx, ctx.a, 'bf-alias', PASSWORD, 'bf-alias-name');
  const aliasFrom = nextAddress();
  const aliased: Answer[] = [];
  for (let i = 0; i < WRONG; i++) {
    const name = i % 2 === 0 ? 'bf-alias' : 'bf-alias-name';
    aliased.push(await rocketchatLogin(ctx, ctx.a, name, `wrong-password-${i}`, aliasFrom));
  }
  const alias = describeRefusals(aliased);
  report.refused(
    `Rocket.Chat login: ${WRONG} wrong passwords on one account, alternating its user id and its username`,
    alias.first429 > 0 && alias.first429 <= 10 && alias.allAfter,
    `${alias.text}; ${tried(aliased)} passwords checked`,
    'the same 429s as under one name',
  );

  // A user who mistypes now and then is never locked out: a success resets the count.
  await createUser(ctx, ctx.a, 'bf-typo');
  const typoFrom = nextAddress();
  const typos: Answer[] = [];
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 4; i++)
      typos.push(await rocketchatLogin(ctx, ctx.a, 'bf-typo', `typo-${i}`, typoFrom));
    typos.push(await rocketchatLogin(ctx, ctx.a, 'bf-typo', PASSWORD, typoFrom));
  }
  const typoStatuses = typos.map((a) => a.status);
  report.holds(
    'Rocket.Chat login: 4 wrong passwords, the right one, 4 wrong, the right one',
    typoStatuses.join() === '401,401,401,401,200,401,401,401,401,200',
    statusRuns(typoStatuses),
    '4 x 401, 200, 4 x 401, 200 (a success resets the count)',
  );

  await timing(ctx, report, nextAddress);

  // Password spraying: one address, a different account each time.
  const spray: Answer[] = [];
  const sprayFrom = nextAddress();
  for (let i = 0; i < PER_IP; i++)
    spray.push(await rocketchatLogin(ctx, ctx.a, `spray-${i}`, 'wrong-password', sprayFrom));
  const sprayed = describeRefusals(spray);
  report.refused(
    `Rocket.Chat login: ${PER_IP} attempts from one address over ${PER_IP} accounts`,
    sprayed.first429 > 0 && sprayed.allAfter,
    sprayed.text,
    'a per-address limit answers 429 with Retry-After (e.g. from the 21st)',
  );

  const spoofed: Answer[] = [];
  const spoofFrom = nextAddress();
  for (let i = 0; i < PER_IP; i++) {
    spoofed.push(
      await virolaLogin(ctx, ctx.a, `xff-${i}`, 'wrong-password', spoofFrom, {
        'x-forwarded-for': `203.0.113.${i + 1}`,
      }),
    );
  }
  const spoof = describeRefusals(spoofed);
  report.refused(
    `Virola login: ${PER_IP} attempts from one untrusted address, each with a new X-Forwarded-For`,
    spoof.first429 > 0 && spoof.allAfter,
    spoof.text,
    'X-Forwarded-For ignored (TRUSTED_PROXIES unset): the same per-address 429s',
  );

  const keys: Answer[] = [];
  const keyFrom = nextAddress();
  for (let i = 0; i < PER_IP; i++)
    keys.push(await graphql(ctx.url, '{ viewer { id } }', {}, { 'im-api-key': `sk_guess${i}` }, keyFrom));
  const guessed = describeRefusals(keys);
  report.refused(
    `GraphQL with IM-API-KEY: ${PER_IP} wrong API keys from one address`,
    guessed.first429 > 0 && guessed.allAfter,
    guessed.text,
    'a per-address limit on failed keys answers 429 (RATE_LIMITED) with Retry-After',
  );

  // The same guesses in a WebSocket's connection_init, where no HTTP status can say 429.
  const closes: string[] = [];
  const socketFrom = nextAddress();
  for (let i = 0; i < PER_IP; i++) {
    const socket = await openSocket(ctx.url, { from: socketFrom, payload: { 'IM-API-KEY': `sk_guess${i}` } });
    closes.push(socket.acknowledged ? 'ack' : String(socket.closeCode() ?? socket.upgradeStatus));
    await socket.close();
  }
  const firstLimited = closes.findIndex((c) => c === '4429') + 1;
  report.refused(
    `graphql-ws: ${PER_IP} sockets from one address, each with a wrong IM-API-KEY in connection_init`,
    !closes.includes('ack') && firstLimited > 0 && closes.slice(firstLimited - 1).every((c) => c === '4429'),
    `close codes: ${statusRuns(closes)}`,
    '4403 (wrong key), then 4429 (too many) sharing the HTTP budget',
  );
  return report;
}

/** Known user with a wrong password vs unknown user: medians over N tries per dialect. */
async function timing(ctx: AuditContext, report: AttackReport, nextAddress: () => string): Promise<void> {
  const tries = ctx.quick ? 10 : 20;
  const perAccount = 3; // well under any per-account limit, so every try reaches the password check
  for (const { name, login } of dialects) {
    const prefix = `enum-${name.toLowerCase().replace(/\W/g, '')}`;
    const accounts = Math.ceil(tries / perAccount);
    for (let i = 0; i < accounts; i++) await createUser(ctx, ctx.a, `${prefix}-${i}`);
    // Warm up both paths (the first hash of a process is slower).
    await login(ctx, `${prefix}-0`, 'warm-up-1', nextAddress());
    await login(ctx, `${prefix}-nobody-warm`, 'warm-up-1', nextAddress());
    const known: Answer[] = [];
    const unknown: Answer[] = [];
    for (let i = 0; i < tries; i++) {
      known.push(await login(ctx, `${prefix}-${i % accounts}`, `wrong-${i}`, nextAddress()));
      unknown.push(await login(ctx, `${prefix}-nobody-${i}`, `wrong-${i}`, nextAddress()));
    }
    const times = (answers: Answer[]) => answers.filter((a) => a.status === 401).map((a) => a.ms);
    const knownMs = median(times(known));
    const unknownMs = median(times(unknown));
    const ratio = unknownMs / knownMs;
    const counted = `${times(known).length}+${times(unknown).length} of ${tries * 2} answered 401`;
    report.refused(
      `${name} login: unknown user vs known user with a wrong password (median of ${tries} each)`,
      Number.isFinite(ratio) && ratio >= 0.5 && ratio <= 2,
      `known ${ms(knownMs)}, unknown ${ms(unknownMs)}, ratio ${ratio.toFixed(2)} (${counted})`,
      'ratio near 1 (0.5-2): the time does not tell whether a user exists',
    );
  }
}

/** The loopback address that plays a trusted reverse proxy on the second server. */
export const PROXY_ADDRESS = '127.1.200.1';

/**
 * On a server with TRUSTED_PROXIES=PROXY_ADDRESS: clients behind the proxy are told apart by
 * the address it appends, and what a client writes left of it changes nothing.
 */
export async function trustedProxy(ctx: AuditContext, report: AttackReport): Promise<void> {
  const behind: Answer[] = [];
  for (let i = 0; i < PER_IP; i++) {
    behind.push(
      await virolaLogin(ctx, ctx.a, `proxied-${i}`, 'wrong-password', PROXY_ADDRESS, {
        'x-forwarded-for': `203.0.113.${i + 1}`,
      }),
    );
  }
  const statuses = behind.map((a) => a.status);
  report.holds(
    `TRUSTED_PROXIES=${PROXY_ADDRESS}: ${PER_IP} logins through the proxy from ${PER_IP} clients`,
    statuses.every((s) => s === 401),
    statusRuns(statuses),
    'no 429: each client counted on its own address',
  );
  const spoofed: Answer[] = [];
  for (let i = 0; i < PER_IP; i++) {
    spoofed.push(
      await virolaLogin(ctx, ctx.a, `proxied-spoof-${i}`, 'wrong-password', PROXY_ADDRESS, {
        'x-forwarded-for': `198.51.100.${i + 1}, 192.0.2.7`,
      }),
    );
  }
  const spoof = describeRefusals(spoofed);
  report.refused(
    `TRUSTED_PROXIES=${PROXY_ADDRESS}: one client behind the proxy writes a new address left of its own each time`,
    spoof.first429 > 0 && spoof.allAfter,
    spoof.text,
    'the right-most untrusted address counts: 429 from the 21st',
  );
}
