import { describe, expect, it } from 'vitest';
import { NetbootServeRequest } from '../../shared/contract/index.js';
import { dnsmasqArgs, networkOf } from './dnsmasq-args.js';

const files = { tftpRoot: '/srv/tftp', log: '/var/lib/slipway/netboot/dnsmasq.log', leases: '/l', pid: '/p' };

describe('dnsmasq for netboot', () => {
  it('proxy-DHCP beside the lab\u2019s DHCP server: boot offers only, in the interface\u2019s subnet, no DNS', () => {
    const args = dnsmasqArgs(NetbootServeRequest.parse({ interface: 'eth1' }), files, networkOf('10.20.3.7', 22));
    expect(args).toEqual(expect.arrayContaining(['--port=0', '--conf-file=/dev/null', '--interface=eth1', '--bind-interfaces', '--enable-tftp', '--tftp-root=/srv/tftp', '--dhcp-range=10.20.0.0,proxy', '--pxe-service=x86PC,Slipway netboot,pxelinux']));
    expect(args.some((arg) => arg.startsWith('--dhcp-boot'))).toBe(false);
  });

  it('DHCP on a private lab network hands out the range; TFTP only leaves DHCP alone', () => {
    const dhcp = dnsmasqArgs(NetbootServeRequest.parse({ interface: 'br0', mode: 'dhcp', dhcpRange: { start: '10.77.0.50', end: '10.77.0.99' } }), files, '10.77.0.0');
    expect(dhcp).toEqual(expect.arrayContaining(['--dhcp-range=10.77.0.50,10.77.0.99,1h', '--dhcp-boot=pxelinux.0']));
    const tftp = dnsmasqArgs(NetbootServeRequest.parse({ interface: 'br0', mode: 'tftp-only' }), files, '10.77.0.0');
    expect(tftp.some((arg) => arg.startsWith('--dhcp'))).toBe(false);
  });

  it('refuses what is not an interface, an address, a range for dhcp mode', () => {
    expect(NetbootServeRequest.safeParse({ interface: 'eth0 --conf-file=/etc/x' }).success).toBe(false);
    expect(NetbootServeRequest.safeParse({ interface: '-eth0' }).success).toBe(false);
    expect(NetbootServeRequest.safeParse({ interface: 'br0', netns: '--all' }).success).toBe(false);
    expect(NetbootServeRequest.safeParse({ interface: 'br0', address: '10.0.0.256' }).success).toBe(false);
    expect(NetbootServeRequest.safeParse({ interface: 'br0', mode: 'dhcp' }).error?.issues[0]).toMatchObject({ path: ['dhcpRange'] });
    expect(networkOf('192.168.1.77', 24)).toBe('192.168.1.0');
    expect(networkOf('10.1.2.3', 0)).toBe('0.0.0.0');
  });
});
