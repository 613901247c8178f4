import { describe, expect, it } from 'vitest';
import { nodeProgress } from './boot-progress.js';

const mac = '52:54:00:12:34:56';
/** dnsmasq's own lines of a PXE boot, as its log facility writes them (the timestamps are syslog's, without a year). */
const dnsmasq = [
  'Dec  2 04:20:12 dnsmasq-tftp[1494]: TFTP root is /srv/tftp',
  'Dec  2 04:20:20 dnsmasq-dhcp[1494]: 70201139 DHCPACK(br0) 10.77.0.58 52:54:00:12:34:56 ',
  'Dec  2 04:20:33 dnsmasq-tftp[1494]: sent /srv/tftp/pxelinux.0 to 10.77.0.58',
  'Dec  2 04:20:33 dnsmasq-tftp[1494]: sent /srv/tftp/pxelinux.cfg/01-52-54-00-12-34-56 to 10.77.0.58',
  'Dec  2 04:20:35 dnsmasq-tftp[1494]: sent /srv/tftp/amd64/generic/bookworm/.versions/compute-aaaaaaaaaaaaaaaa/kernel to 10.77.0.58',
  'Dec  2 04:20:45 dnsmasq-tftp[1494]: sent /srv/tftp/amd64/generic/bookworm/.versions/compute-aaaaaaaaaaaaaaaa/initrd to 10.77.0.58',
  'Dec  2 04:20:46 dnsmasq-tftp[1494]: sent /srv/tftp/pxelinux.cfg/01-52-54-00-99-99-99 to 10.77.0.70',
];
const access = [{ at: '2026-12-02T04:21:09.000Z', ip: '10.77.0.58', path: '/amd64/generic/bookworm/.versions/compute-aaaaaaaaaaaaaaaa/root.squashfs', status: 200, bytes: 166_592_512, ms: 3_200 }];
const booted = [{ at: '2026-12-02T04:22:02.000Z', ip: '10.77.0.58', mac, version: 'compute-aaaaaaaaaaaaaaaa' }];

describe('node boot progress from the services\u2019 logs', () => {
  it('follows one node from DHCP to phone-home, by its MAC and then its IP', () => {
    const progress = nodeProgress(dnsmasq, access, booted, [mac], new Date('2026-12-02T05:00:00Z')).get(mac)!;
    expect(progress.events.map((e) => [e.stage, e.at])).toEqual([
      ['address', '2026-12-02T04:20:20.000Z'],
      ['config', '2026-12-02T04:20:33.000Z'],
      ['kernel', '2026-12-02T04:20:35.000Z'],
      ['initrd', '2026-12-02T04:20:45.000Z'],
      ['root', '2026-12-02T04:21:09.000Z'],
      ['booted', '2026-12-02T04:22:02.000Z'],
    ]);
    expect(progress.events.find((e) => e.stage === 'root')?.detail).toBe('compute-aaaaaaaaaaaaaaaa, 159 MiB (HTTP) in 3.2 s');
    expect(progress.last).toMatchObject({ version: 'compute-aaaaaaaaaaaaaaaa', ip: '10.77.0.58' });
  });

  it('ties the IP to the node by the config it read when DHCP was the lab\u2019s (proxy mode), and starts over at the next boot', () => {
    const proxy = dnsmasq.filter((line) => !line.includes('DHCPACK'));
    const again = [...proxy, 'Dec  2 04:30:00 dnsmasq-tftp[1494]: sent /srv/tftp/pxelinux.cfg/01-52-54-00-12-34-56 to 10.77.0.58'];
    const progress = nodeProgress(again, [], [], [mac], new Date('2026-12-02T05:00:00Z')).get(mac)!;
    expect(progress.events.map((e) => e.stage)).toEqual(['config']);
    expect(nodeProgress(proxy, [], [], [mac], new Date('2026-12-02T05:00:00Z')).get(mac)!.events.map((e) => e.stage)).toEqual(['config', 'kernel', 'initrd']);
  });

  it('reads a December line in January as last year\u2019s', () => {
    const progress = nodeProgress(dnsmasq.slice(0, 4), [], [], [mac], new Date('2027-01-01T01:00:00Z')).get(mac)!;
    expect(progress.events[0]!.at).toBe('2026-12-02T04:20:20.000Z');
  });
});
