import { describe, expect, it } from 'vitest';
import { Inbox } from './inbox.js';

function flowLog(): { calls: string[]; pause(): void; resume(): void } {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('Inbox', () => {
  it('pauses its source at capacity and resumes once the reader catches up', async () => {
    const flow = flowLog();
    const inbox = new Inbox<number>(3, flow);
    inbox.push(1);
    inbox.push(2);
    expect(flow.calls).toEqual([]);
    inbox.push(3);
    expect(flow.calls).toEqual(['pause']);
    inbox.push(4); // already read from the socket when it paused: kept, not dropped
    expect(inbox.length).toBe(4);
    expect(await inbox.receive()).toBe(1);
    expect(flow.calls).toEqual(['pause']);
    expect(await inbox.receive()).toBe(2);
    expect(flow.calls).toEqual(['pause', 'resume']);
  });

  it('delivers what was queued before the end, then the last event forever', async () => {
    const inbox = new Inbox<string>(10, flowLog());
    inbox.push('a');
    inbox.end('gone');
    inbox.end('ignored: the first end wins');
    expect(inbox.ended).toBe(true);
    expect(await inbox.receive()).toBe('a');
    expect(await inbox.receive()).toBe('gone');
    expect(await inbox.receive()).toBe('gone');
  });

  it('wakes every waiting reader when it ends', async () => {
    const inbox = new Inbox<string>(10, flowLog());
    const first = inbox.receive();
    const second = inbox.receive();
    inbox.end('gone');
    expect(await Promise.all([first, second])).toEqual(['gone', 'gone']);
  });

  it('does not resume a source that has ended', async () => {
    const flow = flowLog();
    const inbox = new Inbox<number>(1, flow);
    inbox.push(1);
    inbox.end(0);
    expect(await inbox.receive()).toBe(1);
    expect(flow.calls).toEqual(['pause']);
  });
});
