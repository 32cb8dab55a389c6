// A CNI-style plugin (the container network interface contract, simplified):
// ADD puts a container on a bridge through a veth pair and prints the CNI
// result; DEL removes it again. The parameters come as a CNI runtime passes
// them: CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS (a path such as
// /run/netns/ctr1) and CNI_IFNAME in the environment, the network
// configuration as JSON on stdin:
//
//   {"cniVersion": "1.0.0", "name": "demo", "bridge": "cni0",
//    "address": "10.22.0.2/24", "gateway": "10.22.0.1"}
//
// Needs CAP_NET_ADMIN, and CAP_SYS_ADMIN to enter the container's namespace.
//   echo '{…}' | CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/ctr1 CNI_IFNAME=eth0 node examples/cni.mjs
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KernelError, Rtnl } from 'nlkit';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const command = env('CNI_COMMAND');
const containerId = env('CNI_CONTAINERID');
const netns = env('CNI_NETNS');
const ifname = env('CNI_IFNAME');
const config = JSON.parse(readFileSync(0, 'utf8'));
// The host end's name is derived from the container id, so DEL finds it again.
const hostName = `veth${createHash('sha256').update(containerId).digest('hex').slice(0, 8)}`;

const host = await Rtnl.open();
try {
  if (command === 'ADD') console.log(JSON.stringify(await add(), null, 2));
  else if (command === 'DEL') await del();
  else throw new Error(`CNI_COMMAND ${command} is not supported (ADD, DEL)`);
} finally {
  host.close();
}

async function add() {
  // The bridge, once per host, with the gateway address on it.
  let bridge;
  try {
    bridge = await host.links.get(config.bridge);
  } catch (err) {
    if (!(err instanceof KernelError && err.code === 'ENODEV')) throw err;
    bridge = await host.links.add({ name: config.bridge, kind: 'bridge', up: true });
    const prefixLength = config.address.split('/')[1];
    await host.addresses.add(config.bridge, `${config.gateway}/${prefixLength}`);
  }
  // A veth pair: the host end on the bridge, the other end moved into the
  // container, renamed to CNI_IFNAME in the same step, and set up.
  await host.links.add({ name: hostName, kind: 'veth', peer: { name: `${hostName}c` }, master: bridge.index, up: true });
  const moved = await host.links.move(`${hostName}c`, { netns, name: ifname });
  const hostEnd = await host.links.get(hostName);

  const ctr = await Rtnl.open({ netns });
  try {
    await ctr.addresses.add(ifname, config.address);
    await ctr.routes.add({ dst: 'default', gateway: config.gateway });
  } finally {
    ctr.close();
  }
  return {
    cniVersion: config.cniVersion,
    interfaces: [
      { name: hostEnd.name, mac: hostEnd.mac },
      { name: moved.name, mac: moved.mac, sandbox: netns },
    ],
    ips: [{ address: config.address, gateway: config.gateway, interface: 1 }],
    routes: [{ dst: '0.0.0.0/0', gw: config.gateway }],
  };
}

async function del() {
  // Deleting one end of a veth pair deletes both. DEL must succeed when there
  // is nothing left to delete (the runtime may call it more than once).
  try {
    await host.links.delete(hostName);
  } catch (err) {
    if (!(err instanceof KernelError && err.code === 'ENODEV')) throw err;
  }
}
