import { describe, expect, it } from 'vitest';
import { parseZkUrl } from './zk-url.js';

describe('a cell ZooKeeper URL (zkutils.py:connect_native: urlparse, hosts = netloc, chroot = path)', () => {
  it('reads hosts, ports, a user and a chroot', () => {
    expect(parseZkUrl('zookeeper://tmtest@zk1.lab:2181,zk2.lab:2182,10.0.0.3:2183/treadmill/cellA')).toEqual({
      user: 'tmtest',
      hosts: [
        { host: 'zk1.lab', port: 2181 },
        { host: 'zk2.lab', port: 2182 },
        { host: '10.0.0.3', port: 2183 },
      ],
      chroot: '/treadmill/cellA',
      connectionString: 'zk1.lab:2181,zk2.lab:2182,10.0.0.3:2183/treadmill/cellA',
    });
  });

  it('takes no chroot, or a trailing slash, as none', () => {
    expect(parseZkUrl('zookeeper://zk:2181').chroot).toBe('');
    expect(parseZkUrl('zookeeper://zk:2181/').connectionString).toBe('zk:2181');
  });

  it.each([
    ['http://zk:2181', /scheme "http" is not zookeeper/],
    ['zookeeper://zk', /has no port/],
    ['zookeeper://zk:99999', /has no port/],
    ['zookeeper://', /no host/],
    ['zookeeper://bad host:1', /not a host name/],
    ['zookeeper://zk:1/a//b', /not a ZooKeeper path/],
    ['zookeeper://zk:1/a/../b', /not a ZooKeeper path/],
    ['zk1:2181', /not a URL/],
    ['zookeeper://a b@zk:1', /not a user name/],
  ])('refuses %s with a clear reason', (url, reason) => {
    expect(() => parseZkUrl(url)).toThrow(reason);
    expect(() => parseZkUrl(url)).toThrow(/expected zookeeper:\/\/\[user@\]host:port/);
  });
});
