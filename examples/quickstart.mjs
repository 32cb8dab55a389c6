// The README's quick start, as written there: plain JavaScript for Node 20
// (no TypeScript, no `await using`). Reading needs no privilege.
// Run: node examples/quickstart.mjs   (in a checkout: node --import tsx examples/quickstart.mjs)
import { Rtnl } from 'nlkit';

const rt = await Rtnl.open();          // this process's network namespace
try {
  for (const link of await rt.links.list()) {
    const addresses = await rt.addresses.list({ link: link.index });
    console.log(link.name, link.up ? 'UP' : 'DOWN', link.mac ?? '-', addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' '));
  }
  const lo = await rt.links.get('lo');
  // Counters are exact 64-bit bigints; JSON.stringify writes them as decimal strings.
  console.log(JSON.stringify({ name: lo.name, mtu: lo.mtu, stats: lo.stats }));
} finally {
  rt.close();
}
