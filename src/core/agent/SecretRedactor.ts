// Values of secret-looking environment variables never reach a file, the database or a screen: an
// agent (or a `set -x` wrapper around it) may print `ANTHROPIC_API_KEY=sk-…`, and every line it prints
// is stored (events, the run database, the step logs) and shown (Output, dashboard, the CLI). One
// redactor is applied where the agent's output enters Sprint Runner, before anything keeps or renders it.

/** Names that hold secrets by convention (matched anywhere in the name, any case). */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE/i;
/** Names that match SECRET_NAME but hold a location, not a secret (`SSH_AUTH_SOCK`, `GOOGLE_APPLICATION_CREDENTIALS` is a path too). */
const LOCATION_NAME = /(_SOCK|_PATH|_FILE|_DIR|_HOME|AUTHORITY)$/i;
/** Shorter values are too likely to occur by chance (and too weak to be worth hiding). */
export const MIN_SECRET_LENGTH = 8;

export class SecretRedactor {
  /** [value, replacement], longest value first (a value that contains another is replaced whole). */
  private readonly pairs: [string, string][];

  constructor(secrets: ReadonlyMap<string, string>) {
    const pairs: [string, string][] = [];
    for (const [name, value] of secrets) {
      const marker = `[REDACTED:${name}]`;
      pairs.push([value, marker]);
      // The same value inside a JSON string (stream-json lines), where `"`, `\` and controls are escaped.
      const json = JSON.stringify(value).slice(1, -1);
      if (json !== value) pairs.push([json, marker]);
    }
    this.pairs = pairs.sort((a, b) => b[0].length - a[0].length);
  }

  /** The secrets of an environment: variables whose name looks secret and whose value is long enough. */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): SecretRedactor {
    const secrets = new Map<string, string>();
    for (const [name, value] of Object.entries(env)) {
      if (value === undefined || value.trim().length < MIN_SECRET_LENGTH) continue;
      if (!SECRET_NAME.test(name) || LOCATION_NAME.test(name)) continue;
      secrets.set(name, value.trim());
    }
    return new SecretRedactor(secrets);
  }

  get empty(): boolean {
    return this.pairs.length === 0;
  }

  redact(text: string): string {
    let out = text;
    for (const [value, marker] of this.pairs) if (out.includes(value)) out = out.split(value).join(marker);
    return out;
  }
}
