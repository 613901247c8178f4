import { parseBuildArgs, parseDoctorArgs, parseStartArgs } from './args.js';
import { appVersion } from '../backend/app-version.js';
import { bashCompletion } from './completion.js';
import { errorReport, isUsageError, usageMessage, UsageError } from './errors.js';
import { commandUsage, fullUsage, isCommand, type CommandName } from './usage.js';
import { outputClosed } from './output-closed.js';

/** The command being run, so that a usage error shows that command's section rather than all of them. */
let current: CommandName | null = null;

/** `--help` or `-h` among a command's own arguments; what follows `--` is someone else's (a remote command). */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function runCompletion(argv: string[]): number {
  if (argv.length !== 1 || argv[0] !== 'bash') throw new UsageError(`${argv.length === 0 ? 'name the shell' : `"${argv.join(' ')}" is not a supported shell`} (bash)`);
  process.stdout.write(bashCompletion());
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined) {
    process.stderr.write(fullUsage());
    return 2;
  }
  if (verb === '--version' || verb === '-V') {
    process.stdout.write(`slipway ${appVersion}\n`);
    return 0;
  }
  if (verb === 'help' || verb === '--help' || verb === '-h') {
    const [topic] = rest;
    if (topic !== undefined && !isCommand(topic)) throw new UsageError(`help: unknown command "${topic}"`);
    process.stdout.write(topic === undefined ? fullUsage() : commandUsage(topic));
    return 0;
  }
  if (!isCommand(verb)) throw new UsageError(`unknown command "${verb}"`);
  current = verb;
  if (asksForHelp(rest)) {
    process.stdout.write(commandUsage(verb));
    return 0;
  }
  switch (verb) {
    // Each command's module is loaded when it runs: a cache-hit build or `--version` need not load ssh2,
    // ZooKeeper's client and every service (start-up time is most of a cache-hit rebuild).
    case 'start':
      return (await import('./start.js')).runStart(parseStartArgs(rest));
    case 'doctor':
      return (await import('./doctor.js')).runDoctor(parseDoctorArgs(rest));
    case 'build': {
      const args = parseBuildArgs(rest);
      if (args.fetch) return (await import('./build-fetch.js')).runBuildFetch(args.fetch.id, args.fetch.to, args.json);
      return args.diff ? (await import('./build-diff.js')).runBuildDiff(args.diff[0], args.diff[1], args.json) : (await import('./build.js')).runBuild(args);
    }
    case 'nodes':
      return (await import('./nodes.js')).runNodes(rest);
    case 'publish':
      return (await import('./publish.js')).runPublish(rest);
    case 'boot':
      return (await import('./boot.js')).runBoot(rest);
    case 'netboot':
      return (await import('./netboot.js')).runNetboot(rest);
    case 'deploy':
      return (await import('./deploy.js')).runDeploy(rest);
    case 'app':
      return (await import('./app.js')).runApp(rest);
    case 'containers':
      return (await import('./containers.js')).runContainers(rest);
    case 'cell':
      return (await import('./cell.js')).runCell(rest);
    case 'completion':
      return runCompletion(rest);
  }
}

const prefix = () => (current ? `slipway ${current}` : 'slipway');

/** What went wrong in a line (or one line per problem), never a stack trace unless SLIPWAY_DEBUG=1 asks for it. */
function fail(error: unknown): never {
  if (isUsageError(error)) {
    const message = usageMessage(error as Error);
    // Some runners name themselves in the message; the prefix names the command already.
    const own = current && message.startsWith(`${current}: `) ? message.slice(current.length + 2) : message;
    process.stderr.write(`${prefix()}: ${own}\n\n${current ? commandUsage(current) : fullUsage()}`);
    process.exit(2);
  }
  process.stderr.write(errorReport(prefix(), error));
  process.exit(1);
}

// Whatever escapes a runner's own handling (a callback's throw, a promise nobody awaited) is worded the same way.
process.on('uncaughtException', fail).on('unhandledRejection', fail);
// A reader that stopped reading (`slipway completion bash | head`) has what it wanted: leave quietly, as cat does,
// unless the running command has work to undo first (output-closed.ts). Later EPIPEs of the same stream are expected.
let pipeClosed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') return fail(error);
  if (pipeClosed) return;
  pipeClosed = true;
  if (!outputClosed()) process.exit(0);
});

main(process.argv.slice(2)).then((code) => process.exit(code), fail);
