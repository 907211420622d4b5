import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createLogger, startApp, StartupError } from './app';
import { ConfigurationError, ExitCode, readConfig, type CommandLine } from './config';

// `node apps/mcp-database/dist/main.js [--http [--host H] [--port N]]` (or `npm run --silent mcp`):
// the `database` MCP server. stdio by default, where stdout carries only MCP messages and every
// log line goes to stderr. See README.md.

function parseCommandLine(argv: string[]): CommandLine {
  const program = new Command('mcp-database')
    .description('The Plue `database` MCP server: read-only tools over DATABASE_URL (the plue_readonly role).')
    .option('--http', 'serve streamable HTTP instead of stdio (env MCP_TRANSPORT=http)')
    .option('--host <host>', 'HTTP address (env MCP_HTTP_HOST; default 127.0.0.1; others need MCP_HTTP_TOKEN)')
    .option('--port <port>', 'HTTP port (env MCP_HTTP_PORT; default 3100; 0 picks a free one)', (value) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('not a port number');
      return port;
    })
    .exitOverride()
    // Help and errors on stderr: stdout belongs to the protocol.
    .configureOutput({ writeOut: (text) => process.stderr.write(text), writeErr: (text) => process.stderr.write(text) })
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 failure (e.g. cannot connect), ${ExitCode.unsafeRole} DATABASE_URL's role can write, ` +
        `${ExitCode.configuration} bad configuration.`,
    );
  program.parse(argv, { from: 'user' });
  return program.opts<CommandLine>();
}

async function main(): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.configuration;
    throw error;
  }
  let config;
  try {
    config = readConfig(process.env, commandLine);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`mcp-database: ${error.message}\n`);
      return ExitCode.configuration;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  try {
    const app = await startApp(config, logger);
    const stop = () => void app.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await app.closed;
    logger.info('mcp-database stopped');
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`mcp-database: ${error.message}\n`);
      return error.exitCode;
    }
    logger.fatal({ err: (error as Error).message, stack: (error as Error).stack }, 'mcp-database failed');
    return ExitCode.failed;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`mcp-database: ${error.stack ?? error.message}\n`);
    process.exitCode = ExitCode.failed;
  },
);
