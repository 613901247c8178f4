import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';

/**
 * A private lab network for netboot tests: a network namespace holding a
 * bridge with the services' address and a tap device a QEMU node plugs into.
 * Nothing of it is visible outside the namespace; removing the namespace
 * removes the bridge and the tap with it.
 */
export interface LabNetwork {
  netns: string;
  bridge: string;
  tap: string;
  address: string;
  /** The lab's own DHCP server on the same bridge (dnsmasq handing out addresses only, no boot offer), in a namespace of its own. */
  startLabDhcp(): void;
  remove(): void;
}

export const canMakeNetns = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export function labNetwork(): LabNetwork {
  const netns = `slw-${randomBytes(4).toString('hex')}`;
  const ip = (...args: string[]) => execFileSync('ip', ['-n', netns, ...args], { stdio: 'pipe' });
  execFileSync('ip', ['netns', 'add', netns]);
  const dhcpNetns = `${netns}-dhcp`;
  const remove = () => {
    for (const name of [dhcpNetns, netns]) {
      try {
        // Deleting a namespace ends nothing running in it: the lab's DHCP server goes first.
        execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).split('\n').filter(Boolean).forEach((pid) => process.kill(Number(pid), 'SIGKILL'));
        execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
      } catch {
        // gone already
      }
    }
    rmSync(`/run/${dhcpNetns}`, { recursive: true, force: true });
  };
  const startLabDhcp = () => {
    execFileSync('ip', ['netns', 'add', dhcpNetns]);
    ip('link', 'add', 'vlab', 'type', 'veth', 'peer', 'name', 'vdhcp', 'netns', dhcpNetns);
    ip('link', 'set', 'vlab', 'master', 'br0');
    ip('link', 'set', 'vlab', 'up');
    const inDhcp = (...args: string[]) => execFileSync('ip', ['-n', dhcpNetns, ...args], { stdio: 'pipe' });
    inDhcp('link', 'set', 'lo', 'up');
    inDhcp('addr', 'add', '10.77.0.2/24', 'dev', 'vdhcp');
    inDhcp('link', 'set', 'vdhcp', 'up');
    const files = `/run/${dhcpNetns}`;
    mkdirSync(files, { recursive: true });
    const child = spawn('ip', ['netns', 'exec', dhcpNetns, 'dnsmasq', '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--interface=vdhcp', '--bind-interfaces', '--dhcp-range=10.77.0.100,10.77.0.150,1h', `--dhcp-leasefile=${files}/leases`, `--pid-file=${files}/pid`], { stdio: 'ignore', detached: true });
    child.unref();
  };
  try {
    ip('link', 'set', 'lo', 'up');
    ip('link', 'add', 'br0', 'type', 'bridge');
    ip('addr', 'add', '10.77.0.1/24', 'dev', 'br0');
    ip('link', 'set', 'br0', 'up');
    ip('tuntap', 'add', 'tap0', 'mode', 'tap');
    ip('link', 'set', 'tap0', 'master', 'br0');
    ip('link', 'set', 'tap0', 'up');
  } catch (error) {
    remove();
    throw error;
  }
  return { netns, bridge: 'br0', tap: 'tap0', address: '10.77.0.1', startLabDhcp, remove };
}
