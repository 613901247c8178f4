/**
 * The smallest files that pass as a netboot pair: an x86 boot header ("HdrS"
 * at 0x202) and a cpio "newc" magic, each followed by a tag that makes them differ.
 */
export function fakeKernel(tag: string): Buffer {
  const head = Buffer.alloc(0x400);
  head.write('HdrS', 0x202, 'latin1');
  return Buffer.concat([head, Buffer.from(`${tag}\n`)]);
}

export function fakeInitrd(tag: string): Buffer {
  return Buffer.from(`070701${tag}\n`, 'latin1');
}
