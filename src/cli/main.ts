/** The `talentsync` command line: every way to run and administer the product. */
import { Command } from 'commander';
import {
  keysRotate,
  memberImport,
  memberToken,
  migrateCommand,
  operatorToken,
  orgCreate,
  userCreate,
} from './admin.ts';
import { doctorCommand } from './doctor.ts';
import { reportFailure } from './output.ts';
import { sandboxCommand } from './sandbox.ts';
import { serve } from './serve.ts';

/** Runs a command's action; a failure prints one line and sets the exit code (2 for bad config or usage). */
function action<A extends unknown[]>(run: (...args: A) => Promise<unknown>) {
  return async (...args: A) => {
    try {
      const code = await run(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      process.exit(reportFailure(error));
    }
  };
}

const program = new Command('talentsync')
  .description('Email and calendar sync for recruiting teams.')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

program
  .command('start')
  .description('run the API and the job worker in one process')
  .option('--demo', 'seed the demo organization and print its tokens')
  .action(
    action((options: { demo?: boolean }) => serve({ api: true, worker: true, demo: options.demo ?? false })),
  );
program
  .command('api')
  .description('run the HTTP API only')
  .action(action(() => serve({ api: true, worker: false })));
program
  .command('worker')
  .description('run the job worker only')
  .action(action(() => serve({ api: false, worker: true })));
program.command('migrate').description('bring the database schema up to date').action(action(migrateCommand));
program
  .command('doctor')
  .description('check a deployment (read-only): database, settings, providers, worker, mailboxes')
  .option('--json', 'the checks as JSON')
  .option('--probe', 'also call PUBLIC_URL’s health and webhook URLs from here, as providers would')
  .option(
    '--print-config',
    'print the values to enter at Google and Microsoft (redirect URI, webhooks, scopes)',
  )
  .action(action(doctorCommand));

program
  .command('sandbox')
  .description('run the Google and Microsoft provider sandbox alone')
  .option('--port <port>', 'port to listen on (default: SANDBOX_PORT, else 4010)')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--https', 'serve HTTPS with a self-signed certificate (for the Graph JS client)')
  .option(
    '--push-endpoint <url>',
    "Gmail push: the Pub/Sub push subscription's endpoint (the app's /webhooks/google)",
  )
  .option('--push-auth-service-account <email>', 'Gmail push: the service account the push OIDC token names')
  .option(
    '--push-auth-token-audience <audience>',
    'Gmail push: the OIDC token audience (default: the endpoint)',
  )
  .option('--meet <mode>', 'Meet conferences: success (default), pending, stuck or fail')
  .option(
    '--strict-refresh-tokens',
    'Microsoft fault option: refuse a refresh token once it was exchanged (AADSTS70008); Entra keeps it valid',
  )
  .option(
    '--http-notification-urls',
    'Microsoft: accept plain http Graph subscription notification URLs (Graph demands https)',
  )
  .action(action(sandboxCommand));

const org = program.command('org').description('organizations');
org
  .command('create')
  .description('create an organization')
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--domain <domain>', 'primary email domain, e.g. example.com')
  .action(action(orgCreate));

const user = program.command('user').description('recruiter users');
user
  .command('create')
  .description('add a user to an organization and print their first access token')
  .requiredOption('--org <id|domain>', 'organization id, or its primary domain')
  .requiredOption('--email <email>', 'the user’s email address')
  .requiredOption('--name <name>', 'display name')
  .option('--role <role>', 'admin or member', 'member')
  .action(action(userCreate));

const member = program.command('member').description('the member directory');
member
  .command('import')
  .description('create or update members from a JSON Lines file: {"name","emails":[…],"discoverability"}')
  .argument('<file>', 'path to the .jsonl file')
  .action(action(memberImport));
member
  .command('token')
  .description('issue a member credential (to act on InMail as that member)')
  .requiredOption('--email <email>', 'one of the member’s addresses')
  .option('--name <name>', 'a label for the token', 'cli')
  .action(action(memberToken));

program
  .command('keys')
  .description('the token vault')
  .command('rotate')
  .description('re-seal every stored token under the first key of TOKEN_ENCRYPTION_KEY')
  .action(action(keysRotate));

const operator = program.command('operator').description('the platform operator');
operator
  .command('token')
  .description('issue an operator token (feeds the member directory through the API)')
  .option('--name <name>', 'a label for the token', 'cli')
  .action(action(operatorToken));

program.addHelpText(
  'after',
  `
All commands:
  start [--demo]           API + worker in one process (npm start adds --demo)
  api | worker             one role only, for separate processes in production
  migrate                  bring the database schema up to date
  doctor [--json] [--probe] check a deployment; --print-config: values for the IT admin
  org create               --name <name> --domain <domain>
  user create              --org <id|domain> --email <email> --name <name> [--role admin|member]
  member import <file>     JSON Lines, one member a line
  member token             --email <email>: a member credential
  operator token           a token for feeding the member directory
  keys rotate              re-seal stored tokens under the first TOKEN_ENCRYPTION_KEY key
  sandbox [--port 4010]    the Google and Microsoft provider sandbox alone

Configuration comes from the environment: see the README.`,
);

await program.parseAsync();
