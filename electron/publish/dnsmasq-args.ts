import type { NetbootServeRequest } from '../../shared/contract/index.js';

/** The network of an address with its prefix: proxy-DHCP names the subnet it answers in. */
export function networkOf(address: string, prefix: number): string {
  const value = address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = (value & mask) >>> 0;
  return [24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.');
}

/**
 * dnsmasq as the TFTP server (and PXE proxy or DHCP server): no DNS
 * (--port=0), no configuration file of the host's, bound to the chosen
 * interface only, TFTP transfers and DHCP acknowledgements logged to Slipway's file.
 * Option words from dnsmasq's man page; every value checked by the contract.
 */
export function dnsmasqArgs(request: NetbootServeRequest, files: { tftpRoot: string; log: string; leases: string; pid: string }, network: string): string[] {
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--port=0',
    `--interface=${request.interface}`,
    '--bind-interfaces',
    `--pid-file=${files.pid}`,
    `--log-facility=${files.log}`,
    '--enable-tftp',
    `--tftp-root=${files.tftpRoot}`,
  ];
  if (request.mode === 'dhcp') {
    args.push(`--dhcp-range=${request.dhcpRange!.start},${request.dhcpRange!.end},1h`, '--dhcp-boot=pxelinux.0', `--dhcp-leasefile=${files.leases}`);
  } else if (request.mode === 'proxy-dhcp') {
    // The lab's DHCP server hands out the address; dnsmasq adds only the boot offer (".0" is appended by dnsmasq).
    args.push(`--dhcp-range=${network},proxy`, '--pxe-service=x86PC,Slipway netboot,pxelinux', `--dhcp-leasefile=${files.leases}`);
  }
  return args;
}
