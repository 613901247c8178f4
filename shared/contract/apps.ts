import { z } from 'zod';
import { command } from './define.js';
import { documentText } from './limits.js';

/**
 * Remote applications (NEPI's LinuxApplication over the node pool): one
 * definition, deployed to many nodes, each going through the same phases.
 */
const packageName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+._-]*$/, 'must be a package name');
/**
 * A bad-host pattern is operator text compiled into a regular expression and
 * run over every line a node prints: one that does not compile, or that
 * repeats a group which itself repeats (`(a+)+`, `(a|a)*`: the shapes that
 * backtrack exponentially), is refused.
 */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
  // One pass: each open group remembers whether it holds a repetition or an alternation.
  const groups: boolean[] = [];
  let inClass = false;
  let closedRisky = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const repeats = c === '*' || c === '+' || (c === '{' && /^\{\d*,/.test(pattern.slice(i)));
    if (c === '\\') {
      i += 1;
      closedRisky = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (repeats && closedRisky) return 'must be a regular expression without nested repetition, such as (a+)+';
    closedRisky = false;
    if (c === '[') inClass = true;
    else if (c === '(') groups.push(false);
    else if (c === ')') {
      closedRisky = groups.pop() ?? false;
      if (closedRisky && groups.length > 0) groups[groups.length - 1] = true;
    } else if ((repeats || c === '|') && groups.length > 0) groups[groups.length - 1] = true;
  }
  return null;
}

export const safePattern = (pattern: string): boolean => patternProblem(pattern) === null;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const AppDefinition = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, ".", "_" and "-", up to 63 characters'),
    description: z.string().default(''),
    /** Packages the application needs at run time (apt-get or yum, whichever the node has). */
    depends: z.array(packageName).default([]),
    /** Packages only the build needs: installed on the node that builds. */
    buildDepends: z.array(packageName).default([]),
    /** Files or directories on this host, uploaded into the application's home (`${SOURCES}`). */
    sources: z.array(z.string().refine((p) => p.startsWith('/'), 'must be an absolute path')).default([]),
    /** Run in `${BUILD}` (home/build), detached, with its own pidfile and `buildlog`. */
    build: z.string().default(''),
    install: z.string().default(''),
    run: z.string().min(1, 'the command that runs the application is required'),
    env: z.record(envName, z.string()).default({}),
    /** Text fed to the application's standard input. */
    stdin: z.string().default(''),
    /** Run depends/install (and the application) through `sudo -n` when the node user is not root. */
    sudo: z.boolean().default(false),
    /** Target nodes by name, and/or every node carrying one of these labels. */
    nodes: z.array(z.string()).default([]),
    labels: z.array(z.string()).default([]),
    /** Seconds per step. */
    timeouts: z
      .object({
        upload: z.number().positive().default(300),
        depends: z.number().positive().default(900),
        build: z.number().positive().default(1800),
        install: z.number().positive().default(600),
        start: z.number().positive().default(60),
        stop: z.number().positive().default(10),
      })
      .prefault({}),
    /** Regular expressions over error output that mark a node as bad (blacklisted); defaults from NEPI. */
    badHostPatterns: z
      .array(
        z
          .string()
          .max(500)
          .superRefine((pattern, ctx) => {
            const problem = patternProblem(pattern);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
      )
      .optional(),
  })
  .strict();
export type AppDefinition = z.output<typeof AppDefinition>;
export type AppDefinitionInput = z.input<typeof AppDefinition>;

export const AppPhase = z.enum(['home', 'upload', 'depends', 'build', 'install', 'start', 'run']);
export type AppPhase = z.infer<typeof AppPhase>;
export const appPhases = AppPhase.options;

/** NEPI's application states. */
export const AppStatus = z.enum(['NOT_STARTED', 'BUILDING', 'RUNNING', 'FINISHED', 'FAILED', 'STOPPED']);
export type AppStatus = z.infer<typeof AppStatus>;

export const PhaseState = z.object({
  status: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  startedAt: z.iso.datetime().nullable(),
  durationMs: z.number().nonnegative().nullable(),
  message: z.string().nullable(),
});
export type PhaseState = z.infer<typeof PhaseState>;

export const AppNodeState = z.object({
  node: z.string(),
  status: AppStatus,
  phases: z.record(AppPhase, PhaseState),
  /** Where the application lives on the node. */
  home: z.string().nullable(),
  /** `x86_64 debian 12`: nodes with the same platform and build inputs share one build. */
  platform: z.string().nullable(),
  /** This node built it (itself), or it received the build from another node. */
  builtBy: z.string().nullable(),
  receivedFrom: z.string().nullable(),
  pid: z.number().int().nullable(),
  exitCode: z.number().int().nullable(),
  failedStep: AppPhase.nullable(),
  error: z.string().nullable(),
  /** How the last stop went: "TERM" or "KILL after 10 s". */
  stoppedWith: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});
export type AppNodeState = z.infer<typeof AppNodeState>;

export const AppRunSummary = z.object({
  id: z.string(),
  app: z.string(),
  definitionHash: z.string(),
  startedAt: z.iso.datetime(),
  /** Nodes by status, for lists; the per-node detail is in AppRunDetail. */
  counts: z.record(AppStatus, z.number().int().nonnegative()),
  /** Of the FINISHED nodes, those whose application exited with a code other than 0: the run failed there too. */
  failedExits: z.number().int().nonnegative().optional(),
  active: z.boolean(),
  resultsDir: z.string(),
});
export type AppRunSummary = z.infer<typeof AppRunSummary>;

export const AppRunDetail = z.object({
  summary: AppRunSummary,
  definition: AppDefinition,
  nodes: z.array(AppNodeState),
  /** How the build spread: who built for which group, and who passed it to whom. */
  buildTree: z.array(z.object({ from: z.string(), to: z.string() })),
});
export type AppRunDetail = z.infer<typeof AppRunDetail>;

export const TraceStream = z.enum(['stdout', 'stderr', 'buildlog']);
export type TraceStream = z.infer<typeof TraceStream>;

export const TraceLine = z.object({
  node: z.string(),
  stream: TraceStream,
  /** Line number within this node's stream, from 0. */
  n: z.number().int().nonnegative(),
  text: z.string(),
});
export type TraceLine = z.infer<typeof TraceLine>;

export const BlacklistEntry = z.object({ node: z.string(), reason: z.string(), pattern: z.string(), run: z.string().nullable(), at: z.iso.datetime() });
export type BlacklistEntry = z.infer<typeof BlacklistEntry>;

export const AppProblem = z.object({ field: z.string(), message: z.string() });

export const appCommands = {
  /** Validates a YAML definition; never starts anything. */
  'apps.validate': command(z.object({ text: documentText }).strict(), z.object({ problems: z.array(AppProblem), nodes: z.array(z.string()) })),
  /** Saved definitions (the operator's library). */
  'apps.definitions': command(z.object({}).strict(), z.array(z.object({ name: z.string(), text: z.string() }))),
  'apps.saveDefinition': command(z.object({ text: documentText }).strict(), z.object({ name: z.string() })),
  /** Deploys to the definition's nodes, or to these. */
  'apps.deploy': command(z.object({ text: documentText, nodes: z.array(z.string()).optional() }).strict(), z.object({ id: z.string() })),
  'apps.runs': command(z.object({}).strict(), z.array(AppRunSummary)),
  'apps.get': command(z.object({ id: z.string() }).strict(), AppRunDetail),
  'apps.stop': command(z.object({ id: z.string(), nodes: z.array(z.string()).optional() }).strict(), z.object({ stopping: z.array(z.string()) })),
  /** Runs the whole lifecycle again on the nodes that failed, and on nothing else. */
  'apps.retryFailed': command(z.object({ id: z.string() }).strict(), z.object({ retrying: z.array(z.string()) })),
  'apps.traces': command(
    z.object({ id: z.string(), node: z.string().optional(), stream: TraceStream.optional(), from: z.number().int().nonnegative(), count: z.number().int().positive().max(5_000) }).strict(),
    z.object({ lines: z.array(TraceLine), total: z.number().int().nonnegative() }),
  ),
  /** Fetches every node's trace files (and the build log) into the run's local results folder. */
  'apps.download': command(z.object({ id: z.string() }).strict(), z.object({ dir: z.string(), files: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() })),
  'apps.blacklist': command(z.object({}).strict(), z.array(BlacklistEntry)),
  'apps.unblacklist': command(z.object({ node: z.string() }).strict(), z.object({ removed: z.boolean() })),
};

export const appEvents = {
  'apps.run': AppRunSummary,
  'apps.node': z.object({ id: z.string(), state: AppNodeState }),
  'apps.buildTree': z.object({ id: z.string(), edge: z.object({ from: z.string(), to: z.string() }) }),
  /** New trace lines, in batches. */
  'apps.trace': z.object({ id: z.string(), lines: z.array(TraceLine) }),
  'apps.blacklist': z.array(BlacklistEntry),
};
