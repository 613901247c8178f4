/**
 * What `netboot: true` adds to an image spec: a kernel, live-boot (its
 * initramfs part fetches the root image named by `fetch=` and mounts it under
 * an overlay), systemd, and Slipway's phone-home: a oneshot unit that, when the
 * kernel command line names `slipway.phone=`, tells the netboot HTTP server the
 * node booted, and which version, and prints the same on the console. The
 * script carries no values: it reads them from /proc/cmdline at boot, and
 * checks them before they go into a request.
 */

const phoneHome = `#!/bin/bash
# Slipway phone-home: this node booted the netboot version its kernel command line names.
set -u
url='' version='' mac=''
read -r -a words < /proc/cmdline
for word in "\${words[@]}"; do
  case $word in
    slipway.phone=http://*) url=\${word#slipway.phone=http://} ;;
    slipway.version=*) version=\${word#slipway.version=} ;;
    BOOTIF=01-*) mac=\${word#BOOTIF=01-}; mac=\${mac//-/:} ;;
  esac
done
[[ -n $url ]] || exit 0
[[ $version =~ ^[A-Za-z0-9._+-]+$ ]] || version=unknown
[[ $mac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || mac=$(cat /sys/class/net/*/address 2>/dev/null | grep -v '^00:00:00:00:00:00$' | head -n 1)
[[ $mac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || mac=00:00:00:00:00:00
hostport=\${url%%/*}
path=/\${url#*/}
host=\${hostport%%:*}
port=\${hostport##*:}
[[ $port == "$hostport" ]] && port=80
[[ $host =~ ^[0-9.]+$ && $port =~ ^[0-9]+$ && $path =~ ^[A-Za-z0-9/._-]+$ ]] || exit 1
for attempt in 1 2 3 4 5; do
  if { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null; then
    # "+" is a version character and a space in a query: sent encoded.
    printf 'GET %s?mac=%s&version=%s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' "$path" "$mac" "\${version//+/%2B}" "$hostport" >&3
    IFS= read -r -t 10 status <&3
    exec 3>&-
    printf 'slipway: booted %s (%s)\\n' "$version" "$mac" > /dev/console
    [[ $status == *' 200 '* ]] && exit 0
  fi
  sleep "$attempt"
done
exit 1
`;

const unit = `[Unit]
Description=Tell the Slipway netboot server this node booted
ConditionKernelCommandLine=slipway.phone
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/lib/slipway/phone-home
`;

export function netbootPackages(arch: string): string[] {
  return [`linux-image-${arch}`, 'live-boot', 'systemd-sysv'];
}

/**
 * The unit is pulled in by a drop-in of multi-user.target: a spec's files are
 * regular files, and systemd ignores a .wants entry that is not a symlink
 * ("Wants dependency dropin … is not a symlink, ignoring").
 */
export const netbootFiles: { path: string; content: string; mode: string }[] = [
  { path: '/usr/lib/slipway/phone-home', content: phoneHome, mode: '0755' },
  { path: '/etc/systemd/system/slipway-phone-home.service', content: unit, mode: '0644' },
  { path: '/etc/systemd/system/multi-user.target.d/slipway-phone-home.conf', content: '[Unit]\nWants=slipway-phone-home.service\n', mode: '0644' },
];
