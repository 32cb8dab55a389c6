// Process lifetime follows Node's conventions: the README's monitor loop and
// watch loop, run as written in child processes, stay alive waiting for the
// kernel's event, print it, and exit cleanly (code 0) when stopped.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeKernel, ip, makeNetns } from '../helpers/kernel.js';
import { SRC, startChild } from './child.js';
import { sleep } from './util.js';

describeKernel('process lifetime: monitor and watch loops', () => {
  let ns: ReturnType<typeof makeNetns>;
  beforeAll(() => {
    ns = makeNetns('nllt');
  });
  afterAll(() => ns?.remove());

  const stayAliveThenEvent = async (source: string, device: string, expected: RegExp) => {
    const child = startChild(source);
    try {
      await child.line(/^ready/);
      // Nothing happens for a while: the loop must keep the process alive, not exit at once.
      await sleep(500);
      expect(child.done).toBe(false);
      ip(ns.name, 'link', 'add', device, 'type', 'veth', 'peer', 'name', `${device}p`);
      await child.line(expected);
      expect(child.done).toBe(false);
      child.kill('SIGTERM');
      expect(await child.exited()).toBe(0);
      expect(child.out.at(-1)).toBe('stopped');
    } finally {
      child.cleanup();
    }
  };

  it("the README's monitor loop waits for the event, prints it and exits cleanly when stopped", async () => {
    await stayAliveThenEvent(
      `
import { Rtnl } from ${SRC};
const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
console.log('ready');
try {
  for await (const ev of rt.subscribe(['link', 'ipv4-addr', 'ipv6-addr'], { signal: stop.signal })) {
    if (ev.type === 'overrun' || ev.type === 'error') continue;
    console.log(ev.type, ev.kind, ev.kind === 'link' ? ev.object.name : ev.object.address);
  }
} finally {
  rt.close();
}
console.log('stopped');
`,
      'mon0',
      /^new link mon0$/,
    );
  });

  it("the README's watch loop waits for the change, prints it and exits cleanly when stopped", async () => {
    await stayAliveThenEvent(
      `
import { Rtnl } from ${SRC};
const rt = await Rtnl.open({ netns: ${JSON.stringify(ns.name)} });
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
try {
  const view = await rt.watch('links', undefined, { signal: stop.signal });
  console.log('ready', view.size);
  for await (const change of view) console.log(change.type, change.object.name);
} finally {
  rt.close();
}
console.log('stopped');
`,
      'wat0',
      /^new wat0$/,
    );
  });
});
