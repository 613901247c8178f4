/**
 * A generated Treadmill node listing (the lines the rescan script prints, and
 * the text of the files it reads), changed at random step by step: each step
 * gives the node's answer as the rescan sends it (`-`/`+` lines and the text
 * of new files). Seeded, so a failure can be replayed.
 */

/** mulberry32: small, seeded, good enough to pick layouts. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A listing entity's lines, and for `@file` lines the text of the file (empty: an empty file). */
type Entity = Map<string, string[] | null>;

const apps = ['proid.web', 'lab.train', 'ops.db-x'];
const base62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function generatedNode(seed: number) {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const chance = (p: number) => rnd() < p;
  let clock = 1_700_000_000;
  const tick = () => (clock += 1.25).toFixed(2);
  const entities = new Map<string, Entity>();
  const containers: string[] = [];
  let serial = 0;

  const instanceOf = (unique: string) => unique.replace(/-(\d+)-[0-9A-Za-z]{13}$/, '#$1');
  const newUnique = (instance?: string) => {
    const id = Array.from({ length: 13 }, () => pick(base62.split(''))).join('');
    if (instance) return `${instance.replace('#', '-')}-${id}`;
    return `${pick(apps)}-${String(++serial).padStart(10, '0')}-${id}`;
  };
  const manifest = () =>
    chance(0.05) ? ['{not json'] : [JSON.stringify({ proid: 'proid', environment: pick(['dev', 'prod']), memory: pick(['64M', '1G']), cpu: '100%', disk: '1G', services: [{ name: pick(['web', 'worker']) }] })];
  const file = (entity: Entity, path: string, text: string[]) => {
    entity.set(`@file ${path} ${tick()} ${text.join('\n').length}`, text);
  };

  /** A container directory with a random set of flags and files. */
  function container(unique: string): Entity {
    const entity: Entity = new Map([[`@app ${unique} ${tick()}`, null]]);
    const path = `apps/${unique}`;
    if (chance(0.9)) file(entity, `${path}/data/app.json`, manifest());
    else if (chance(0.5)) file(entity, `${path}/app.yml`, ['proid: proid', 'environment: qa', 'memory: 1G', 'services:', '  - name: worker']);
    for (const flag of ['data/oom', 'data/terminated', 'down']) if (chance(0.1)) entity.set(`@has ${path}/${flag}`, null);
    for (const finish of ['data/exitinfo', 'data/aborted', 'exitinfo']) {
      if (!chance(0.15)) continue;
      entity.set(`@has ${path}/${finish}`, null);
      if (chance(0.05)) entity.set(`@big ${path}/${finish}`, null);
      else file(entity, `${path}/${finish}`, pick([[], ['{broken'], ['{"service": "web", "return_code": 3, "signal": 0}'], ['{"why": "image", "payload": "no image"}'], ['rc: 256', 'sig: 9', 'killed: true']]));
    }
    return entity;
  }

  /** A line naming some container (or an instance), present or not: links, tombstones, cache, archives, events. */
  function other(): [string, Entity] {
    const unique = containers.length > 0 && chance(0.9) ? pick(containers) : newUnique();
    const instance = instanceOf(unique);
    const line = pick([
      () => `@link ${pick(['running', 'cleanup', 'cleaning'])}/${chance(0.5) ? instance : unique} ../apps/${chance(0.9) ? unique : newUnique()}`,
      () => `@tomb tombstones/running/${instance},${tick()},${pick([0, 3, 256])},${pick([0, 9, 15])}`,
      () => `@tomb tombstones/services/${unique},web,${tick()},1,0`,
      () => (chance(0.1) ? `@tomb tombstones/running/garbage${tick()}` : `@tomb tombstones/services/nocomma${tick()},1,2,3`),
      () => `@cache ${chance(0.5) ? instance : instanceOf(newUnique())} ${tick()}`,
      () => `@archive ${chance(0.5) ? unique : newUnique()}.sys.tar.gz ${tick()}`,
      () => `@event ${tick()},${instance},configured,x`,
      () => `@app not-a-container-${tick()} ${tick()}`,
    ])();
    return [`other ${line}`, new Map([[line, null]])];
  }

  function addContainer(): void {
    // Now and then a second container of an instance already there (Treadmill runs one more than once).
    const unique = containers.length > 0 && chance(0.1) ? newUnique(instanceOf(pick(containers))) : newUnique();
    containers.push(unique);
    entities.set(`app ${unique}`, container(unique));
  }

  function lines(): Map<string, string[] | null> {
    const all = new Map<string, string[] | null>();
    for (const entity of entities.values()) for (const [line, text] of entity) all.set(line, text);
    return all;
  }

  /** The node's answer for these lines: what changed since `before` (null: in full), with the text of new files. */
  function answer(before: Map<string, string[] | null> | null, after: Map<string, string[] | null>, base: number, next: number): string {
    const out = [`@now ${tick()}`, `@state ${before ? 'delta' : 'full'} ${base} ${next}`];
    if (before) for (const line of before.keys()) if (!after.has(line)) out.push(`-${line}`);
    for (const [line, text] of after) {
      if (before?.has(line)) continue;
      out.push(`+${line}`);
      if (text) for (const t of text) out.push(`${line.split(' ')[1]}:${t}`);
    }
    return out.join('\n');
  }

  return {
    /** A node of `count` containers and about a third as many other lines. */
    fill(count: number): void {
      for (let i = 0; i < count; i++) addContainer();
      for (let i = 0; i < count / 3; i++) entities.set(...other());
    },
    lines,
    answer,
    containers: () => containers,
    /** `count` random changes: containers added, removed or rewritten, one flag toggled, other lines added or removed. */
    change(count: number): void {
      for (let i = 0; i < count; i++) {
        const what = rnd();
        if (what < 0.15 || containers.length === 0) addContainer();
        else if (what < 0.3) {
          const unique = containers.splice(Math.floor(rnd() * containers.length), 1)[0]!;
          entities.delete(`app ${unique}`);
        } else if (what < 0.45) {
          const unique = pick(containers);
          entities.set(`app ${unique}`, container(unique));
        } else if (what < 0.6) this.toggle(pick(containers));
        else if (what < 0.8) entities.set(...other());
        else {
          const keys = [...entities.keys()].filter((key) => key.startsWith('other '));
          if (keys.length > 0) entities.delete(pick(keys));
        }
      }
    },
    /** One flag of a container set or cleared (the rescan's commonest change: a container finished). */
    toggle(unique: string, flag: string = pick(['data/oom', 'data/terminated', 'down'])): void {
      const entity = entities.get(`app ${unique}`)!;
      const line = `@has apps/${unique}/${flag}`;
      if (!entity.delete(line)) entity.set(line, null);
    },
    instanceOf,
  };
}
