/** Process exit codes of the migrator CLI; scripts and CI branch on them, so they never change meaning. */
export const ExitCode = {
  ok: 0,
  /** A migration failed, or something unexpected happened (connection refused, bug). */
  failed: 1,
  /** Bad arguments or configuration: DATABASE_URL missing, unreadable migrations folder, bad file names. */
  usage: 2,
  /**
   * The recorded history disagrees with the files (checksum changed, file missing, failure recorded,
   * version out of order), or a non-empty database has no history. Nothing was run.
   */
  integrity: 3,
  /** `status --check`: migrations are pending. */
  pending: 4,
  /** `verify` found differences. */
  verifyFailed: 5,
  /** The migration lock was not obtained within `--lock-wait`. */
  lockTimeout: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error whose message is meant for the operator as is, and which decides the exit code. */
export class MigratorError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'MigratorError';
  }
}
