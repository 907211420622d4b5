import { runCli } from './cli';

// `node apps/migrator/dist/main.js <command>`: see README.md for commands and exit codes.
runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
