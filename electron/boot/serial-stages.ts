import type { BootStage } from '../../shared/contract/index.js';

/**
 * How far a boot got, from what the serial console shows. The words are the
 * kernel's (init/main.c: "Linux version", "Run %s as init process"),
 * initramfs-tools' ("Loading, please wait...", "Begin: "), systemd's
 * ("systemd 252 running in system mode", "Welcome to …") and sysvinit's.
 */
const signs: [Exclude<BootStage, 'firmware' | 'booted'>, RegExp][] = [
  ['kernel', /\bLinux version \d/],
  ['initramfs', /Run \/init as init process|Loading, please wait|^Begin: /],
  ['userspace', /systemd\[1\]:|running in system mode|^Welcome to |INIT: version/],
];

const order: BootStage[] = ['firmware', 'kernel', 'initramfs', 'userspace', 'booted'];

/** The stage after this line: never back (a late kernel message during userspace changes nothing). */
export function nextStage(current: BootStage, line: string): BootStage {
  let stage = current;
  for (const [sign, pattern] of signs) if (order.indexOf(sign) > order.indexOf(stage) && pattern.test(line)) stage = sign;
  return stage;
}

/** Serial output as text: terminal escapes (colours, cursor moves of systemd's status) and stray carriage returns out. */
export function serialText(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78c]/g, '').replace(/[\r\0]/g, '');
}

export const stageWords: Record<BootStage, string> = {
  firmware: 'before the kernel (no kernel message on the serial console)',
  kernel: 'in the kernel, before the initramfs ran',
  initramfs: 'in the initramfs, before the root file system\u2019s init',
  userspace: 'in the image\u2019s userspace, before the marker',
  booted: 'booted',
};
