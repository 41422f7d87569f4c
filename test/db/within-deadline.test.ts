import { describe, expect, test } from 'vitest';
import { DeadlineExceededError, runWithDeadline, withinDeadline } from '../../src/db/request-deadline.js';

/*
 * What a request's work still produces after its deadline answered for it: a stream set up
 * too late (a subscription's iterator, yoga's SSE Response) must be handed to `discard`,
 * or it would hold its event listener and subscription slot with nobody reading it.
 */

describe('withinDeadline', () => {
  test('hands what the work produces after the deadline to discard', async () => {
    let finish = (_value: string) => {};
    const work = new Promise<string>((resolve) => (finish = resolve));
    const discarded: string[] = [];
    const answer = runWithDeadline(20, () => withinDeadline(work, (late) => discarded.push(late)));
    await expect(answer).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(discarded).toEqual([]);
    finish('stream set up too late');
    await work;
    await Promise.resolve();
    expect(discarded).toEqual(['stream set up too late']);
  });

  test('discards nothing when the work wins, or fails on its own', async () => {
    const discarded: unknown[] = [];
    const keep = (late: unknown) => discarded.push(late);
    await expect(runWithDeadline(1000, () => withinDeadline(Promise.resolve('in time'), keep))).resolves.toBe(
      'in time',
    );
    await expect(
      runWithDeadline(1000, () => withinDeadline(Promise.reject(new Error('its own failure')), keep)),
    ).rejects.toThrow('its own failure');
    expect(discarded).toEqual([]);
  });
});
