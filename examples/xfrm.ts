// IPsec policies and SAs over NETLINK_XFRM, in a namespace this example
// creates and removes. Run: node scripts/run-in-netns.mjs tsx examples/xfrm.ts
import { KernelError, NetNs, Xfrm } from '../src/index.js';

const name = `nlkit-xfrm-${process.pid}`;
NetNs.create(name).close();
try {
  await using x = await Xfrm.open({ netns: name });

  await x.policies.add({
    src: '10.1.0.0/24',
    dst: '10.2.0.0/24',
    dir: 'out',
    priority: 10,
    templates: [{ proto: 'esp', mode: 'tunnel', src: '192.0.2.1', dst: '192.0.2.2', reqid: 1 }],
  });
  await x.policies.add({ src: '10.1.0.0/24', dst: '10.3.0.0/24', proto: 'tcp', dport: 80, dir: 'in', action: 'block', mark: { value: 5, mask: 0xff } });
  for (const p of await x.policies.list()) {
    console.log(`policy: ${p.src} -> ${p.dst} dir ${p.dir} ${p.action} priority ${p.priority} templates ${p.templates.map((t) => `${t.proto} ${t.mode} ${t.src}->${t.dst}`).join(', ') || '-'}`);
  }
  await x.policies.update({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out', priority: 20 });
  console.log('priority after update:', (await x.policies.get({ src: '10.1.0.0/24', dst: '10.2.0.0/24', dir: 'out' })).priority);
  const spd = await x.spdInfo();
  console.log(`SPD: in ${spd.in} out ${spd.out} fwd ${spd.fwd}`);

  // An SA; a kernel without the algorithm or the ESP type refuses it, with its reason.
  try {
    await x.states.add({ src: '192.0.2.1', dst: '192.0.2.2', proto: 'esp', spi: 0x100, mode: 'tunnel', reqid: 1, enc: { name: 'cbc(aes)', key: '0x00112233445566778899aabbccddeeff' }, authTrunc: { name: 'hmac(sha256)', key: '0x' + '11'.repeat(32), truncLen: 128 } });
    console.log('state added:', (await x.states.list()).length);
  } catch (err) {
    if (err instanceof KernelError) console.log(`state refused: ${err.code} ${err.ack.message}`);
    else throw err;
  }
  console.log('SAD count:', (await x.sadInfo()).count);

  await x.policies.flush();
  console.log('policies after flush:', (await x.policies.list()).length);
} finally {
  NetNs.delete(name);
}
