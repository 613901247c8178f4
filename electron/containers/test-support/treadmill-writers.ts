import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A Treadmill node root written byte for byte as Treadmill's own functions
 * write it (each writer is named after the function whose output it copies,
 * in lib/python/treadmill of morganstanley/treadmill): JSON with Python's
 * default separators and no trailing newline, PyYAML's flow style with a
 * newline, empty marker files, absolute links.
 */
export class TreadmillRoot {
  constructor(readonly root: string) {
    for (const dir of ['apps', 'running', 'cleanup', 'cleaning', 'cleanup_apps', 'cache', 'appevents', 'archives', 'tombstones/running', 'tombstones/services']) mkdirSync(join(root, dir), { recursive: true });
  }

  private write(path: string, content: string): string {
    const file = join(this.root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  }

  /** appcfg/__init__.py:_fmt_unique_name: '{app}-{id:>013s}' with '#' replaced by '-'. */
  static uniqueName(instance: string, uniqueId: string): string {
    return `${instance.replace('#', '-')}-${uniqueId.padStart(13, '0')}`;
  }

  /** The container directory the supervisor made (runtime/linux/_run.py); `data/` is where the finish files go. */
  container(unique: string): string {
    mkdirSync(join(this.root, 'apps', unique, 'data'), { recursive: true });
    return unique;
  }

  /** runtime/__init__.py:save_app: data/state.json, compact JSON of the manifest and its allocations (write_safe). */
  save_app(unique: string, manifest: Record<string, unknown>): void {
    this.write(`apps/${unique}/data/state.json`, pythonJson(manifest));
  }

  /** appcfgmgr.py / _run.py: running/<instance>, an absolute link to <root>/apps/<unique> (fs.symlink_safe). */
  running_link(instance: string, unique: string): void {
    symlinkSync(join(this.root, 'apps', unique), join(this.root, 'running', instance));
  }

  /** monitor.py:MonitorContainerCleanup: the running link moved to cleanup/, named by instance. */
  cleanup_link(name: string, unique: string): void {
    symlinkSync(join(this.root, 'apps', unique), join(this.root, 'cleanup', name));
  }

  /** cleanup.py:_add_cleanup_app: cleanup_apps/<name> (an s6 service) and cleaning/<name> linking to it. */
  add_cleanup_app(name: string): void {
    mkdirSync(join(this.root, 'cleanup_apps', name), { recursive: true });
    symlinkSync(join(this.root, 'cleanup_apps', name), join(this.root, 'cleaning', name));
  }

  /** monitor.py:MonitorContainerDown.execute: data/exitinfo, utils.json_genencode of the tombstone's exit, no newline. */
  MonitorContainerDown_exitinfo(unique: string, exit: { service: string; return_code: number; signal: number; timestamp: number }): void {
    this.write(`apps/${unique}/data/exitinfo`, pythonJson(exit));
  }

  /** The same file caught while it is written: io.open(..., 'x') has created it, writelines has not run yet. */
  MonitorContainerDown_exitinfo_opened(unique: string): void {
    this.write(`apps/${unique}/data/exitinfo`, '');
  }

  /** A data/exitinfo written by a hand or a tool that left keys out (what _post_exit_event's .get defaults cover). */
  raw_exitinfo(unique: string, exit: Record<string, unknown>): void {
    this.write(`apps/${unique}/data/exitinfo`, pythonJson(exit));
  }

  /** appcfg/abort.py:flag_aborted: data/aborted, json_genencode({'why': _why_str(why), 'payload': payload}). */
  flag_aborted(unique: string, why: string | null, payload: string | null): void {
    this.write(`apps/${unique}/data/aborted`, pythonJson({ why, payload }));
  }

  /** data/aborted as other writers leave it: empty, plain text, or JSON without a reason. */
  raw_aborted(unique: string, content: string): void {
    this.write(`apps/${unique}/data/aborted`, content);
  }

  /** services/cgroup_service.py:_shutdown_container: utils.touch(data/oom). */
  shutdown_container_oom(unique: string): void {
    this.write(`apps/${unique}/data/oom`, '');
  }

  /** appcfgmgr.py:AppCfgMgr._terminate: utils.touch(data/terminated). */
  AppCfgMgr_terminate(unique: string): void {
    this.write(`apps/${unique}/data/terminated`, '');
  }

  /**
   * presence.py:ServicePresence.exit_app (2016-09 db1543cf … 2017-05 08f8a691):
   * the top-level exitinfo, yaml.dump(last_exit) in PyYAML 3's flow style.
   */
  ServicePresence_exit_app(unique: string, exit: { hostname: string; killed: boolean; oom: boolean; output: string; rc: number; service: string; sig: number; time: number }): void {
    const entries = Object.entries(exit).sort(([a], [b]) => (a < b ? -1 : 1));
    this.write(`apps/${unique}/exitinfo`, `{${entries.map(([key, value]) => `${key}: ${pyYamlScalar(value)}`).join(', ')}}\n`);
  }

  /** appmgr/abort.py:flag_aborted (2016): the top-level aborted, str(exc) as plain text. */
  old_flag_aborted(unique: string, text: string): void {
    this.write(`apps/${unique}/aborted`, text);
  }

  /** presence.py's app.yml of the same time: the manifest at the top of the container directory. */
  old_app_yml(unique: string, yaml: string): void {
    this.write(`apps/${unique}/app.yml`, yaml);
  }

  /**
   * templates/s6.finish: an empty tombstone named <id>,<%014.3f now>,<%03d exit>,<%03d sig>
   * in tombstones/running (id: the instance) or tombstones/services (id: <unique>,<service>).
   */
  s6_finish_tombstone(kind: 'running' | 'services', id: string, time: number, exit: number, signal: number): void {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    this.write(`tombstones/${kind}/${id},${time.toFixed(3).padStart(14, '0')},${pad(exit, 3)},${pad(signal, 3)}`, '');
  }

  /** eventmgr.py:_cache: cache/<instance>, the scheduled manifest as YAML (write_safe with a dotted temp name). */
  eventmgr_cache(instance: string, yaml: string): void {
    this.write(`cache/${instance}`, yaml);
  }

  /** runtime/__init__.py:archive_logs: archives/<unique>.sys.tar.gz (and .app.tar.gz). */
  archive_logs(unique: string): void {
    this.write(`archives/${unique}.sys.tar.gz`, '');
    this.write(`archives/${unique}.app.tar.gz`, '');
  }

  /**
   * trace/__init__.py:post: appevents/'%s,%s,%s,%s' % (time.time(), instance, type, data), its content the
   * event's payload (write_safe via a '.tmp' file, renamed). `temp` leaves the temp file as a crash would.
   */
  trace_post(time: string, instance: string, type: string, data: string, payload = '', options: { temp?: boolean } = {}): void {
    const name = `${time},${instance},${type},${data}`;
    this.write(`appevents/${options.temp ? `.tmp${name.length.toString(36)}x1y2` : name}`, payload);
  }
}

/** Python's json.JSONEncoder() defaults (utils.json_genencode): ', ' and ': ' separators, insertion order. */
export function pythonJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`).join(', ')}}`;
}

/** A PyYAML 3 plain scalar, single-quoted when it would read as something else. */
function pyYamlScalar(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  return /^[A-Za-z_][\w.-]*$/.test(text) && !/^(true|false|null|yes|no|on|off)$/i.test(text) ? text : `'${text.replaceAll("'", "''")}'`;
}
