import fc from 'fast-check';

/*
 * What an attacker sends, as fast-check arbitraries: strings with NUL and lone
 * surrogates, 1 MB strings, huge and non-finite numbers, operator-like objects, deep
 * nesting, forged global ids and cursors, impossible dates, sort and pref strings.
 * Values JSON cannot write (1e309, 10,000 levels, __proto__ keys) travel as RawJson.
 */

/** A JSON text sent as is. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Hostile = string | number | boolean | null | RawJson | Hostile[] | { [key: string]: Hostile };

/** JSON text of a hostile value (RawJson verbatim; lone surrogates escaped, as JSON.stringify does). */
export function toJsonText(value: Hostile): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, child]) => `${JSON.stringify(key)}:${toJsonText(child)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A hostile value as a query or path parameter. */
export function toParam(value: Hostile): string {
  return typeof value === 'string' ? value : toJsonText(value);
}

function deep(levels: number, open: string, close: string, inner = ''): RawJson {
  return new RawJson(`${open.repeat(levels)}${inner}${close.repeat(levels)}`);
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const cursor = (values: unknown[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

const MEGABYTE = 1024 * 1024;

const BAD_CHARACTERS = ['\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D'];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\uD800',
      'x\uDFFFy',
      '\uD83D',
      '😀',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'NaN',
      'Infinity',
      '-1',
      '0',
      '1e309',
      '1e+23',
      '9'.repeat(40),
      '-9223372036854775809',
      'not-a-date',
      '0000-00-00',
      '2020-13-45T99:99:99Z',
      '+275760-09-13T00:00:00.001Z',
      '-271821-04-19T23:59:59.999Z',
      '99999999999999999',
      'DESC',
      'asc; drop table rooms',
      "' or '1'='1",
      '%00',
      '%',
      '../../etc/passwd',
      '{"$ne":null}',
      '[object Object]',
      'true',
      'null',
    ),
    weight: 3,
  },
  // What breaks PostgreSQL and jsonb: most weight here.
  {
    arbitrary: fc
      .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...BAD_CHARACTERS), fc.string({ maxLength: 8 }))
      .map(([a, bad, b]) => `${a}${bad}${b}`),
    weight: 4,
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 24 }), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      'a'.repeat(MEGABYTE),
      `${'a'.repeat(MEGABYTE - 2)}\u0000`,
      'é'.repeat(MEGABYTE / 2),
    ),
    weight: 1,
  },
);

const hostileNumber: fc.Arbitrary<Hostile> = fc.oneof(
  fc.constantFrom<Hostile>(
    0,
    -1,
    -0,
    1.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    2 ** 63,
    1e23,
    -1e23,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    new RawJson('1e309'),
    new RawJson('-1e309'),
    new RawJson('123456789012345678901234567890'),
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Global ids (base64 "<Type>:<key>") this API never issued. */
const forgedGlobalId = fc.constantFrom(
  b64('constructor:x'),
  b64('__proto__:x'),
  b64('toString:x'),
  b64('Room:\u0000x'),
  b64('Room:'),
  b64(':x'),
  b64('Member:\u0000'),
  b64('Member:a\u0000b\u0000c'),
  b64(`Message:${'f'.repeat(40)}`),
  b64('User:../../x'),
  '!!!',
  '',
);

/** Cursors with tampered values: every keyset order, values of the wrong type or range. */
const forgedCursor = fc
  .tuple(
    fc.constantFrom(
      'messages|SEQUENCE',
      'messages|CREATED_AT',
      'members',
      'rooms||LAST_MESSAGE_TIME:DESC',
      'rooms|unread-first|NAME:ASC',
    ),
    fc.array(
      fc.constantFrom<unknown>(
        1e23,
        'NaN',
        'not-a-date',
        null,
        -1,
        true,
        {},
        [],
        '\u0000',
        '2020-01-01T00:00:00.000Z',
        3,
      ),
      { maxLength: 4 },
    ),
  )
  .map(([order, values]) => cursor([order, ...values]));

const operatorObject = fc.constantFrom<Hostile>(
  { $ne: null },
  { $gt: '' },
  { $where: 'sleep(1000)' },
  { $regex: '.*' },
  new RawJson('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
);

const deepNesting = fc.constantFrom<Hostile>(
  deep(65, '[', ']'),
  deep(1000, '[', ']'),
  deep(10_000, '[', ']'),
  deep(10_000, '{"a":', '}', '1'),
);

const scalar: fc.Arbitrary<Hostile> = fc.oneof(
  { arbitrary: hostileString, weight: 5 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: fc.constantFrom<Hostile>(true, false, null), weight: 1 },
  { arbitrary: forgedGlobalId, weight: 2 },
  { arbitrary: forgedCursor, weight: 2 },
);

/** Any hostile JSON value: scalars, and objects and arrays of them. */
export const hostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { arbitrary: scalar, weight: 8 },
  { arbitrary: operatorObject, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
  {
    arbitrary: fc.oneof(
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(
        hostileString.filter((s) => s.length < 100),
        scalar,
        { maxKeys: 3 },
      ),
    ),
    weight: 1,
  },
);

/** A hostile value where a string is expected (a query or path parameter): mostly strings. */
export const hostileParam: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: hostileString, weight: 6 },
  { arbitrary: forgedGlobalId, weight: 1 },
  { arbitrary: forgedCursor, weight: 1 },
  { arbitrary: hostileValue.map(toParam), weight: 2 },
);
