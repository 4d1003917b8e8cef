import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { OPTIONS, type Flags } from './flags.ts';
import { createOutput, usageError } from './output.ts';

const HELP = `crossdock <command> [options]

  demo [--orders N] [--rate R] [--max-backlog B]
                                the whole system on the Odoo and carrier simulators (npm start); with --orders, a bounded run and its report
  start [--feed events.jsonl]   API and workers (the main process)
  worker [--workers N]          workers only, to scale out on PostgreSQL
  migrate                       apply database migrations
  validate [dir]                check workflow and policy files (file, line, path of each problem)
  schema                        JSON Schema of workflow files, for editors
  workflows save <file.yaml> [--base <version>] [--workflow <id>]   save the file as a new version of its workflow, as the
                                dashboard's editor does: checked (line, path), audited, current for new runs; --base refuses it
                                if another version became current since
  simulate <workflow | pack folder> --event file.json   dry run: the steps it would take, executing no side effect
  runs list [--status S] [--workflow W] [--limit N]
  runs show <id> | replay <id> [--input file.json] [--from step] [--again step,...] [--dry-run] | cancel <id> [--reason text]
                                replay keeps every effect's idempotency key (a repeat is ignored) unless --again names the step;
                                --dry-run lists the side-effect steps it would re-run and whether each acts again
  runs signal <id> <name> [--payload json]
  events send --source S --type T [--key K] (--payload json | --file payload.json)
  odoo check | setup-rules | poll   the Odoo databases in CROSSDOCK_ODOO_CONFIG: connectivity, rights, rules
                                check: one line per capability (with --workflows, the rights its Odoo steps need);
                                exit 0 ready, 1 reachable but something missing or refused, 3 unreachable or login refused
  odoo backfill --since T [--until T] [--source S] [--event E]   emit watched records last written in [since, until) (UTC); again: nothing new
  odoo setup-rules --rotate-token [--overlap-s N]   a new webhook token, written into Odoo's rules; the old one accepted N s more (60)
  sim carriers [--port P] [--carriers-file F] [--write-config F] [--tracking-to URL]   the carrier simulator on its own; prints the carriers file for it
  sim odoo [--port P] [--write-config F]   the Odoo 17 simulator with the demo's data; prints the Odoo configuration for it

  users add <email> --role R [--name N] [--password-stdin] | list | disable <id>
  tokens create --name N [--user U] [--scopes a,b] [--event-sources s] [--expires-days D] | list | revoke <id>
  audit verify | export [--out file.jsonl]    check the hash chain; JSON lines for auditors
  secrets set <name> (value on stdin) | list | rotate-key
  policies list | show <id> | test [<id>] --cases cases.yaml   the decision tables of the workflow folder
  approvals list [--status S] | show <id> | approve <id> [--reason R] [--code C] | reject <id> --reason R [--code C]   (direct: --as <email>; --code: your authenticator's six digits or a recovery code, at a step-up level)
  approvals approve <id> <id> ... --bulk [--reason R]   identical low-risk requests together (same bulk group in list)
  approvers set <email> [--groups a,b] [--manager <email>] [--odoo-user <id>]
  reconcile [--since 7d|2026-01-05] [--settle 15m]   the running Crossdock compares Odoo with what it did: each fall-through restarted or cased, once
  ai train [--set labelled.jsonl]   retrain the offline triage model from resolved cases and people's decisions (a new version)
  ai train delay_risk [--set deliveries.jsonl]   retrain the delay-risk model from the deliveries kept by the scoring passes (and the file's)
  ai eval exception_triage --set labelled.jsonl [--threshold 0.8]   the configured provider (the offline model by default) on a labelled set:
                                accuracy, precision and recall per class, coverage and error rate at the threshold
  ai eval delay_risk --set deliveries.jsonl [--threshold 0.4]   the delay-risk model on labelled deliveries (and its calibration)
  ai risk [--limit N]             open deliveries by risk of missing their promised date, from the newest scoring pass
  ai eval mail_extraction --set mails.jsonl [--threshold 0.8]   e-mail extraction on a labelled set: precision and recall per field, coverage and error rate
  exceptions list [--status S] [--type T] [--workflow W] | show <id> | retry <id> | replay <id> --input file.json [--from step] | resolve <id> <reason code> [--reason note]
  ai reviews [--use U] | show <id> | accept <id> [--reason R] | override <id> <team> [--category C] --reason R   AI recommendations waiting for a person's review

Common options: --workflows dir, --data-dir dir, --state-dir dir, --port N, --json, --api URL (talk to a running instance)
Configuration comes from the environment (DATABASE_URL, CROSSDOCK_DATA_DIR, ...); see docs/OPERATIONS.md.`;

/**
 * Each command's module is loaded when that command runs, so `--help` loads nothing and
 * `migrate` loads neither the simulators, the demo nor its mail server (test/unit/cli-imports.test.ts).
 */
export async function main(argv: string[]): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as {
      values: Flags;
      positionals: string[];
    };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  const out = createOutput(flags.json === true);
  const [command, ...rest] = positionals;
  if (flags.help || command === undefined || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined && !flags.help ? 2 : 0;
  }
  try {
    const { restrictNewFiles } = await import('../store/private-files.ts');
    restrictNewFiles(); // everything the command line makes (data, state, the demo's files) is its user's only
    const config = loadConfig(process.env, {
      ...(flags.workflows ? { CROSSDOCK_WORKFLOWS_DIR: flags.workflows } : {}),
      ...(flags['data-dir'] ? { CROSSDOCK_DATA_DIR: flags['data-dir'] } : {}),
      ...(flags['state-dir'] ? { CROSSDOCK_STATE_DIR: flags['state-dir'] } : {}),
      // `sim --port` is the simulator's port; Crossdock's own stays CROSSDOCK_PORT (the webhook address).
      ...(flags.port && command !== 'sim' ? { CROSSDOCK_PORT: flags.port } : {}),
      ...(flags.workers ? { CROSSDOCK_WORKERS: flags.workers } : {}),
    });
    switch (command) {
      case 'demo':
        return await (await import('./demo.ts')).demoCommand(config, flags, out);
      case 'start':
        return await (
          await import('./serve.ts')
        ).serve(config, { api: true, workers: config.workers.count, feed: flags.feed }, out);
      case 'worker':
        return await (
          await import('./serve.ts')
        ).serve(config, { api: false, workers: Math.max(1, config.workers.count) }, out);
      case 'migrate':
        return await (await import('./migrate.ts')).migrateCommand(config, out);
      case 'validate':
        return (await import('./workflow-files.ts')).validateCommand(
          config,
          rest[0] ?? config.workflowsDir,
          out,
        );
      case 'workflows':
        return await (await import('./workflows.ts')).workflowsCommand(config, rest, flags, out);
      case 'schema':
        return (await import('./workflow-files.ts')).schemaCommand(out);
      case 'simulate':
        return await (
          await import('./workflow-files.ts')
        ).simulateCommand(config, rest, flags, out);
      case 'odoo':
        return await (await import('./odoo.ts')).odooCommand(config, rest, out, flags);
      case 'sim':
        return await (await import('./sim.ts')).simCommand(config, rest, flags, out);
      case 'users':
        return await (await import('./users.ts')).usersCommand(config, rest, flags, out);
      case 'tokens':
        return await (await import('./tokens.ts')).tokensCommand(config, rest, flags, out);
      case 'approvals':
        return await (await import('./approvals.ts')).approvalsCommand(config, rest, flags, out);
      case 'exceptions':
        return await (await import('./exceptions.ts')).exceptionsCommand(config, rest, flags, out);
      case 'ai':
        return await (await import('./ai.ts')).aiCommand(config, rest, flags, out);
      case 'reconcile':
        return await (await import('./reconcile.ts')).reconcileCommand(config, flags, out);
      case 'approvers':
        return await (await import('./approvals.ts')).approversCommand(config, rest, flags, out);
      case 'audit':
        return await (await import('./audit.ts')).auditCommand(config, rest, flags, out);
      case 'secrets':
        return await (await import('./secrets.ts')).secretsCommand(config, rest, flags, out);
      case 'policies':
        return await (await import('./policies.ts')).policiesCommand(config, rest, flags, out);
      case 'runs':
      case 'events':
        return await (
          await import('./runs.ts')
        ).runsOrEventsCommand(command, config, rest, flags, out);
      default:
        throw usageError(`unknown command "${command}"; run crossdock --help`);
    }
  } catch (error) {
    return out.error(error);
  }
}
