import { parseArgs } from 'node:util';

/** `npm run bench:fanout -- --help` prints this. */
export const USAGE = `npm run bench:fanout -- [options]

  --subscribers LIST   audience sizes (default 1,100,1000,10000)
  --messages M         messages measured per size (default 20)
  --rate R             messages per second, sent at a steady pace (default 5)
  --transport T        sse | ws | both (half each; default both)
  --feed F             room | viewer | both (default both)
  --heap-mb MB         chat-bff's --max-old-space-size (default 256, as the bench)
  --label NAME         results file name under bench/results/ (default fanout)
  --quick              CI smoke: 1 and 50 subscribers, 5 messages, label fanout-quick`;

export type Feed = 'room' | 'viewer';

export interface FanoutOptions {
  subscribers: number[];
  messages: number;
  rate: number;
  transport: 'sse' | 'ws' | 'both';
  feeds: Feed[];
  heapMb: number;
  label: string;
  quick: boolean;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not ${value}`);
  return n;
}

export function parseFanoutOptions(argv: string[]): FanoutOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      subscribers: { type: 'string' },
      messages: { type: 'string' },
      rate: { type: 'string' },
      transport: { type: 'string' },
      feed: { type: 'string' },
      'heap-mb': { type: 'string' },
      label: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  const transport = values.transport ?? 'both';
  if (transport !== 'sse' && transport !== 'ws' && transport !== 'both')
    throw new Error(`--transport must be sse, ws or both, not ${transport}`);
  const feed = values.feed ?? 'both';
  if (feed !== 'room' && feed !== 'viewer' && feed !== 'both')
    throw new Error(`--feed must be room, viewer or both, not ${feed}`);
  return {
    subscribers: (values.subscribers ?? (quick ? '1,50' : '1,100,1000,10000'))
      .split(',')
      .map((s) => Math.round(positive('subscribers', s.trim()))),
    messages: Math.round(positive('messages', values.messages ?? (quick ? '5' : '20'))),
    rate: positive('rate', values.rate ?? '5'),
    transport,
    feeds: feed === 'both' ? ['room', 'viewer'] : [feed],
    heapMb: Math.round(positive('heap-mb', values['heap-mb'] ?? '256')),
    label: values.label ?? (quick ? 'fanout-quick' : 'fanout'),
    quick,
  };
}
