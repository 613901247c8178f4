import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

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
  const remove = () => {
    try {
      execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
    } catch {
      // gone already
    }
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
  return { netns, bridge: 'br0', tap: 'tap0', address: '10.77.0.1', remove };
}
